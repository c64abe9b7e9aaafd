package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// The reliability suite: SIGKILL at random moments, and a full disk. The
// README gives the commands for the full-scale runs.

// unlimited lifts the per-client rate limit: these tests are the only
// client and check many things at once.
var unlimited = []string{"--rate", "1000000", "--burst", "1000000"}

// acked records the writes the server acknowledged.
type acked struct {
	mu       sync.Mutex
	docs     map[string]string // document ID → its marker phrase
	findings map[string]string // finding ID → its description
	status   map[string]string // finding ID → last acknowledged status
	tried    map[string][]string
	recent   map[string]bool // acknowledged since the last verify
	n        int
}

func newAcked() *acked {
	return &acked{docs: map[string]string{}, findings: map[string]string{}, status: map[string]string{}, tried: map[string][]string{}, recent: map[string]bool{}}
}

// writer drives writes at a server until it stops answering.
type writer struct {
	c      apiClient
	cycle  int
	rng    *rand.Rand
	acked  *acked
	client *http.Client
}

func (w *writer) call(method, path string, body io.Reader, contentType string, out any) (int, error) {
	req, _ := http.NewRequest(method, w.c.base+path, body)
	req.Header.Set("Authorization", "Bearer "+w.c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return 0, fmt.Errorf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode, nil
}

// run writes until the server dies or stop is closed.
func (w *writer) run(stop <-chan struct{}) {
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		default:
		}
		var err error
		switch k % 3 {
		case 0:
			err = w.upload(k)
		case 1:
			err = w.finding(k)
		case 2:
			err = w.rectify()
		}
		if err != nil {
			return // the server is gone
		}
	}
}

