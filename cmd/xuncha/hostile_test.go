package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
	"github.com/xuncha/xuncha/internal/testfiles"
)

// hostileCase is one entry of the catalogue: what it sends, and what must
// come back.
type hostileCase struct {
	name  string
	entry string // file, http, query
	// send does it and returns the status (for files: the import task's
	// outcome, "imported" or "rejected") and the message or body to check.
	send   func(t *testing.T, h *hostileEnv) (string, string)
	status string
	msg    string // a substring of the message
}

// hostileEnv is the server under attack and its tokens.
type hostileEnv struct {
	base, limited                   string
	admin, reader, expired, revoked string
}

// request sends one HTTP request with a token (none if empty) and returns
// the status and body.
func (h *hostileEnv) request(t *testing.T, method, target, token string, body io.Reader, header map[string]string) (string, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return "error", err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return fmt.Sprint(res.StatusCode), string(b)
}

func (h *hostileEnv) get(t *testing.T, path string) (string, string) {
	return h.request(t, "GET", h.base+path, "Bearer "+h.reader, nil, nil)
}

// upload imports one file over HTTP and returns its outcome and reason (or
// the HTTP status and body if the upload itself is refused).
func (h *hostileEnv) upload(t *testing.T, name string, data []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", name)
	part.Write(data)
	mw.Close()
	status, body := h.request(t, "POST", h.base+"/api/v1/documents", "Bearer "+h.admin, &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
	if status != "202" {
		return status, body
	}
	var task struct{ ID string }
	json.Unmarshal([]byte(body), &task)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var tk struct {
			State   string
			Results []struct{ Outcome, Reason string }
		}
		_, b := h.get(t, "/api/v1/tasks/"+task.ID)
		json.Unmarshal([]byte(b), &tk)
		if tk.State == "done" && len(tk.Results) == 1 {
			return tk.Results[0].Outcome, tk.Results[0].Reason
		}
	}
	t.Fatalf("upload of %s never finished", name)
	return "", ""
}

// declaredBomb is a DOCX whose document.xml declares 300 MiB unpacked (its
// few compressed bytes are never inflated).
func declaredBomb(t *testing.T) []byte {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(make([]byte, 1<<10))
	fw.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: 300 << 20, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	f.Write(comp.Bytes())
	w.Close()
	return buf.Bytes()
}

