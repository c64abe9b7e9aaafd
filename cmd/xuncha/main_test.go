package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/pgtest"
)

// TestMain lets the test binary stand in for xuncha in the child processes
// it starts (pdf-extract, and import and serve under bench): given a command
// instead of test flags, it runs it.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// lineWriter passes each complete line written to it into a channel.
type lineWriter struct {
	lines chan string
	buf   bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		w.lines <- strings.TrimRight(line, "\n")
	}
}

// TestServeEndToEnd runs the whole program: serve on port 0 over an empty
// data directory (demo corpus loaded, first token printed), upload a file,
// search it, shut down cleanly.
func TestServeEndToEnd(t *testing.T) {
	base, token := startServe(t, t.TempDir())
	client := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path string, body io.Reader, contentType string) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if status, _ := call("GET", "/readyz", nil, ""); status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, _ := w.CreateFormFile("file", "端到端测试通知.txt")
	part.Write([]byte("端到端测试通知\n全区开展端到端核查工作。"))
	w.Close()
	status, body := call("POST", "/api/v1/documents", &buf, w.FormDataContentType())
	if status != 202 {
		t.Fatalf("upload: %d %s", status, body)
	}
	var found bool
	for deadline := time.Now().Add(20 * time.Second); !found && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, body = call("GET", "/api/v1/search?q=端到端核查", nil, "")
		found = strings.Contains(string(body), "端到端测试通知")
	}
	if !found {
		t.Fatalf("uploaded file not found by search: %s", body)
	}
	status, body = call("GET", "/api/v1/search?q=形式主义&group_by=unit", nil, "")
	var res struct{ Groups []struct{ Value string } }
	if status != 200 || json.Unmarshal(body, &res) != nil || len(res.Groups) == 0 {
		t.Errorf("grouped search over the demo: %d %s", status, body)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"addr": "127.0.0.1:8080", "colour": "red"}`), 0o600)
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--addr", "nonsense"}, nil, "addr"},
		{[]string{"--max-upload", "-5"}, nil, "max-upload"},
		{[]string{"--log-level", "loud"}, nil, "log-level"},
		{nil, map[string]string{"XUNCHA_RATE": "fast"}, "XUNCHA_RATE"},
		{nil, map[string]string{"XUNCHA_READ_TIMEOUT": "-1s"}, "XUNCHA_READ_TIMEOUT"},
		{[]string{"--config", bad}, nil, `unknown setting "colour"`},
		{[]string{"--config", filepath.Join(dir, "missing.json")}, nil, "config file"},
		{[]string{"--user-dict", filepath.Join(dir, "nope.txt")}, nil, "user-dict"},
		{[]string{"--store", "mysql://u:hunter2@db/x"}, nil, "store"},
		{nil, map[string]string{"XUNCHA_QUERY_CACHE": "-1"}, "XUNCHA_QUERY_CACHE"},
		{[]string{"--index-memory", "lots"}, nil, "index-memory"},
		{[]string{"--index-memory", "100MiB"}, nil, "index-memory"},
		{nil, map[string]string{"XUNCHA_INDEX_MEMORY": "-2GiB"}, "XUNCHA_INDEX_MEMORY"},
		{nil, map[string]string{"XUNCHA_INDEX_MEMORY": "99999999TiB"}, "XUNCHA_INDEX_MEMORY"},
	}
	for _, tt := range tests {
		env := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
		_, _, err := loadConfig("serve", tt.args, env, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v %v: %v, want an error naming %s (and no password)", tt.args, tt.env, err, tt.want)
		}
	}
	// Precedence: flag over environment over file over default.
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"addr": "127.0.0.1:1", "rate": 7, "burst": 9}`), 0o600)
	env := func(k string) (string, bool) {
		if k == "XUNCHA_ADDR" {
			return "127.0.0.1:2", true
		}
		return "", false
	}
	c, _, err := loadConfig("serve", []string{"--config", good, "--public-reads", "--burst", "11"}, env, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2" || c.RatePerSecond != 7 || c.Burst != 11 || c.DataDir != "data" || !c.PublicReads || c.IndexMemory != 2<<30 {
		t.Errorf("precedence: %+v", c)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"analyze", "--mode=nope", "x"}, {"serve", "extra-arg"}} {
		err := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestImportAndSearchCLI(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	t.Setenv("XUNCHA_NO_DEMO", "true")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "规定.md"), []byte("# 关于规范公务接待的规定\n\n第一条 严禁超标准接待。\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "坏文件.docx"), []byte("not a zip"), 0o600)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"import", dir}, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "imported 1, skipped as duplicates 0, rejected 1") || !strings.Contains(out.String(), "坏文件.docx") {
		t.Errorf("import summary:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"search", "--json", "超标准接待"}, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Total int
		Hits  []struct{ Title, Snippet string }
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Total != 1 || !strings.Contains(res.Hits[0].Snippet, "<mark>超标准接待</mark>") {
		t.Errorf("search --json: %v\n%s", err, out.String())
	}
}

// TestBench runs the capacity benchmark on two files for a second: the
// table comes out, with no errors.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.md"), []byte("# 中华人民共和国行政处罚法\n\n第一条 人民法院依法审理行政处罚案件。\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("关于形式主义问题的通报\n区委办公室存在形式主义问题。\n"), 0o600)
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "--corpus", dir, "--duration", "1s", "--connections", "4"}, strings.NewReader(""), &out, io.Discard)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out.String())
	}
	for _, want := range []string{`paragraphs imported\s+3\b`, `import \+ index, paragraphs/s\s+[1-9]`, `QPS\s+[1-9]`, `latency p99\s+[0-9.]+ ms`, `(?m)^\s*errors\s+0\s*$`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("bench table lacks %q:\n%s", want, out.String())
		}
	}

	// Twice on one --data directory: the second run imports nothing and
	// says so, instead of a rate of the first run's paragraphs over no
	// time.
	data := t.TempDir()
	for i, want := range [][]string{
		{`paragraphs imported\s+3\b`, `import \+ index, paragraphs/s\s+[1-9]`},
		{`paragraphs imported\s+0\b`, `paragraphs indexed\s+3\b`, `import \+ index, paragraphs/s\s+— \(nothing new`},
	} {
		out.Reset()
		if err := run(context.Background(), []string{"bench", "--corpus", dir, "--duration", "300ms", "--connections", "2", "--data", data}, strings.NewReader(""), &out, io.Discard); err != nil {
			t.Fatalf("bench --data, run %d: %v\n%s", i+1, err, out.String())
		}
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(out.String()) {
				t.Errorf("bench --data, run %d: the table lacks %q:\n%s", i+1, w, out.String())
			}
		}
	}

	// At a target rate: about rate × duration queries, never more than
	// were due, and the service time beside the latency.
	out.Reset()
	err = run(context.Background(), []string{"bench", "--corpus", dir, "--duration", "2s", "--connections", "4", "--rate", "25"}, strings.NewReader(""), &out, io.Discard)
	if err != nil {
		t.Fatalf("bench --rate: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`(?m)^\s*queries\s+(\d+)\s*$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("bench --rate: no query count:\n%s", out.String())
	}
	if n, _ := strconv.Atoi(m[1]); n < 30 || n > 51 {
		t.Errorf("bench --rate 25 for 2 s sent %d queries, want about 50 (never more than 51 due)", n)
	}
	for _, want := range []string{`target rate, QPS\s+25\b`, `service time p99\s+[0-9.]+ ms`, `(?m)^\s*errors\s+0\s*$`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("bench --rate table lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(context.Background(), []string{"bench", "--corpus", dir, "--rate", "-1"}, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Error("bench --rate -1 was accepted")
	}
}

// TestDamagedIndexIsRebuilt: an index whose files are damaged is reported
// and rebuilt from the store; nothing stored is lost.
func TestDamagedIndexIsRebuilt(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XUNCHA_DATA", data)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"stats"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "规定.md"), []byte("# 关于规范公务接待的规定\n\n第一条 严禁超标准接待。\n"), 0o600)
	if err := run(context.Background(), []string{"import", dir}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	// Damage every file of the live index generation.
	gens, _ := filepath.Glob(filepath.Join(data, "index", "gen-*"))
	if len(gens) == 0 {
		t.Fatal("no index generation")
	}
	filepath.WalkDir(gens[0], func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.WriteFile(p, []byte("garbage"), 0o600)
		}
		return nil
	})
	var logs bytes.Buffer
	out.Reset()
	if err := run(context.Background(), []string{"search", "--json", "超标准接待"}, nil, &out, &logs); err != nil {
		t.Fatalf("search over a damaged index: %v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "rebuilding it from the store") {
		t.Errorf("the damage was not reported:\n%s", logs.String())
	}
	if !strings.Contains(out.String(), `"total": 1`) {
		t.Errorf("after the rebuild the document is not found:\n%s", out.String())
	}
}

// TestResearchCLI: report, profile, quote and cite from the command line,
// over the demo's regulations and ledger.
func TestResearchCLI(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	t.Setenv("XUNCHA_NO_DEMO", "true")
	ctx := context.Background()
	if err := run(ctx, []string{"import", "../../corpus/demo/data/regulations", "../../corpus/demo/data/示例巡察问题台账.csv"}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	xlsx := filepath.Join(t.TempDir(), "r.xlsx")
	if err := run(ctx, []string{"report", "--xlsx", xlsx, "九届区委第十轮"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "17 found, 5 rectified, 6 in progress, 4 not started, 2 ongoing") {
		t.Errorf("report:\n%s", out.String())
	}
	if info, err := os.Stat(xlsx); err != nil || info.Size() == 0 {
		t.Errorf("no XLSX written: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"profile", "区委办公室"}, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), `"found": 4`) {
		t.Errorf("profile: %v\n%.300s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"quote", "中華人民共和國國家監察委員會是最高監察機關"}, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "全国人民代表大会. 中华人民共和国监察法[EB/OL].") {
		t.Errorf("quote: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"search", "--json", "国家监察委员会是最高监察机关"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res struct{ Hits []struct{ ID string } }
	if json.Unmarshal(out.Bytes(), &res) != nil || len(res.Hits) == 0 {
		t.Fatalf("search: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"cite", "--format", "plain", res.Hits[0].ID}, nil, &out, io.Discard); err != nil || strings.TrimSpace(out.String()) != "《中华人民共和国监察法》第七条" {
		t.Errorf("cite: %v %q", err, out.String())
	}
}

// TestLexiconCLI: a word added with xuncha lexicon is recorded with why,
// exported, and on the next start becomes part of the analysis (the index
// is rebuilt for it); a change without a reason is refused.
func TestLexiconCLI(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	t.Setenv("XUNCHA_NO_DEMO", "true")
	ctx := context.Background()
	var out, logs bytes.Buffer
	if err := run(ctx, []string{"lexicon", "add", "数字形式主义"}, nil, &out, io.Discard); err == nil || !strings.Contains(err.Error(), "say why") {
		t.Fatalf("a change without --why: %v", err)
	}
	if err := run(ctx, []string{"lexicon", "add", "--why", "2024年新提法", "数字形式主义"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"lexicon", "remove", "--why", "测试", "形式主义官僚主义"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"lexicon", "export"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := "# version: v2\n# removed: 形式主义官僚主义\n数字形式主义\n"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("export:\n%s\nwant it to end with\n%s", out.String(), want)
	}
	out.Reset()
	if err := run(ctx, []string{"lexicon", "list", "--history"}, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "2024年新提法") {
		t.Errorf("history: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"stats"}, nil, &out, &logs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "store@v2") {
		t.Errorf("the analysis does not include the stored lexicon:\n%s", out.String())
	}
}

// TestLexiconAppliedWhileServing: a word added over HTTP is applied by the
// running server (a task re-indexes the passages containing it); a search
// finds the same passages before and after; a restart opens the index as it
// is, with no rebuild, because the index recorded the new analysis.
func TestLexiconAppliedWhileServing(t *testing.T) {
	dir := t.TempDir()
	srv := startChild(t, dir, unlimited...)
	c := apiClient{t, srv.Base, srv.Token}
	c.upload(map[string]string{"数字形式主义通报.txt": "关于纠治数字形式主义的通报\n有的单位政务应用过多过滥，滋生数字形式主义。\n"}, `"数字形式主义"`, 2)
	var before struct{ Total int }
	c.do("GET", "/api/v1/search?q="+url.QueryEscape("数字形式主义"), nil, "", &before)
	var resp struct {
		Version uint64
		Task    struct{ ID string }
	}
	if status := c.do("POST", "/api/v1/lexicon", strings.NewReader(`{"changes": [{"word": "数字形式主义"}], "why": "新提法"}`), "application/json", &resp); status != 202 || resp.Task.ID == "" {
		t.Fatalf("lexicon change: status %d, %+v", status, resp)
	}
	var task struct {
		State, Error string
		Done, Total  int
	}
	for deadline := time.Now().Add(30 * time.Second); task.State != "done"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) || task.State == "failed" {
			t.Fatalf("lexicon task: %+v", task)
		}
		c.do("GET", "/api/v1/tasks/"+resp.Task.ID, nil, "", &task)
	}
	if task.Done < 2 || task.Done != task.Total {
		t.Errorf("the change re-indexed %d of %d passages, want the 2+ containing the word", task.Done, task.Total)
	}
	var after struct{ Total int }
	c.do("GET", "/api/v1/search?q="+url.QueryEscape("数字形式主义"), nil, "", &after)
	if after.Total != before.Total || before.Total < 2 {
		t.Errorf("search found %d before the change and %d after", before.Total, after.Total)
	}
	srv.Stop()
	srv = startChild(t, dir, unlimited...)
	defer srv.Stop()
	if logs := srv.stderr.String(); strings.Contains(logs, "rebuilding") {
		t.Errorf("the restart rebuilt the index:\n%s", logs)
	}
}

// TestLexiconChangedWhileStopped: a word added with xuncha lexicon while no
// server runs is applied at the next start by re-indexing only the passages
// containing it, not by rebuilding the index.
func TestLexiconChangedWhileStopped(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	t.Setenv("XUNCHA_NO_DEMO", "true")
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("关于纠治数字形式主义的通报\n有的单位滋生数字形式主义。\n另一段没有这个词。\n"), 0o600)
	if err := run(ctx, []string{"import", dir}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"lexicon", "add", "--why", "新提法", "数字形式主义"}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out, logs bytes.Buffer
	if err := run(ctx, []string{"check"}, nil, &out, &logs); err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), "rebuilding") || !strings.Contains(logs.String(), "applied the lexicon changes") || !strings.Contains(logs.String(), "passages=2") {
		t.Errorf("the next start did not apply just the change:\n%s", logs.String())
	}
	logs.Reset()
	if err := run(ctx, []string{"stats"}, nil, &out, &logs); err != nil || strings.Contains(logs.String(), "applied the lexicon") || strings.Contains(logs.String(), "rebuilding") {
		t.Errorf("a second start did more work: %v\n%s", err, logs.String())
	}
}

// TestLexiconSuggestCLI: a term the segmenter splits, frequent in varied
// contexts of the imported text, is suggested with its current cut.
func TestLexiconSuggestCLI(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	t.Setenv("XUNCHA_NO_DEMO", "true")
	ctx := context.Background()
	var text strings.Builder
	text.WriteString("关于纠治新问题的通报\n")
	verbs := []string{"滋生", "存在", "出现", "纠治", "整治", "查处", "警惕", "反对"}
	for i, v := range verbs {
		fmt.Fprintf(&text, "第%d个单位%s数字形式主义，问题%s。\n", i+1, v, []string{"突出", "严重", "反弹", "明显", "普遍", "隐蔽", "多发", "顽固"}[i])
		fmt.Fprintf(&text, "第%d条 巡察组应当对被巡察党组织落实整改主体责任情况开展督促检查。\n", i+1)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(text.String()), 0o600)
	if err := run(ctx, []string{"import", dir}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"lexicon", "suggest", "--json", "--n", "3"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var words []struct {
		Word  string
		Count int
		Cut   []string
	}
	if err := json.Unmarshal(out.Bytes(), &words); err != nil || len(words) == 0 || words[0].Word != "数字形式主义" || words[0].Count != 8 {
		t.Errorf("suggestions: %v %s", err, out.String())
	}
}

// TestSynonymsCLI: a malformed file is refused naming its line; a good one
// is stored and shown, and the next start expands queries with it.
func TestSynonymsCLI(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"synonyms", "show"}, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "四风") || !strings.Contains(errOut.String(), "embedded") {
		t.Fatalf("show: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.txt"), filepath.Join(dir, "good.txt")
	os.WriteFile(bad, []byte("# 同义词\n四风, 形式主义\n只有一个词\n"), 0o600)
	os.WriteFile(good, []byte("文山会海 => 精简会议文件\n"), 0o600)
	if err := run(ctx, []string{"synonyms", "set", "--why", "测试", bad}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("malformed file: %v, want an error naming line 3", err)
	}
	if err := run(ctx, []string{"synonyms", "set", good}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "why") {
		t.Errorf("no --why: %v", err)
	}
	if err := run(ctx, []string{"synonyms", "set", "--why", "测试", good}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"synonyms", "show"}, nil, &out, &errOut); err != nil || out.String() != "文山会海 => 精简会议文件\n" || !strings.Contains(errOut.String(), "version 1") {
		t.Errorf("show after set: %v\n%s\n%s", err, out.String(), errOut.String())
	}
}

// TestBackupRestoreRefusedOnPostgres: backup and restore cover the
// embedded store; with a PostgreSQL store they say to use its tools and
// touch nothing.
func TestBackupRestoreRefusedOnPostgres(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XUNCHA_DATA", dir)
	t.Setenv("XUNCHA_STORE", "postgres://xuncha@127.0.0.1:1/xuncha")
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	for _, args := range [][]string{{"backup", file}, {"restore", file}} {
		err := run(context.Background(), args, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
			t.Errorf("%v: %v, want a refusal naming PostgreSQL", args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the data directory was written: %v", entries)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a backup file was written: %v", err)
	}
}

// TestUnreachableStore: a PostgreSQL store that does not answer stops the
// start with a message naming it, and no password.
func TestUnreachableStore(t *testing.T) {
	t.Setenv("XUNCHA_DATA", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store", "postgres://xuncha:hunter2@127.0.0.1:1/xuncha"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "open store: postgres xuncha@127.0.0.1/xuncha") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("serve on an unreachable store: %v", err)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1073741824": 1 << 30, "2GiB": 2 << 30, "4096MiB": 4 << 30, " 3 GiB ": 3 << 30, "1TiB": 1 << 40, "8KiB": 8 << 10} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "2GB", "-1", "1.5GiB", "9223372036854775807KiB"} {
		if got, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", in, got)
		}
	}
}