func (w *writer) upload(k int) error {
	marker := fmt.Sprintf("崩溃循环第%d轮第%d号文件核查标记", w.cycle, k)
	var text strings.Builder
	fmt.Fprintf(&text, "关于第%d轮第%d号巡察整改情况的通报\n%s。\n", w.cycle, k, marker)
	for p := range 20 {
		fmt.Fprintf(&text, "第%d段：巡察组对被巡察党组织落实整改主体责任情况开展督查，发现问题%d个。\n", p+1, w.rng.IntN(1000))
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", fmt.Sprintf("crash-%d-%d.txt", w.cycle, k))
	part.Write([]byte(text.String()))
	mw.Close()
	var task struct{ ID string }
	status, err := w.call("POST", "/api/v1/documents", &buf, mw.FormDataContentType(), &task)
	if err != nil || status != 202 {
		return fmt.Errorf("upload: %d %v", status, err)
	}
	for {
		var t struct {
			State   string
			Results []struct {
				Outcome    string
				DocumentID string `json:"document_id"`
			}
		}
		status, err := w.call("GET", "/api/v1/tasks/"+task.ID, nil, "", &t)
		if err != nil || status != 200 {
			return fmt.Errorf("task: %d %v", status, err)
		}
		if t.State == "done" {
			if len(t.Results) == 1 && t.Results[0].Outcome == "imported" {
				w.acked.mu.Lock()
				w.acked.docs[t.Results[0].DocumentID] = marker
				w.acked.recent[t.Results[0].DocumentID] = true
				w.acked.n++
				w.acked.mu.Unlock()
			}
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *writer) finding(k int) error {
	desc := fmt.Sprintf("崩溃循环第%d轮第%d号问题：会议记录不规范", w.cycle, k)
	body, _ := json.Marshal(map[string]any{"unit": "区委办公室", "round": "九届区委第十轮", "description": desc, "problems": []string{"形式主义"}})
	var f struct{ ID string }
	status, err := w.call("POST", "/api/v1/findings", bytes.NewReader(body), "application/json", &f)
	if err != nil {
		return err
	}
	if status == 201 {
		w.acked.mu.Lock()
		w.acked.findings[f.ID] = desc
		w.acked.recent[f.ID] = true
		w.acked.status[f.ID] = "未整改"
		w.acked.n++
		w.acked.mu.Unlock()
	}
	return nil
}

func (w *writer) rectify() error {
	w.acked.mu.Lock()
	var id string
	for fid := range w.acked.findings {
		id = fid
		break
	}
	w.acked.mu.Unlock()
	if id == "" {
		return nil
	}
	st := []string{"整改中", "已整改", "长期坚持"}[w.rng.IntN(3)]
	w.acked.mu.Lock()
	w.acked.tried[id] = append(w.acked.tried[id], st)
	w.acked.mu.Unlock()
	body, _ := json.Marshal(map[string]any{"status": st, "note": "崩溃循环"})
	status, err := w.call("PATCH", "/api/v1/findings/"+id+"/rectification", bytes.NewReader(body), "application/json", nil)
	if err != nil {
		return err
	}
	if status == 200 {
		w.acked.mu.Lock()
		w.acked.status[id] = st
		w.acked.tried[id] = nil
		w.acked.recent[id] = true
		w.acked.n++
		w.acked.mu.Unlock()
	}
	return nil
}

// verify checks, against a ready server, that acknowledged writes are
// there exactly once and that search finds them: all of them when full,
// else those since the last verify and a sample of the older ones (map
// order is random).
func (a *acked) verify(t *testing.T, c apiClient, when string, full bool) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	older := 0
	pick := func(id string) bool {
		if full || a.recent[id] {
			return true
		}
		older++
		return older <= 40
	}
	defer clear(a.recent)
	for id, marker := range a.docs {
		if !pick(id) {
			continue
		}
		if status := c.do("GET", "/api/v1/documents/"+id, nil, "", nil); status != 200 {
			t.Fatalf("%s: acknowledged document %s: status %d", when, id, status)
		}
		var res struct{ Total int }
		c.do("GET", "/api/v1/search?q="+url.QueryEscape(`"`+marker+`"`), nil, "", &res)
		if res.Total != 1 {
			t.Fatalf("%s: %q found %d times, want once", when, marker, res.Total)
		}
	}
	for id, desc := range a.findings {
		if !pick(id) {
			continue
		}
		var f struct{ Rectification struct{ Status string } }
		if status := c.do("GET", "/api/v1/findings/"+id, nil, "", &f); status != 200 {
			t.Fatalf("%s: acknowledged finding %s: status %d", when, id, status)
		}
		ok := f.Rectification.Status == a.status[id]
		for _, st := range a.tried[id] { // sent, not acknowledged: may have landed
			ok = ok || f.Rectification.Status == st
		}
		if !ok {
			t.Fatalf("%s: finding %s has status %s, acknowledged %s", when, id, f.Rectification.Status, a.status[id])
		}
		var res struct{ Total int }
		c.do("GET", "/api/v1/findings?q="+url.QueryEscape(`"`+desc+`"`), nil, "", &res)
		if res.Total != 1 {
			t.Fatalf("%s: finding %q found %d times, want once", when, desc, res.Total)
		}
	}
}

// TestCrashLoop kills xuncha with SIGKILL at random moments, during HTTP
// imports and finding updates (and the index sync they start), during an
// offline reindex, and during a hot backup; after each kill it restarts the
// server and checks that every acknowledged write is there exactly once,
// and at the end that the index holds exactly the store's passages.
// XUNCHA_CRASH_CYCLES sets the number of kills (20 by default).
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop: not in -short")
	}
	cycles := 20
	if v := os.Getenv("XUNCHA_CRASH_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("XUNCHA_CRASH_CYCLES=%q is not a positive number", v)
		}
		cycles = n
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	dir := t.TempDir()
	a := newAcked()
	srv := startChild(t, dir, unlimited...)
	token := srv.Token
	if token == "" {
		t.Fatal("no admin token printed on the first start")
	}
	kinds := map[string]int{}
	for cycle := range cycles {
		c := apiClient{t, srv.Base, token}
		a.verify(t, c, fmt.Sprintf("after kill %d", cycle), false)
		kind := []string{"import", "import", "reindex", "backup"}[cycle%4]
		kinds[kind]++
		delay := time.Duration(50+rng.IntN(1500)) * time.Millisecond
		switch kind {
		case "import":
			w := &writer{c: c, cycle: cycle, rng: rng, acked: a, client: &http.Client{Timeout: 10 * time.Second}}
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() { w.run(stop); close(done) }()
			time.Sleep(delay)
			srv.cmd.Process.Kill()
			srv.cmd.Wait()
			close(stop)
			<-done
		case "backup":
			go func() {
				req, _ := http.NewRequest("GET", srv.Base+"/api/v1/admin/backup", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				if res, err := http.DefaultClient.Do(req); err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}()
			time.Sleep(delay / 4)
			srv.cmd.Process.Kill()
			srv.cmd.Wait()
		case "reindex":
			srv.Stop()
			cmd := exec.Command(os.Args[0], "reindex")
			cmd.Env = append(os.Environ(), "XUNCHA_DATA="+dir)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
		}
		srv = startChild(t, dir, unlimited...)
	}
	a.verify(t, apiClient{t, srv.Base, token}, "after the last kill", true)
	srv.Stop()
	t.Setenv("XUNCHA_DATA", dir)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check"}, nil, &out, io.Discard); err != nil {
		t.Fatalf("after %d kills: %v", cycles, err)
	}
	t.Logf("%d kills (%v); %d writes acknowledged, none lost; %s", cycles, kinds, a.n, strings.ReplaceAll(out.String(), "\n", "; "))
}