// slowClient writes head at once, then slow a byte every gap, and reports
// whether the server closed the connection before it finished, and when.
func slowClient(t *testing.T, base, head, request string, gap time.Duration) (string, string) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	for i := range len(request) {
		if _, err := conn.Write([]byte{request[i]}); err != nil {
			return "closed", fmt.Sprintf("after %.0fs", time.Since(start).Seconds())
		}
		// A read with a short deadline notices the close.
		conn.SetReadDeadline(time.Now().Add(gap))
		var b [512]byte
		n, err := conn.Read(b[:])
		if n > 0 || (err != nil && !isTimeout(err)) {
			return "closed", fmt.Sprintf("after %.0fs: %q", time.Since(start).Seconds(), b[:n])
		}
		if time.Since(start) > 20*time.Second {
			break
		}
	}
	return "open", fmt.Sprintf("still open after %v", time.Since(start).Round(time.Second))
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestHostileInputCatalogue sends every kind of hostile input of the
// reliability issue to a running server, through its file (upload), HTTP
// and query entry points, and checks each answer's status and message;
// then that the server still serves and lost nothing.
func TestHostileInputCatalogue(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile catalogue: not in -short")
	}
	dir := t.TempDir()
	h := &hostileEnv{}
	// Tokens: made with the CLI before the server starts, as an
	// administrator would.
	t.Setenv("XUNCHA_DATA", dir)
	tokenCLI := func(args ...string) string {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"token"}, args...), nil, &out, io.Discard); err != nil {
			t.Fatalf("token %v: %v", args, err)
		}
		return out.String()
	}
	secret := regexp.MustCompile(`xct_[A-Za-z0-9_-]+`)
	h.admin = secret.FindString(tokenCLI("create", "admin", "admin"))
	h.reader = secret.FindString(tokenCLI("create", "reader", "reader"))
	h.expired = secret.FindString(tokenCLI("create", "short-lived", "reader", "1s"))
	goneOut := tokenCLI("create", "gone", "reader")
	h.revoked = secret.FindString(goneOut)
	tokenCLI("revoke", regexp.MustCompile(`token (\S+) \(`).FindStringSubmatch(goneOut)[1])
	time.Sleep(1100 * time.Millisecond) // the short-lived token expires

	srv := startChild(t, dir, "--no-demo", "--read-header-timeout", "1s", "--read-timeout", "3s", "--pdf-timeout", "3s", "--rate", "100000", "--burst", "100000")
	defer srv.Stop()
	h.base = srv.Base
	limited := startChild(t, t.TempDir(), "--no-demo", "--public-reads", "--rate", "1", "--burst", "3")
	defer limited.Stop()
	h.limited = limited.Base

	realPDF, err := os.ReadFile(sharedcorpus.Path(t, "corpus", "files", "pdf", "中国共产党巡视工作条例_2015_cidfont-nonembedded.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	cyclicPDF := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n" +
		"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \ntrailer << /Size 3 /Root 1 0 R >>\nstartxref\n115\n%%EOF\n")
	// 100,000 empty entries, stored rather than deflated (a deflater per
	// entry would make building it the slowest part of the test).
	var many bytes.Buffer
	mz := zip.NewWriter(&many)
	for i := range 100_000 {
		if _, err := mz.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("word/x%d.xml", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	mz.Close()
	encode := func(enc interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
		b, err := enc.Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	text := "关于开展巡察整改落实情况专项检查的通知\n各单位要认真落实整改主体责任，确保问题清仓见底。\n"
	file := func(name string, data []byte) func(*testing.T, *hostileEnv) (string, string) {
		return func(t *testing.T, h *hostileEnv) (string, string) { return h.upload(t, name, data) }
	}
	query := func(params string) func(*testing.T, *hostileEnv) (string, string) {
		return func(t *testing.T, h *hostileEnv) (string, string) { return h.get(t, "/api/v1/search?"+params) }
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(make([]byte, 10<<20)) // 10 MiB of zeros in 10 KiB
	zw.Close()

	cases := []hostileCase{
		// Files, through the upload route.
		{"DOCX zip bomb", "file", file("bomb.docx", declaredBomb(t)), "rejected", "unpacks to more than"},
		{"100,000-entry zip", "file", file("many.docx", many.Bytes()), "rejected", "100000 entries"},
		{"../ entry names in a zip", "file", file("escape.docx", testfiles.Zip(t, map[string][]byte{"../../etc/passwd": []byte("x"), "word/document.xml": []byte("<w:document/>")})), "rejected", "escapes the archive"},
		{"truncated PDF", "file", file("cut.pdf", realPDF[:len(realPDF)/3]), "rejected", "damaged"},
		{"cyclic PDF", "file", file("cycle.pdf", cyclicPDF), "rejected", "was stopped"},
		{"undeclared GBK", "file", file("gbk.txt", encode(simplifiedchinese.GBK.NewEncoder(), text)), "imported", ""},
		{"undeclared Big5", "file", file("big5.txt", encode(traditionalchinese.Big5.NewEncoder(), "關於開展巡察整改落實情況專項檢查的報告\n各單位要認真落實整改主體責任。\n")), "imported", ""},
		{"UTF-16 without BOM", "file", file("utf16.txt", encode(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder(), "关于巡察工作的第二份通知\n坚持问题导向。\n")), "imported", ""},
		{"invalid UTF-8", "file", file("bad.txt", []byte{0xff, 0xfe, 0xfd, 0x80, 0x81, 0x82, 0x83, 0xC0, 0xC1, 0x20, 0xff}), "rejected", "unrecognised text encoding"},
		{"NUL bytes", "file", file("nul.txt", []byte("巡察\x00\x00\x00\x00工作\x00\x01\x02")), "rejected", "NUL"},
		{"0-byte file", "file", file("empty.txt", nil), "rejected", "0 bytes"},
		{"wrong extension: PDF named .txt", "file", file("report.txt", realPDF), "rejected", "content is pdf"},
		{"100 MB single line", "file", file("long.txt", bytes.Repeat([]byte("巡"), 100<<20/3)), "413", "larger than"},
		{"XSS in a file name and title", "file", file(`<img src=x onerror=alert(1)>.txt`, []byte("<script>alert(1)</script>标题\n正文。\n")), "imported", ""},

		// Queries.
		{"10,000-term OR", "query", query("q=" + url.QueryEscape(strings.Repeat("a OR ", 9999)+"a")), "400", "invalid_query"},
		{"10,000-term OR in a 130 KB URL", "query", query("q=" + url.QueryEscape(strings.Repeat("巡察 OR ", 9999)+"巡察")), "431", "Request Header Fields Too Large"},
		{"5,000-deep parentheses", "query", query("q=" + url.QueryEscape(strings.Repeat("(", 5000)+"巡察"+strings.Repeat(")", 5000))), "400", "invalid_query"},
		{"size=1e9", "query", query("q=巡察&size=1000000000"), "400", "size"},
		{"size=-1", "query", query("q=巡察&size=-1"), "400", "size"},
		{"from=1e9", "query", query("q=巡察&from=1000000000"), "400", "from"},
		{"unbalanced quote", "query", query("q=" + url.QueryEscape(`"巡察`)), "400", "quotation mark"},
		{"invalid UTF-8 query", "query", query("q=%ff%fe"), "400", "UTF-8"},
		{"XSS in a query", "query", query("q=" + url.QueryEscape(`<script>alert(1)</script>`)), "200", ""},

		// HTTP.
		{"slow header (a byte every 400 ms)", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return slowClient(t, h.base, "", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "+strings.Repeat("a", 60)+"\r\n\r\n", 400*time.Millisecond)
		}, "closed", "400 Bad Request"},
		{"slow body (a byte every 400 ms)", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return slowClient(t, h.base, "POST /api/v1/quote-check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+h.reader+
				"\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n", `{"text": "`+strings.Repeat("巡", 60), 400*time.Millisecond)
		}, "closed", "400 Bad Request"},
		{"gzip bomb body", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "POST", h.base+"/api/v1/quote-check", "Bearer "+h.reader, bytes.NewReader(gz.Bytes()),
				map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"})
		}, "415", "unsupported_encoding"},
		{"JSON body over 1 MiB", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "POST", h.base+"/api/v1/quote-check", "Bearer "+h.reader, strings.NewReader(`{"text": "`+strings.Repeat("巡", 1<<20)+`"}`),
				map[string]string{"Content-Type": "application/json"})
		}, "413", "too_large"},
		{"spoofed X-Forwarded-For does not dodge the rate limit", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			for i := range 10 {
				status, body := h.request(t, "GET", h.limited+"/api/v1/search?q=巡察", "", nil, map[string]string{"X-Forwarded-For": fmt.Sprintf("10.0.0.%d", i), "X-Real-IP": fmt.Sprintf("10.1.0.%d", i)})
				if status == "429" {
					return status, body
				}
			}
			return "200", "ten requests with ten addresses all passed"
		}, "429", "rate_limited"},
		{"%2F in a path", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.get(t, "/api/v1/documents/..%2F..%2Fstore.db")
		}, "404", "not_found"},
		{"double-encoded path", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.get(t, "/api/v1/documents/%252e%252e%252fstore.db")
		}, "404", "not_found"},
		{"../ in a static path", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "GET", h.base+"/static/..%2f..%2fgo.mod", "", nil, nil)
		}, "404", ""},
		{"expired token", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "GET", h.base+"/api/v1/search?q=巡察", "Bearer "+h.expired, nil, nil)
		}, "401", "token_expired"},
		{"revoked token", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "GET", h.base+"/api/v1/search?q=巡察", "Bearer "+h.revoked, nil, nil)
		}, "401", "token_revoked"},
		{"malformed token", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "GET", h.base+"/api/v1/search?q=巡察", "Bearer xct_<script>", nil, nil)
		}, "401", "invalid_token"},
		{"not a bearer token", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "GET", h.base+"/api/v1/search?q=巡察", "Basic YWRtaW46YWRtaW4=", nil, nil)
		}, "401", "invalid_token"},
		{"reader token writing", "http", func(t *testing.T, h *hostileEnv) (string, string) {
			return h.request(t, "DELETE", h.base+"/api/v1/findings/x", "Bearer "+h.reader, nil, nil)
		}, "403", "forbidden"},
	}
	var before struct{ Documents int }
	json.Unmarshal([]byte(must(h.get(t, "/api/v1/stats"))), &before)
	passed := 0
	for _, c := range cases {
		t.Run(c.entry+": "+c.name, func(t *testing.T) {
			start := time.Now()
			status, msg := c.send(t, h)
			if status != c.status || !strings.Contains(msg, c.msg) {
				t.Fatalf("got %s %.300q, want %s with %q", status, msg, c.status, c.msg)
			}
			if strings.Contains(msg, "<script>") || strings.Contains(msg, dir) {
				t.Errorf("the answer carries raw markup or a server path: %.300q", msg)
			}
			t.Logf("%s in %v: %.160s", status, time.Since(start).Round(time.Millisecond), msg)
			passed++
		})
	}
	// Still serving, nothing lost: the demo's documents and the accepted
	// uploads are all there.
	var after struct{ Documents int }
	json.Unmarshal([]byte(must(h.get(t, "/api/v1/stats"))), &after)
	imported := 0
	for _, c := range cases {
		if c.status == "imported" {
			imported++
		}
	}
	if after.Documents != before.Documents+imported {
		t.Errorf("documents %d → %d, want %d more", before.Documents, after.Documents, imported)
	}
	if status, _ := h.get(t, "/api/v1/search?q="+url.QueryEscape("清仓见底")); status != "200" {
		t.Errorf("search after the catalogue: %s", status)
	}
	t.Logf("%d of %d hostile cases passed", passed, len(cases))
}

// must returns the body of a request that must succeed.
func must(status, body string) string {
	if status != "200" {
		panic(fmt.Sprintf("status %s: %.200s", status, body))
	}
	return body
}
