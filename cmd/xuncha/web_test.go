package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The web page tested end to end in headless Chromium (Debian's chromium
// package, installed by .ci/run), driven by chromedp, against the xuncha
// binary serving the demo corpus in a child process. Screenshots of the
// main views are written to $XUNCHA_ARTIFACTS (default: a directory under
// the system's temp dir, named in the log).

// chromiumPath finds a Chromium or Chrome executable. Without one the test
// is skipped, except under CI=true, where .ci/run installs it and its
// absence is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("XUNCHA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found under CI=true: .ci/run installs Debian's chromium package; set XUNCHA_CHROMIUM to use another")
	}
	t.Skip("browser tests need Chromium: install Debian's chromium package (apt-get install chromium) or set XUNCHA_CHROMIUM")
	return ""
}

// serveChild runs the xuncha binary (the test binary standing in for it, see
// TestMain) serving the demo corpus from an empty data directory, and
// returns its address and first admin token.
func serveChild(t *testing.T) (base, token string) {
	t.Helper()
	srv := startChild(t, t.TempDir())
	t.Cleanup(func() {
		if !srv.Stop() {
			t.Error("serve did not stop on an interrupt")
		}
	})
	return srv.Base, srv.Token
}

// startChild starts xuncha serve on dataDir in a child process and waits
// until it is ready (its index caught up with the store).
func startChild(t *testing.T, dataDir string, args ...string) *serverProcess {
	t.Helper()
	var stderr syncBuffer
	srv, err := startServer(context.Background(), os.Args[0], append(os.Environ(), "XUNCHA_DATA="+dataDir), &stderr, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := waitReady(ctx, http.DefaultClient, srv.Base); err != nil {
		srv.Stop()
		t.Fatalf("%v: %s", err, stderr.String())
	}
	srv.stderr = &stderr
	return srv
}

// syncBuffer is a bytes.Buffer safe for a child's writes and the test's
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// apiClient calls the JSON API with a token.
type apiClient struct {
	t           *testing.T
	base, token string
}

func (c apiClient) do(method, path string, body io.Reader, contentType string, out any) int {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

// upload imports files through the API and waits until query finds them.
func (c apiClient) upload(files map[string]string, query string, want int) {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for name, content := range files {
		part, _ := w.CreateFormFile("file", name)
		part.Write([]byte(content))
	}
	w.Close()
	if status := c.do("POST", "/api/v1/documents", &buf, w.FormDataContentType(), nil); status != 202 {
		c.t.Fatalf("upload: status %d", status)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var res struct{ Total int }
		c.do("GET", "/api/v1/search?q="+url.QueryEscape(query), nil, "", &res)
		if res.Total >= want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("uploaded files not searchable by %q (%d of %d)", query, res.Total, want)
		}
	}
}

// page is one browser tab on the server.
type page struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.fail("%v", err)
	}
}

func (p *page) fail(format string, args ...any) {
	p.t.Helper()
	p.shot("failure-" + regexp.MustCompile(`\W+`).ReplaceAllString(p.t.Name(), "_"))
	loc, _ := chromedp.Run(p.ctx, chromedp.Location())
	p.t.Fatalf("at %s: %s", loc, fmt.Sprintf(format, args...))
}

// eval runs a JavaScript expression and decodes its value.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail("evaluating %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript condition until it holds.
func (p *page) wait(cond string) {
	p.t.Helper()
	// A condition that throws while the view is being rebuilt is not yet true.
	js := `(() => { try { return (` + cond + `); } catch (e) { return false; } })()`
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		p.fail("waiting for %s: %v", cond, err)
	}
}

// choose picks an option of a select element, as a person does.
func (p *page) choose(selector, value string) {
	p.t.Helper()
	eval[bool](p, `(() => { const s = document.querySelector(`+jsString(selector)+`); s.value = `+jsString(value)+
		`; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
}

// shot saves a full-page screenshot as an artifact.
func (p *page) shot(name string) {
	b, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	f := filepath.Join(p.shots, name+".png")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

func openBrowser(t *testing.T, base string) *page {
	exe := chromiumPath(t)
	shots := os.Getenv("XUNCHA_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "xuncha-artifacts")
	}
	shots = filepath.Join(shots, "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	p := &page{t: t, ctx: ctx, base: base, shots: shots}
	// Let the page write and read the clipboard, as a person's click does.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: base})
		if err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
	return p
}

// login opens the page with no token, which must ask for one, and saves
// the token as a person does in the token panel.
func (p *page) login(token string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base + "/"))
	p.wait(`!document.querySelector("#token-panel").hidden && document.activeElement.id === "token" && document.querySelector("#token-panel .error") !== null`)
	p.do(
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.CSS(`#token-form button[type=submit]`)))
	p.wait(`localStorage.getItem("xuncha.token") === "` + token + `" && document.querySelector("#token-panel").hidden`)
}

func (p *page) navigate(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base + path))
}