// mountTmpfs mounts a tmpfs of size bytes at dir for the test. It needs
// root (CI runs as root); elsewhere the test is skipped, saying why.
func mountTmpfs(t *testing.T, dir string, size int) {
	t.Helper()
	err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mounting a size-limited tmpfs: %v (CI runs as root)", err)
		}
		t.Skipf("the full-disk test mounts a size-limited tmpfs, which needs root: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// TestFullDisk fills a size-limited file system under a running server
// with uploads: the upload that does not fit is rejected with a clear
// reason, a finding then gets 507 disk_full, search keeps answering, and
// nothing acknowledged is lost; once there is space again (the file system
// grown), the index catches up and holds exactly the store's passages.
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("full disk: not in -short")
	}
	dir := t.TempDir()
	mountTmpfs(t, dir, 12<<20)
	srv := startChild(t, dir, unlimited...)
	defer func() { srv.Stop() }()
	c := apiClient{t, srv.Base, srv.Token}
	a := newAcked()
	rng := rand.New(rand.NewPCG(1, 2))
	var rejected string
	for k := 0; k < 60 && rejected == ""; k++ {
		marker := fmt.Sprintf("满盘测试第%d号文件", k)
		var text strings.Builder
		text.WriteString(marker + "\n")
		for range 150 { // about 180 KB of text that does not compress
			for range 400 {
				text.WriteRune(rune(0x4e00 + rng.IntN(0x5000)))
			}
			text.WriteString("。\n")
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		part, _ := mw.CreateFormFile("file", fmt.Sprintf("full-%d.txt", k))
		part.Write([]byte(text.String()))
		mw.Close()
		var task struct{ ID string }
		if status := c.do("POST", "/api/v1/documents", &buf, mw.FormDataContentType(), &task); status != 202 {
			t.Fatalf("upload %d: status %d", k, status)
		}
		for {
			var tk struct {
				State   string
				Results []struct {
					Outcome, Reason string
					DocumentID      string `json:"document_id"`
				}
			}
			c.do("GET", "/api/v1/tasks/"+task.ID, nil, "", &tk)
			if tk.State != "done" {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			switch r := tk.Results[0]; r.Outcome {
			case "imported":
				a.docs[r.DocumentID] = marker
			case "rejected":
				rejected = r.Reason
			default:
				t.Fatalf("upload %d: %+v", k, r)
			}
			break
		}
	}
	if rejected == "" {
		t.Fatal("60 uploads of 180 KB fit into 12 MiB")
	}
	if !strings.HasPrefix(rejected, "the disk is full: nothing of this file was stored") || strings.Contains(rejected, dir) {
		t.Errorf("the rejected upload reads %q", rejected)
	}
	t.Logf("%d uploads acknowledged before the disk was full; then: %s", len(a.docs), rejected)

	// Findings until one does not fit: 507, in the one error shape, naming
	// no file. (Those that still fit are acknowledged like any other.)
	var full []byte
	for k := 0; k < 30 && full == nil; k++ {
		desc := fmt.Sprintf("满盘时新增的第%d个问题", k)
		body, _ := json.Marshal(map[string]any{"unit": "区委办公室", "round": "九届区委第十轮",
			"description": desc, "facts": strings.Repeat("会议记录不规范，", 20000)})
		req, _ := http.NewRequest("POST", srv.Base+"/api/v1/findings", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusCreated:
			var f struct{ ID string }
			json.Unmarshal(b, &f)
			a.findings[f.ID], a.status[f.ID] = desc, "未整改"
		case http.StatusInsufficientStorage:
			full = b
		default:
			t.Fatalf("a finding on a full disk: %d %.300s", res.StatusCode, b)
		}
	}
	if !bytes.Contains(full, []byte(`"code":"disk_full"`)) || bytes.Contains(full, []byte(dir)) {
		t.Errorf("a finding on a full disk: %.300s", full)
	}
	t.Logf("then %d findings fitted; the next: %s", len(a.findings), full)

	// Search keeps answering; what was acknowledged is there.
	var sr struct{ Total int }
	if status := c.do("GET", "/api/v1/search?q="+url.QueryEscape("形式主义"), nil, "", &sr); status != 200 || sr.Total == 0 {
		t.Fatalf("search on a full disk: status %d, %d hits", status, sr.Total)
	}
	for id := range a.docs {
		if status := c.do("GET", "/api/v1/documents/"+id, nil, "", nil); status != 200 {
			t.Fatalf("acknowledged document %s on a full disk: status %d", id, status)
		}
	}

	// Space again, and a restart: nothing lost, the index catches up.
	srv.Stop()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT, "size=128m"); err != nil {
		t.Fatal(err)
	}
	srv = startChild(t, dir, unlimited...)
	a.verify(t, apiClient{t, srv.Base, c.token}, "after the disk was grown", true)
	srv.Stop()
	t.Setenv("XUNCHA_DATA", dir)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.ReplaceAll(out.String(), "\n", "; "))
}

// TestSearchUnderImportAndReindex is the concurrency check at CI scale:
// xuncha bench queries a server idle, then while laws are uploaded over
// HTTP and a reindex runs; every query must succeed (bench fails on any
// error). The latencies are figures, not assertions; the README gives the
// full-scale command.
func TestSearchUnderImportAndReindex(t *testing.T) {
	if testing.Short() {
		t.Skip("under load: not in -short")
	}
	laws := sharedcorpus.Files(t, ".md", "corpus", "laws")
	first, second := t.TempDir(), t.TempDir()
	for i, f := range laws[:min(len(laws), 150)] {
		dst := first
		if i%3 != 0 {
			dst = second
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "--corpus", first, "--under-load", second, "--duration", "2s", "--connections", "4"}, nil, &out, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"under load: files uploaded  100 (100 imported)", "under load: errors           0", "under load: reindex"} {
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("bench output lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}
