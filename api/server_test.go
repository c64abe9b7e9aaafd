package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/corpus/demo"
	"github.com/xuncha/xuncha/indexer"
)

type fixture struct {
	srv    *Server
	store  *corpus.BoltStore
	index  *indexer.Index
	tokens map[string]string // role → secret, plus "revoked"
}

var (
	analyzerOnce sync.Once
	analyzer     *indexer.Analyzer
)

func testAnalyzer(t testing.TB) *indexer.Analyzer {
	analyzerOnce.Do(func() {
		seg, err := indexer.NewSegmenter(context.Background(), indexer.SegmenterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		analyzer = indexer.NewAnalyzer(seg)
	})
	return analyzer
}

// newFixture serves the demo corpus.
func newFixture(t *testing.T, mutate func(*Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := corpus.OpenBolt(ctx, filepath.Join(dir, "store.db"), corpus.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Load(ctx, s, corpus.ParseOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := indexer.Open(ctx, filepath.Join(dir, "index"), testAnalyzer(t), indexer.Options{Passages: indexer.StorePassages{Store: s}, InForce: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	sync := func() {
		if _, err := ix.Sync(ctx, s, nil); err != nil {
			t.Error(err)
		}
	}
	sync()
	lex, _ := indexer.DomainLexicon()
	if err := ix.RefreshSuggestions(ctx, lex); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, index: ix, tokens: map[string]string{}}
	for _, r := range []corpus.Role{corpus.RoleReader, corpus.RoleEditor, corpus.RoleAdmin} {
		secret, _, err := s.CreateToken(ctx, "test-"+string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[string(r)] = secret
	}
	secret, tok, err := s.CreateToken(ctx, "gone", corpus.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	f.tokens["revoked"] = secret
	f.tokens["malformed"] = "not-a-token"
	opts := Options{Store: s, Index: ix, Changed: sync, Version: "test", RatePerSecond: 10000, Burst: 10000}
	if mutate != nil {
		mutate(&opts)
	}
	f.srv = New(opts)
	return f
}

// do sends a request as caller ("" for none) and returns status and body.
func (f *fixture) do(t *testing.T, method, target, caller string, body io.Reader, contentType string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch caller {
	case "":
	case "malformed-header":
		req.Header.Set("Authorization", "Basic abc")
	default:
		req.Header.Set("Authorization", "Bearer "+f.tokens[caller])
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e ErrorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not an error body: %s", body)
	}
	return e.Error.Code
}

// TestEveryRouteEveryRole walks every route with every kind of caller.
func TestEveryRouteEveryRole(t *testing.T) {
	f := newFixture(t, nil)
	routes := append(f.srv.routeTable(), f.srv.webRoutes()...)
	// Every registered route has a rule.
	for _, r := range f.srv.e.Routes() {
		if _, ok := f.srv.rules[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s has no access rule", r.Method, r.Path)
		}
	}
	callers := []string{"", "reader", "editor", "admin", "revoked", "malformed", "malformed-header"}
	for _, r := range routes {
		path := strings.ReplaceAll(strings.ReplaceAll(r.path, ":id", "nonexistent"), "*", "app.css")
		for _, caller := range callers {
			status, body := f.do(t, r.method, path, caller, strings.NewReader("{}"), "application/json")
			denied := status == http.StatusUnauthorized || status == http.StatusForbidden
			var want string
			switch {
			case r.role == rolePublic:
				want = "allowed"
			case caller == "":
				want = "unauthorized"
			case caller == "revoked":
				want = "token_revoked"
			case caller == "malformed" || caller == "malformed-header":
				want = "invalid_token"
			case corpus.Role(caller).Allows(corpus.Role(r.role)):
				want = "allowed"
			default:
				want = "forbidden"
			}
			if want == "allowed" {
				if denied {
					t.Errorf("%s %s as %q: %d %s, want access", r.method, r.path, caller, status, body)
				}
				continue
			}
			if !denied || errorCode(t, body) != want {
				t.Errorf("%s %s as %q: %d %s, want %s", r.method, r.path, caller, status, body, want)
			}
		}
	}
}

func TestPublicReads(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.PublicReads = true })
	if status, _ := f.do(t, "GET", "/api/v1/search?q=巡察", "", nil, ""); status != http.StatusOK {
		t.Errorf("public read: %d", status)
	}
	if status, _ := f.do(t, "DELETE", "/api/v1/findings/x", "", nil, ""); status != http.StatusUnauthorized {
		t.Errorf("write without a token under public reads: %d", status)
	}
}

// TestOpenAPIListsEveryRoute: the OpenAPI document has exactly the server's
// routes.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	f := newFixture(t, nil)
	var doc struct {
		Paths map[string]map[string]struct {
			Role string `json:"x-role"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var inDoc, inServer []string
	for p, ops := range doc.Paths {
		for m, op := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p+" "+op.Role)
		}
	}
	for _, r := range append(f.srv.routeTable(), f.srv.webRoutes()...) {
		p := strings.ReplaceAll(strings.ReplaceAll(r.path, ":id", "{id}"), "*", "{path}")
		inServer = append(inServer, r.method+" "+p+" "+string(r.role))
	}
	sort.Strings(inDoc)
	sort.Strings(inServer)
	if strings.Join(inDoc, "\n") != strings.Join(inServer, "\n") {
		t.Errorf("OpenAPI document and routes differ:\ndocument:\n%s\nserver:\n%s", strings.Join(inDoc, "\n"), strings.Join(inServer, "\n"))
	}
}

func TestSearchAPI(t *testing.T) {
	f := newFixture(t, nil)
	status, body := f.do(t, "GET", "/api/v1/search?q=形式主义&facets=1&size=5", "reader", nil, "")
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	var res SearchResponse
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || len(res.Hits) != 5 || len(res.Facets["unit"]) == 0 {
		t.Fatalf("total %d, %d hits, facets %v", res.Total, len(res.Hits), res.Facets)
	}
	h := res.Hits[0]
	if !strings.Contains(h.Snippet, "<mark>") || len(h.Highlights) == 0 {
		t.Errorf("hit without highlights: %+v", h)
	}
	// Highlights are character offsets into text.
	sp := h.Highlights[0]
	if got := string([]rune(h.Text)[sp.Start:sp.End]); !strings.Contains(got, "形式主义") {
		t.Errorf("highlight %v covers %q", sp, got)
	}

	for _, tt := range []struct {
		target string
		status int
		code   string
	}{
		{"/api/v1/search?q=%22unclosed", 400, "invalid_query"},
		{"/api/v1/search?q=a&size=1000", 400, "invalid_request"},
		{"/api/v1/search?q=a&size=-1", 400, "invalid_request"},
		{"/api/v1/search?q=a&from=999999999", 400, "invalid_request"},
		{"/api/v1/search?q=a&size=abc", 400, "invalid_request"},
		{"/api/v1/search?q=a&size=1e9", 400, "invalid_request"},
		{"/api/v1/search?q=a&sort=random", 400, "invalid_request"},
		{"/api/v1/search?q=" + strings.Repeat("(", 5000), 400, "invalid_query"},
		{"/api/v1/search?q=%FF%FE", 400, "invalid_query"},
		{"/api/v1/nope", 404, "not_found"},
		{"/api/v1/documents/nope", 404, "not_found"},
	} {
		status, body := f.do(t, "GET", tt.target, "reader", nil, "")
		if status != tt.status || errorCode(t, body) != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.target, status, body, tt.status, tt.code)
		}
	}
	status, body = f.do(t, "GET", "/api/v1/search?q=%22unclosed", "reader", nil, "")
	if status != 400 || !strings.Contains(string(body), "character 1") {
		t.Errorf("query error does not say where: %s", body)
	}
}

func TestFindingLifecycle(t *testing.T) {
	f := newFixture(t, nil)
	in := `{"unit":"区审计局","round":"九届区委第十一轮","problems":["形式主义"],"description":"审计整改台账重留痕轻实效","status":"未整改","deadline":"2026-03-31"}`
	status, body := f.do(t, "POST", "/api/v1/findings", "editor", strings.NewReader(in), "application/json")
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var created corpus.Finding
	json.Unmarshal(body, &created)
	status, body = f.do(t, "PATCH", "/api/v1/findings/"+created.ID+"/rectification", "editor", strings.NewReader(`{"status":"已整改","measures":"精简台账","note":"验收通过"}`), "application/json")
	if status != http.StatusOK {
		t.Fatalf("update: %d %s", status, body)
	}
	status, body = f.do(t, "GET", "/api/v1/findings/"+created.ID, "reader", nil, "")
	var got FindingResponse
	json.Unmarshal(body, &got)
	if status != 200 || got.Rectification.Status != corpus.StatusDone || len(got.History) != 2 || got.History[1].Who != "test-editor" || got.History[1].Note != "验收通过" {
		t.Fatalf("get: %d %s", status, body)
	}
	// The index followed: the finding is searchable under its new status.
	status, body = f.do(t, "GET", "/api/v1/findings?unit=区审计局&status=已整改", "reader", nil, "")
	if status != 200 || !strings.Contains(string(body), created.ID) {
		t.Errorf("search after update: %d %s", status, body)
	}
	for _, tt := range []struct{ body, code string }{
		{`{"status":"做完了"}`, "invalid_request"},
		{`{"status":"已整改","deadline":"明天"}`, "invalid_request"},
		{`not json`, "invalid_request"},
	} {
		status, body := f.do(t, "PATCH", "/api/v1/findings/"+created.ID+"/rectification", "editor", strings.NewReader(tt.body), "application/json")
		if status != 400 || errorCode(t, body) != tt.code {
			t.Errorf("bad update %s: %d %s", tt.body, status, body)
		}
	}
	if status, body := f.do(t, "POST", "/api/v1/findings", "editor", strings.NewReader(`{"unit":"","description":"x"}`), "application/json"); status != 422 {
		t.Errorf("finding without unit: %d %s", status, body)
	}
	if status, _ := f.do(t, "DELETE", "/api/v1/findings/"+created.ID, "editor", nil, ""); status != 204 {
		t.Errorf("delete: %d", status)
	}
	if status, _ := f.do(t, "GET", "/api/v1/findings/"+created.ID, "reader", nil, ""); status != 404 {
		t.Errorf("get after delete: %d", status)
	}
}

func TestUploadAndTask(t *testing.T) {
	f := newFixture(t, nil)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "../../etc/关于开展专项巡察的通知.txt")
	part.Write([]byte("关于开展专项巡察的通知\n一、工作目标\n聚焦群众身边腐败问题和不正之风，开展专项巡察。"))
	if _, err := w.CreateFormFile("file", "empty.txt"); err != nil { // an empty part
		t.Fatal(err)
	}
	w.Close()
	status, body := f.do(t, "POST", "/api/v1/documents", "editor", &buf, w.FormDataContentType())
	if status != http.StatusAccepted {
		t.Fatalf("upload: %d %s", status, body)
	}
	var task Task
	json.Unmarshal(body, &task)
	deadline := time.Now().Add(10 * time.Second)
	for task.State != "done" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		_, body = f.do(t, "GET", "/api/v1/tasks/"+task.ID, "reader", nil, "")
		json.Unmarshal(body, &task)
	}
	if task.Imported != 1 || task.Rejected != 1 || task.Results[1].Reason == "" {
		t.Fatalf("task %s", body)
	}
	if task.Results[0].Path != "关于开展专项巡察的通知.txt" {
		t.Errorf("upload name %q", task.Results[0].Path)
	}
	status, body = f.do(t, "GET", "/api/v1/search?q=专项巡察", "reader", nil, "")
	if status != 200 || !strings.Contains(string(body), "关于开展专项巡察的通知") {
		t.Errorf("uploaded document not searchable: %s", body)
	}
}

func TestLimitsAndHeaders(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.RatePerSecond, o.Burst = 1, 3 })
	big := strings.NewReader(`{"unit":"` + strings.Repeat("x", 2<<20) + `"}`)
	if status, body := f.do(t, "POST", "/api/v1/findings", "editor", big, "application/json"); status != 413 || errorCode(t, body) != "too_large" {
		t.Errorf("2 MiB JSON body: %d %s", status, body)
	}
	req := httptest.NewRequest("POST", "/api/v1/findings", strings.NewReader("\x1f\x8b..."))
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+f.tokens["editor"])
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 415 {
		t.Errorf("gzip body: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if rec.Header().Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	limited := false
	for range 10 {
		if status, _ := f.do(t, "GET", "/api/v1/stats", "reader", nil, ""); status == 429 {
			limited = true
		}
	}
	if !limited {
		t.Error("10 quick requests at 1/s with burst 3 were never rate limited")
	}
}

// TestReadRoutes: the read routes answer with what they promise.
func TestReadRoutes(t *testing.T) {
	ready := false
	f := newFixture(t, func(o *Options) { o.Ready = func() bool { return ready } })
	if status, body := f.do(t, "GET", "/readyz", "", nil, ""); status != 503 || errorCode(t, body) != "not_ready" {
		t.Errorf("readyz before ready: %d %s", status, body)
	}
	ready = true
	var docID string
	f.store.EachDocument(context.Background(), func(d *corpus.Document) error {
		if strings.Contains(d.Title, "巡视工作条例") {
			docID = d.ID
		}
		return nil
	})
	var findingID string
	f.store.EachFinding(context.Background(), func(fd *corpus.Finding) error {
		if fd.Sample && findingID == "" {
			findingID = fd.ID
		}
		return nil
	})
	for _, tt := range []struct{ target, want string }{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/api/v1/openapi.json", `"openapi": "3.0.3"`},
		{"/metrics", "xuncha_index_passages"},
		{"/api/v1/stats", `"documents":24`},
		{"/api/v1/suggest?prefix=区委", "区委办公室"},
		{"/api/v1/documents?kind=法规&size=3", `"groups"`},
		{"/api/v1/documents/" + docID, "巡视工作条例"},
		{"/api/v1/paragraphs/" + docID + "-p3", `"gbt7714":"中国共产党巡视工作条例[EB/OL].`},
		{"/api/v1/findings?unit=区委办公室&group_by=round", "九届区委第十轮"},
		{"/api/v1/findings/" + findingID, `"history"`},
		{"/api/v1/findings/" + findingID + "/similar?size=3", `"key_terms"`},
		{"/", "巡察知识库"},
		{"/static/app.js", "snippet"},
	} {
		status, body := f.do(t, "GET", tt.target, "reader", nil, "")
		if status != 200 || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d, want %q in %.300s", tt.target, status, tt.want, body)
		}
	}
	// A hostile path stays inside the web assets.
	for _, p := range []string{"/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/..%252f..%252fetc/passwd"} {
		status, body := f.do(t, "GET", p, "", nil, "")
		if status == 200 && strings.Contains(string(body), "root:") {
			t.Errorf("%s served a file outside the assets", p)
		}
	}
	if status, body := f.do(t, "GET", "/api/v1/suggest?prefix=区&n=50", "reader", nil, ""); status != 400 || errorCode(t, body) != "invalid_request" {
		t.Errorf("suggest n=50: %d %s", status, body)
	}
	if status, body := f.do(t, "GET", "/api/v1/findings/"+findingID+"/similar?size=0", "reader", nil, ""); status != 400 {
		t.Errorf("similar size=0: %d %s", status, body)
	}
	if status, _ := f.do(t, "GET", "/api/v1/tasks/task-999", "reader", nil, ""); status != 404 {
		t.Errorf("unknown task: %d", status)
	}
}

func TestQuoteCheckAndPrecedentsAPI(t *testing.T) {
	f := newFixture(t, nil)
	status, body := f.do(t, "POST", "/api/v1/quote-check", "reader", strings.NewReader(`{"text":"巡視工作堅持中央統一領導，分級負責"}`), "application/json")
	if status != 200 || !strings.Contains(string(body), "巡视工作坚持中央统一领导") || !strings.Contains(string(body), `"gbt7714"`) {
		t.Errorf("quote check: %d %.600s", status, body)
	}
	if status, body := f.do(t, "POST", "/api/v1/quote-check", "reader", strings.NewReader(`{"text":"巡视"}`), "application/json"); status != 400 {
		t.Errorf("short quotation: %d %s", status, body)
	}
	status, body = f.do(t, "POST", "/api/v1/precedents", "reader", strings.NewReader(`{"text":"个别干部在项目考察中接受企业宴请，违规吃喝"}`), "application/json")
	if status != 200 || !strings.Contains(string(body), "宴请") {
		t.Errorf("precedents: %d %.400s", status, body)
	}
}

func TestInspectionRoutes(t *testing.T) {
	f := newFixture(t, nil)
	status, body := f.do(t, "GET", "/api/v1/units/profile?unit="+url.QueryEscape("区委办公室"), "reader", nil, "")
	var p struct {
		Counts   corpus.StatusCounts
		Rate     float64 `json:"rectification_rate"`
		Mentions []HitJSON
	}
	if status != 200 || json.Unmarshal(body, &p) != nil || p.Counts.Found != 4 || p.Rate != 0.5 || len(p.Mentions) == 0 {
		t.Errorf("unit profile: %d %.500s", status, body)
	}
	status, body = f.do(t, "GET", "/api/v1/repeated", "reader", nil, "")
	if status != 200 || strings.Count(string(body), `"unit":`) != 8 {
		t.Errorf("repeated: %d %.300s", status, body)
	}
	status, body = f.do(t, "GET", "/api/v1/rounds/report?round="+url.QueryEscape("九届区委第十轮")+"&format=xlsx", "reader", nil, "")
	if status != 200 || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("xlsx report: %d", status)
	}
	status, body = f.do(t, "GET", "/api/v1/rounds/report?round="+url.QueryEscape("九届区委第十轮")+"&format=csv", "reader", nil, "")
	if status != 200 || strings.Count(string(body), "\n") != 18 {
		t.Errorf("csv report: %d, %d lines", status, strings.Count(string(body), "\n"))
	}
	for _, target := range []string{"/api/v1/units/profile", "/api/v1/units/profile?unit=nobody", "/api/v1/rounds/report?round=x", "/api/v1/rounds/report?round=" + url.QueryEscape("九届区委第十轮") + "&format=pdf"} {
		if status, _ := f.do(t, "GET", target, "reader", nil, ""); status != 400 && status != 404 {
			t.Errorf("%s: %d", target, status)
		}
	}
}

func TestEditionRoutes(t *testing.T) {
	f := newFixture(t, nil)
	status, body := f.do(t, "GET", "/api/v1/editions?work="+url.QueryEscape("中华人民共和国监察法"), "reader", nil, "")
	var eds struct{ Editions []corpus.EditionRef }
	if status != 200 || json.Unmarshal(body, &eds) != nil || len(eds.Editions) != 2 {
		t.Fatalf("editions: %d %s", status, body)
	}
	old, err := f.store.GetDocument(context.Background(), eds.Editions[0].DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	var pid string
	for _, p := range old.Paragraphs() {
		if p.Article == "第一条" {
			pid = p.ID
		}
	}
	status, body = f.do(t, "GET", "/api/v1/paragraphs/"+pid+"/compare?edition=2024", "reader", nil, "")
	var c corpus.ArticleComparison
	if status != 200 || json.Unmarshal(body, &c) != nil || c.ToArticle != "第一条" || len(c.Diff) == 0 {
		t.Errorf("compare: %d %.300s", status, body)
	}
	if status, _ := f.do(t, "GET", "/api/v1/paragraphs/"+pid+"/compare?edition=1999", "reader", nil, ""); status != 404 {
		t.Errorf("unknown edition: %d", status)
	}
}

// TestWebScriptParsesNoHTML keeps the page's safety rule: the script never
// hands a string to the HTML parser (the browser test checks the result
// with hostile documents; this catches a new innerHTML before it ships).
func TestWebScriptParsesNoHTML(t *testing.T) {
	src, err := webFiles.ReadFile("web/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser", "createContextualFragment", "setHTMLUnsafe"} {
		if strings.Contains(string(src), sink) {
			t.Errorf("app.js uses %s; build elements and set textContent instead", sink)
		}
	}
	html, _ := webFiles.ReadFile("web/index.html")
	if regexp.MustCompile(`<script>|\son[a-z]+=`).Match(html) {
		t.Error("index.html has inline script or event handlers, which the CSP forbids")
	}
}

// TestReindexRoute: an admin starts a reindex, follows its task to the end,
// and a second request while it runs gets 409; without a reindexer, 501.
func TestReindexRoute(t *testing.T) {
	release := make(chan struct{})
	f := newFixture(t, func(o *Options) {
		o.Reindex = func(ctx context.Context, progress func(done, total uint64)) error {
			progress(1, 2)
			<-release
			progress(2, 2)
			return nil
		}
	})
	status, body := f.do(t, "POST", Prefix+"/admin/reindex", "admin", nil, "")
	var task struct {
		ID, Kind, State string
		Done, Total     int
	}
	if status != 202 || json.Unmarshal(body, &task) != nil || task.Kind != "reindex" {
		t.Fatalf("start: %d %s", status, body)
	}
	if status, body := f.do(t, "POST", Prefix+"/admin/reindex", "admin", nil, ""); status != 409 || errorCode(t, body) != "conflict" {
		t.Errorf("second reindex while one runs: %d %s", status, body)
	}
	close(release)
	for deadline := time.Now().Add(5 * time.Second); task.State != "done"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("reindex task never finished: %+v", task)
		}
		_, body := f.do(t, "GET", Prefix+"/tasks/"+task.ID, "reader", nil, "")
		json.Unmarshal(body, &task)
	}
	if task.Done != 2 || task.Total != 2 {
		t.Errorf("finished task: %+v", task)
	}
	g := newFixture(t, nil)
	if status, body := g.do(t, "POST", Prefix+"/admin/reindex", "admin", nil, ""); status != 501 {
		t.Errorf("no reindexer: %d %s", status, body)
	}
}

// TestLexiconRoutes: an editor changes the lexicon with a reason and reads
// it back with its history; a change without a reason is 422; a preview
// answers what the previewer says, and 501 without one.
func TestLexiconRoutes(t *testing.T) {
	f := newFixture(t, func(o *Options) {
		o.PreviewLexicon = func(ctx context.Context, add, remove []string) (indexer.LexiconPreview, error) {
			return indexer.LexiconPreview{Candidates: len(add), Changed: len(remove), Samples: []indexer.PreviewSample{}}, nil
		}
	})
	status, body := f.do(t, "POST", Prefix+"/lexicon", "editor", strings.NewReader(`{"changes": [{"word": "数字形式主义"}], "why": "新提法"}`), "application/json")
	if status != 200 || !strings.Contains(string(body), `"version":1`) {
		t.Fatalf("change: %d %s", status, body)
	}
	status, body = f.do(t, "POST", Prefix+"/lexicon", "editor", strings.NewReader(`{"changes": [{"word": "过度留痕"}]}`), "application/json")
	if status != 422 || errorCode(t, body) != "invalid_input" || !strings.Contains(string(body), "say why") {
		t.Errorf("change without a reason: %d %s", status, body)
	}
	var lex LexiconResponse
	status, body = f.do(t, "GET", Prefix+"/lexicon", "reader", nil, "")
	if status != 200 || json.Unmarshal(body, &lex) != nil || lex.Version != 1 || len(lex.Words) != 1 || len(lex.History) != 1 || lex.History[0].Who != "test-editor" {
		t.Errorf("lexicon: %d %s", status, body)
	}
	status, body = f.do(t, "POST", Prefix+"/lexicon/preview", "editor", strings.NewReader(`{"add": ["数字形式主义", "过度留痕"], "remove": ["形式主义"]}`), "application/json")
	if status != 200 || !strings.Contains(string(body), `"candidates":2,"capped":false,"changed":1`) {
		t.Errorf("preview: %d %s", status, body)
	}
	status, body = f.do(t, "POST", Prefix+"/lexicon/preview", "editor", strings.NewReader(`{"add": ["`+strings.Repeat("巡", 40)+`"]}`), "application/json")
	if status != 422 {
		t.Errorf("preview of a 40-character word: %d %s", status, body)
	}
	g := newFixture(t, nil)
	if status, body := g.do(t, "POST", Prefix+"/lexicon/preview", "editor", strings.NewReader(`{"add": ["数字形式主义"]}`), "application/json"); status != 501 {
		t.Errorf("no previewer: %d %s", status, body)
	}
}

// TestSynonymsEdit: the synonym file is shown, a malformed edit is refused
// naming its line and changes nothing, a good one is stored under a version
// and expands the next query.
func TestSynonymsEdit(t *testing.T) {
	var applied int
	var f *fixture
	f = newFixture(t, func(o *Options) {
		o.ApplySynonyms = func(ctx context.Context) error {
			applied++
			cur, err := f.store.Synonyms(ctx)
			if err != nil {
				return err
			}
			syn, err := indexer.ParseSynonyms(strings.NewReader(cur.Text), "store")
			if err != nil {
				return err
			}
			f.index.SetSynonyms(syn)
			return nil
		}
	})
	status, body := f.do(t, "GET", "/api/v1/synonyms", "reader", nil, "")
	var cur SynonymsResponse
	if status != 200 || json.Unmarshal(body, &cur) != nil || cur.Source != "embedded" || !strings.Contains(cur.Text, "四风") {
		t.Fatalf("GET: %d %.300s", status, body)
	}
	total := func(q string) int {
		_, body := f.do(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), "reader", nil, "")
		var res struct{ Total int }
		json.Unmarshal(body, &res)
		return res.Total
	}
	literal, widened := total("巡察整改"), total("整改")
	if literal == 0 || widened <= literal {
		t.Fatalf("fixture: 巡察整改 %d hits, 整改 %d", literal, widened)
	}
	bad := `{"text": "巡察整改\n", "why": "x"}`
	if status, body := f.do(t, "PUT", "/api/v1/synonyms", "editor", strings.NewReader(bad), "application/json"); status != 400 || !strings.Contains(string(body), "line 1") {
		t.Errorf("malformed file: %d %s", status, body)
	}
	if status, _ := f.do(t, "PUT", "/api/v1/synonyms", "editor", strings.NewReader(`{"text": "巡察整改 => 整改\n"}`), "application/json"); status != 422 {
		t.Errorf("no why: %d, want 422", status)
	}
	if applied != 0 || total("巡察整改") != literal {
		t.Fatalf("a refused edit changed something")
	}
	if status, body := f.do(t, "PUT", "/api/v1/synonyms", "editor", strings.NewReader(`{"text": "巡察整改 => 整改\n", "why": "测试"}`), "application/json"); status != 200 || !strings.Contains(string(body), `"version":1`) {
		t.Fatalf("edit: %d %s", status, body)
	}
	if got := total("巡察整改"); applied != 1 || got != widened {
		t.Errorf("after the edit 巡察整改 finds %d, want %d (as 整改)", got, widened)
	}
	status, body = f.do(t, "GET", "/api/v1/synonyms", "reader", nil, "")
	if json.Unmarshal(body, &cur) != nil || cur.Source != "store" || cur.Version != 1 || cur.Why != "测试" || !strings.HasPrefix(cur.Who, "test-editor") {
		t.Errorf("GET after the edit: %d %s", status, body)
	}
}