// xssFree checks that no payload ran and no payload markup became an element.
func (p *page) xssFree(where string) {
	p.t.Helper()
	if v := eval[string](p, `String(window.__xss)`); v != "undefined" {
		p.fail("%s: a payload ran (window.__xss = %s)", where, v)
	}
	if n := eval[int](p, `document.querySelectorAll("main img, main script, main b, main iframe, main [onerror], main [onmouseover]").length`); n != 0 {
		p.fail("%s: %d elements came from document text", where, n)
	}
}

func TestWebPage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: not in -short")
	}
	chromiumPath(t) // skip early, before starting the server
	base, token := serveChild(t)
	c := apiClient{t, base, token}
	// Hostile documents: markup and script in file names, titles and text.
	c.upload(map[string]string{
		`<img src=x onerror=window.__xss=1>.txt`: "<script>window.__xss=2</script>注入标题\n" +
			`防注入核查：</mark><img src=x onerror="window.__xss=3"> 和 <b onmouseover="window.__xss=4">粗体</b>，onerror=alert(5)。` + "\n",
		`page.html`: `<html><head><title>&lt;script&gt;window.__xss=6&lt;/script&gt;网页注入</title></head>` +
			`<body><p>防注入核查网页：&lt;/mark&gt;&lt;img src=x onerror=window.__xss=7&gt;</p><script>window.__xss=8</script></body></html>`,
	}, "防注入核查", 2)

	p := openBrowser(t, base)
	p.login(token)

	t.Run("overview", func(t *testing.T) {
		p.t = t
		p.navigate("/")
		p.wait(`document.querySelectorAll(".overview .stats dd").length >= 3`)
		if n := eval[int](p, `Number(document.querySelector(".overview .stats dd").textContent)`); n < 24 {
			p.fail("overview shows %d documents, the demo has 24 and more", n)
		}
		p.shot("01-overview")
	})

	t.Run("suggestion, results, facet, back", func(t *testing.T) {
		p.t = t
		p.do(chromedp.Click(chromedp.ID("q")), chromedp.SendKeys(chromedp.ID("q"), "形式"))
		p.wait(`!document.querySelector("#suggestions").hidden && document.querySelectorAll("#suggestions li").length > 0`)
		first := eval[string](p, `document.querySelector("#suggestions li span").textContent`)
		if !strings.HasPrefix(first, "形式") {
			p.fail("first suggestion %q does not complete 形式", first)
		}
		p.shot("02-suggestions")
		p.do(chromedp.KeyEvent(kb.ArrowDown))
		if sel := eval[string](p, `document.querySelector("#q").getAttribute("aria-activedescendant")`); sel != "sugg-0" {
			p.fail("ArrowDown selected %q, want the first suggestion", sel)
		}
		p.do(chromedp.KeyEvent(kb.Enter))
		p.wait(`new URLSearchParams(location.search).get("q") === ` + jsString(first))
		p.wait(`document.querySelectorAll(".hits .hit").length > 0`)
		if n := eval[int](p, `document.querySelectorAll(".hits .hit .snippet mark").length`); n == 0 {
			p.fail("results for %q have no marked terms", first)
		}
		var api struct{ Total int }
		c.do("GET", "/api/v1/search?q="+url.QueryEscape(first), nil, "", &api)
		if shown := eval[string](p, `document.querySelector(".status").textContent`); !strings.Contains(shown, fmt.Sprint(api.Total)) {
			p.fail("status %q does not give the API's total %d", shown, api.Total)
		}
		p.shot("03-results")
		// Page 2 continues the numbering and shows other hits.
		page1 := eval[string](p, `Array.from(document.querySelectorAll(".hits .hit-title")).map(a => a.getAttribute("href")).join(" ")`)
		if api.Total <= 20 {
			p.fail("the demo gives %d hits for %q; the pager test needs more than a page", api.Total, first)
		}
		{
			p.do(chromedp.Click(chromedp.CSS(`.pager a[rel="next"]`)))
			p.wait(`new URLSearchParams(location.search).get("page") === "2" && document.querySelector("ol.hits").start === 21`)
			for _, h := range eval[[]string](p, `Array.from(document.querySelectorAll(".hits .hit-title")).map(a => a.getAttribute("href"))`) {
				if strings.Contains(" "+page1+" ", " "+h+" ") {
					p.fail("page 2 repeats %s from page 1", h)
				}
			}
			p.do(chromedp.NavigateBack())
			p.wait(`new URLSearchParams(location.search).get("page") === null && document.querySelectorAll(".hits .hit").length > 0`)
		}

		// Narrow by the first unit in the sidebar.
		unit := eval[string](p, `document.querySelector('a[data-facet="unit"] .v').textContent`)
		count := eval[int](p, `Number(document.querySelector('a[data-facet="unit"] .n').textContent)`)
		p.do(chromedp.Click(chromedp.CSS(`a[data-facet="unit"]`)))
		p.wait(`new URLSearchParams(location.search).get("unit") === ` + jsString(unit) + ` && document.querySelector(".chip") !== null`)
		p.wait(`document.querySelectorAll(".hits .hit").length === ` + fmt.Sprint(min(count, 20)))
		metas := eval[[]string](p, `Array.from(document.querySelectorAll(".hits .hit .meta")).map(m => m.textContent)`)
		for _, m := range metas {
			if !strings.Contains(m, unit) {
				p.fail("after the facet %s, a hit reads %q", unit, m)
			}
		}
		p.shot("04-facet")
		p.do(chromedp.NavigateBack())
		p.wait(`new URLSearchParams(location.search).get("unit") === null && document.querySelector(".chip") === null && document.querySelectorAll(".hits .hit").length > 0`)
		p.do(chromedp.NavigateForward())
		p.wait(`document.querySelector(".chip") !== null`)

		// Newest first.
		p.choose("#sort", "newest")
		p.wait(`new URLSearchParams(location.search).get("sort") === "newest" && document.querySelectorAll(".hits .hit").length > 0`)
		dates := eval[[]string](p, `Array.from(document.querySelectorAll(".hits .hit .meta")).map(m => (m.textContent.match(/\d{4}-\d{2}-\d{2}/) || [""])[0])`)
		for i := 1; i < len(dates); i++ {
			if dates[i] != "" && dates[i-1] < dates[i] {
				p.fail("sorted newest first, yet %s comes before %s", dates[i-1], dates[i])
			}
		}
	})

	t.Run("by unit chart", func(t *testing.T) {
		p.t = t
		p.navigate("/?q=" + url.QueryEscape("形式主义") + "&view=units")
		p.wait(`document.querySelectorAll("#units-chart .bar-row").length > 0`)
		var api struct {
			Groups []struct {
				Value string
				Count int
			}
		}
		c.do("GET", "/api/v1/search?group_by=unit&group_size=1&size=30&q="+url.QueryEscape("形式主义"), nil, "", &api)
		bars := eval[[]string](p, `Array.from(document.querySelectorAll("#units-chart .bar-row")).map(b => b.dataset.value + "=" + b.querySelector(".bar-count").textContent)`)
		if len(bars) != len(api.Groups) {
			p.fail("chart has %d bars, the API %d units", len(bars), len(api.Groups))
		}
		for i, g := range api.Groups {
			if want := fmt.Sprintf("%s=%d 条", g.Value, g.Count); bars[i] != want {
				p.fail("bar %d is %q, want %q", i, bars[i], want)
			}
		}
		if n := eval[int](p, `document.querySelectorAll("#rounds-chart .bar-row").length`); n == 0 {
			p.fail("no per-round chart")
		}
		p.shot("05-by-unit")
		p.do(chromedp.Click(chromedp.CSS("#units-chart .bar-row")))
		p.wait(`new URLSearchParams(location.search).get("unit") === ` + jsString(api.Groups[0].Value) + ` && document.querySelectorAll(".hits .hit").length === ` + fmt.Sprint(min(api.Groups[0].Count, 20)))
	})

	t.Run("document at a paragraph, copy citation", func(t *testing.T) {
		p.t = t
		p.navigate("/?q=" + url.QueryEscape(`"政治巡察"`) + "&kind=speech")
		p.wait(`document.querySelectorAll(".hits .hit").length > 0`)
		target := eval[string](p, `document.querySelector(".hits .hit-title").getAttribute("href")`)
		p.do(chromedp.Click(chromedp.CSS(".hits .hit-title")))
		anchor := target[strings.LastIndex(target, "#")+1:]
		p.wait(`document.querySelector(".para.target") !== null && location.pathname.startsWith("/d/")`)
		if id := eval[string](p, `document.querySelector(".para.target").id`); id != anchor {
			p.fail("the paragraph shown is %q, the hit was %q", id, anchor)
		}
		if n := eval[int](p, `document.querySelectorAll(".para.target mark").length`); n == 0 {
			p.fail("the target paragraph has no marked terms")
		}
		if n := eval[int](p, `document.querySelectorAll(".toc .outline li").length`); n == 0 {
			p.fail("the speech has no outline")
		}
		p.shot("06-document")
		pid := eval[string](p, `document.querySelector(".para.target button.cite").dataset.paragraph`)
		var para struct{ Citation struct{ GBT7714 string } }
		c.do("GET", "/api/v1/paragraphs/"+url.PathEscape(pid), nil, "", &para)
		p.do(chromedp.Click(chromedp.CSS(".para.target button.cite")))
		p.wait(`document.querySelector("#toast").textContent.startsWith("已复制引用")`)
		if got := eval[string](p, `navigator.clipboard.readText()`); got != para.Citation.GBT7714 || got == "" {
			p.fail("clipboard holds %q, want the citation %q", got, para.Citation.GBT7714)
		}
	})

	t.Run("quote check", func(t *testing.T) {
		p.t = t
		var res struct {
			Hits []struct{ ID, Text string }
		}
		c.do("GET", "/api/v1/search?size=1&q="+url.QueryEscape(`"政治巡察" 类型:讲话`), nil, "", &res)
		if len(res.Hits) == 0 {
			t.Fatal("no speech paragraph on 政治巡察 in the demo")
		}
		runes := []rune(res.Hits[0].Text)
		quote := string(runes[:min(len(runes), 30)])
		p.navigate("/quote")
		p.do(chromedp.SendKeys(chromedp.ID("quote-text"), quote), chromedp.Click(chromedp.CSS(".quote-form button")))
		p.wait(`document.querySelectorAll(".quotes .hit").length > 0`)
		if v := eval[string](p, `document.querySelector(".quotes .hit .badge").textContent`); v != "原文一致" {
			p.fail("a quotation copied from the text is judged %q", v)
		}
		if m := eval[string](p, `document.querySelector(".quotes .hit .snippet mark").textContent`); m != quote {
			p.fail("the marked source is %q, want the quotation %q", m, quote)
		}
		p.shot("07-quote-check")
		// One character changed: found as a near quotation, the difference named.
		near := string(runes[:10]) + "某" + string(runes[11:min(len(runes), 30)])
		p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#quote-text").value = ""`),
			chromedp.SendKeys(chromedp.ID("quote-text"), near), chromedp.Click(chromedp.CSS(".quote-form button")))
		p.wait(`document.querySelector(".quotes .hit .badge") !== null && document.querySelector(".quotes .hit .badge").textContent.startsWith("有出入")`)
		if d := eval[string](p, `document.querySelector(".quotes .diffs li").textContent`); !strings.Contains(d, "某") || !strings.Contains(d, string(runes[10])) {
			p.fail("the difference reads %q, want 某 against %q", d, string(runes[10]))
		}
	})

	t.Run("ledger", func(t *testing.T) {
		p.t = t
		p.navigate("/ledger")
		p.wait(`document.querySelectorAll("table.ledger tbody tr").length > 0`)
		if n := eval[int](p, `document.querySelectorAll("table.ledger tr.repeated .badge.warn").length`); n == 0 {
			p.fail("the demo ledger has repeated problems, none is flagged")
		}
		if !eval[bool](p, `document.querySelector("#export-xlsx").disabled`) {
			p.fail("export is enabled before a round is chosen")
		}
		round := eval[string](p, `document.querySelector("#ledger-round option:nth-child(2)").value`)
		p.choose("#ledger-round", round)
		p.wait(`new URLSearchParams(location.search).get("round") === ` + jsString(round) + ` && !document.querySelector("#export-xlsx").disabled`)
		rounds := eval[[]string](p, `Array.from(document.querySelectorAll("table.ledger tbody tr td:nth-child(2)")).map(td => td.textContent)`)
		for _, r := range rounds {
			if r != round {
				p.fail("filtered by %s, a row is of %s", round, r)
			}
		}
		p.shot("08-ledger")
		// Export: the browser saves the round's 整改台账 as an XLSX (a zip).
		downloads := t.TempDir()
		if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
			t.Fatal(err)
		}
		p.do(chromedp.Click(chromedp.ID("export-xlsx")))
		p.wait(`document.querySelector("#toast").textContent.startsWith("已导出")`)
		file := filepath.Join(downloads, round+"整改台账.xlsx")
		var data []byte
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if data, _ = os.ReadFile(file); len(data) > 0 {
				break
			}
		}
		if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			entries, _ := os.ReadDir(downloads)
			p.fail("no XLSX saved as %s (%d bytes; the folder holds %v)", file, len(data), entries)
		}
		p.do(chromedp.Click(chromedp.CSS("table.ledger tbody tr td:nth-child(3) a")))
		p.wait(`location.pathname.startsWith("/f/") && document.querySelectorAll("table.history tbody tr").length > 0`)
		p.shot("09-finding")
		// Record a rectification: the history gains the change and the note.
		rows := eval[int](p, `document.querySelectorAll("table.history tbody tr").length`)
		before := eval[string](p, `document.querySelector("#rect-status").value`)
		after := "已整改"
		if before == after {
			after = "整改中"
		}
		p.choose("#rect-status", after)
		p.do(chromedp.SendKeys(chromedp.ID("rect-note"), "浏览器测试：整改完成"), chromedp.Click(chromedp.CSS(".rect-form button")))
		p.wait(`document.querySelectorAll("table.history tbody tr").length === ` + fmt.Sprint(rows+1))
		last := eval[string](p, `document.querySelector("table.history tbody tr:last-child").textContent`)
		if !strings.Contains(last, "浏览器测试：整改完成") || !strings.Contains(last, before+" → "+after) {
			p.fail("the new history row reads %q", last)
		}
	})

	t.Run("unit profile", func(t *testing.T) {
		p.t = t
		var ledger struct {
			Facets map[string][]struct {
				Value string
				Count int
			}
		}
		c.do("GET", "/api/v1/findings?facets=1&size=0", nil, "", &ledger)
		unit := ledger.Facets["unit"][0]
		p.navigate("/profile?unit=" + url.QueryEscape(unit.Value))
		p.wait(`document.querySelectorAll(".stats dd").length > 0`)
		if n := eval[int](p, `Number(document.querySelector(".stats dd").textContent)`); n != unit.Count {
			p.fail("profile of %s shows %d findings, the ledger has %d", unit.Value, n, unit.Count)
		}
		p.shot("10-profile")
	})

	t.Run("hostile text renders as text", func(t *testing.T) {
		p.t = t
		// A malformed query: the message in Chinese, the box kept for fixing it.
		p.navigate("/?q=" + url.QueryEscape(`"未闭合`))
		p.wait(`document.querySelector(".results .error") !== null`)
		if msg := eval[string](p, `document.querySelector(".results .error").textContent`); !strings.HasPrefix(msg, "检索式有误：") || !strings.Contains(msg, "character 1") {
			p.fail("a malformed query reads %q", msg)
		}
		p.navigate("/?q=" + url.QueryEscape("防注入核查"))
		p.wait(`document.querySelectorAll(".hits .hit").length >= 2`)
		p.xssFree("results")
		titles := eval[string](p, `Array.from(document.querySelectorAll(".hits .hit-title")).map(a => a.textContent).join("|")`)
		if !strings.Contains(titles, "<script>window.__xss=2</script>注入标题") && !strings.Contains(titles, "<script>window.__xss=6</script>网页注入") {
			p.fail("the titles with markup are not shown as text: %q", titles)
		}
		snippets := eval[string](p, `Array.from(document.querySelectorAll(".hits .snippet")).map(s => s.textContent).join("|")`)
		if !strings.Contains(snippets, "</mark><img src=x") {
			p.fail("a </mark> in the text did not come out as text: %q", snippets)
		}
		p.shot("11-hostile-results")
		p.do(chromedp.Click(chromedp.CSS(".hits .hit-title")))
		p.wait(`location.pathname.startsWith("/d/") && document.querySelector(".document h1") !== null`)
		p.xssFree("document")
		if body := eval[string](p, `document.querySelector(".document").textContent`); !strings.Contains(body, "onerror") {
			p.fail("the document's hostile text is missing: %q", body)
		}
		for _, q := range []string{`<img src=x onerror=window.__xss=9>`, `"><script>window.__xss=10</script>`} {
			p.navigate("/?q=" + url.QueryEscape(q))
			p.wait(`document.querySelector(".status") !== null && !document.querySelector(".status").textContent.includes("中…")`)
			p.xssFree("query " + q)
			if v := eval[string](p, `document.querySelector("#q").value`); v != q {
				p.fail("the search box holds %q, not the query %q", v, q)
			}
			p.navigate("/quote?text=" + url.QueryEscape(q))
			p.wait(`document.querySelector(".quote-results").textContent !== "" && !document.querySelector(".quote-results").textContent.includes("中…")`)
			p.xssFree("quote check " + q)
		}
	})

	t.Run("phone width", func(t *testing.T) {
		p.t = t
		p.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)))
		defer p.do(chromedp.EmulateViewport(1280, 900))
		for _, path := range []string{"/?q=" + url.QueryEscape("形式主义"), "/?q=" + url.QueryEscape("形式主义") + "&view=units", "/ledger", "/quote"} {
			p.navigate(path)
			p.wait(`document.querySelector("main").children.length > 0 && !document.querySelector("main").textContent.includes("中…")`)
			if over := eval[int](p, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				p.fail("%s scrolls sideways by %d px at phone width", path, over)
			}
		}
		p.navigate("/?q=" + url.QueryEscape("形式主义"))
		p.wait(`document.querySelectorAll(".hits .hit").length > 0`)
		if b, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot()); err == nil {
			os.WriteFile(filepath.Join(p.shots, "12-phone.png"), b, 0o644)
		}
	})

	t.Run("accessibility", func(t *testing.T) {
		p.t = t
		for _, path := range []string{"/?q=" + url.QueryEscape("形式主义"), "/ledger", "/quote", "/profile"} {
			p.navigate(path)
			p.wait(`document.querySelector("main").children.length > 0 && !document.querySelector("main").textContent.includes("中…")`)
			unlabeled := eval[[]string](p, `Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
				.filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.id || e.name)`)
			if bad := eval[string](p, `(document.querySelector("main").innerText.match(/\b(null|undefined|NaN)\b|\[object Object\]/) || [""])[0]`); bad != "" {
				p.fail("%s: the page shows %q", path, bad)
			}
			if len(unlabeled) > 0 {
				p.fail("%s: controls without a label: %v", path, unlabeled)
			}
			if n := eval[int](p, `document.querySelectorAll("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").length`); n > 0 {
				p.fail("%s: %d elements change the focus order with a positive tabindex", path, n)
			}
			low := eval[[]string](p, contrastJS)
			if len(low) > 0 {
				p.fail("%s: text below 4.5:1 contrast: %v", path, low)
			}
		}
		// The first Tab stops: skip link, then the header, then the search box.
		p.navigate("/")
		p.wait(`document.querySelector("#q") !== null`)
		var order []string
		for range 8 {
			p.do(chromedp.KeyEvent(kb.Tab))
			order = append(order, eval[string](p, `(document.activeElement.id || document.activeElement.textContent).trim()`))
		}
		want := []string{"跳到主要内容", "巡察知识库", "检索", "整改台账", "单位画像", "引文核对", "token-toggle", "q"}
		if strings.Join(order, ",") != strings.Join(want, ",") {
			p.fail("focus order %v, want %v", order, want)
		}
	})

	t.Run("first screen", func(t *testing.T) {
		p.t = t
		p.navigate("/?q=" + url.QueryEscape("形式主义"))
		p.wait(`document.querySelectorAll(".hits .hit").length > 0`)
		ms := eval[float64](p, `performance.now()`)
		t.Logf("first screen with results rendered %.0f ms after navigation start (loopback)", ms)
	})
}

// contrastJS lists text whose colour against its background is below 4.5:1.
const contrastJS = `(() => {
  const lum = (c) => {
    const m = c.match(/[\d.]+/g).map(Number);
    const ch = m.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const bg = (e) => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      const m = c.match(/[\d.]+/g);
      if (m && (m.length < 4 || Number(m[3]) > 0.5)) return c;
    }
    return "rgb(255, 255, 255)";
  };
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || e.closest("[hidden], .sr-only, .offscreen, noscript, script, style, option")) continue;
    const st = getComputedStyle(e);
    if (st.visibility === "hidden" || st.display === "none" || Number(st.opacity) === 0 || e.offsetParent === null && st.position !== "fixed") continue;
    const a = lum(st.color), b = lum(bg(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) bad.push(n.textContent.trim().slice(0, 20) + " (" + ratio.toFixed(2) + ")");
  }
  return bad.slice(0, 10);
})()`

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
