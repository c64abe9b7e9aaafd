package corpus

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
	"github.com/xuncha/xuncha/internal/testfiles"
)

// zipOf builds a zip archive with the given entries.
func zipOf(t *testing.T, entries map[string][]byte) []byte { return testfiles.Zip(t, entries) }

// lyingZipBomb is a DOCX whose word/document.xml claims 1 KiB but inflates
// to 300 MiB of zeros.
func lyingZipBomb(t *testing.T) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	zero := make([]byte, 1<<20)
	for range 300 {
		fw.Write(zero)
	}
	fw.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate, CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1024}
	f, err := w.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(comp.Bytes())
	w.Close()
	return buf.Bytes()
}

// TestHostileFiles: every hostile file gets a clear error of the right kind
// and leaves the store exactly as it was.
func TestHostileFiles(t *testing.T) {
	manyEntries := map[string][]byte{}
	for i := range 100_000 {
		manyEntries[fmt.Sprintf("word/x%d.xml", i)] = nil
	}
	realPDF, err := os.ReadFile(sharedcorpus.Path(t, "corpus", "files", "pdf", "中国共产党巡视工作条例_2015_cidfont-nonembedded.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	cyclic := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n" +
		"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \ntrailer << /Size 3 /Root 1 0 R >>\nstartxref\n115\n%%EOF\n")
	tests := []struct {
		name string
		file string
		data []byte
		want error
		msg  string
	}{
		{"zero-byte file", "empty.txt", nil, ErrEmpty, "0 bytes"},
		{"DOCX zip bomb (declared size)", "bomb.docx", zipOf(t, map[string][]byte{"word/document.xml": make([]byte, 300<<20)}), ErrTooLarge, "unpacks to more than"},
		{"DOCX zip bomb (lying header)", "liar.docx", lyingZipBomb(t), ErrDamaged, "document.xml"},
		{"100,000-entry zip", "many.docx", zipOf(t, manyEntries), ErrTooLarge, "100000 entries"},
		{"zip entry escaping the archive", "escape.docx", zipOf(t, map[string][]byte{"../../etc/passwd": []byte("x"), "word/document.xml": []byte("<w:document/>")}), ErrDamaged, "escapes the archive"},
		{"zip without a Word document", "other.docx", zipOf(t, map[string][]byte{"hello.txt": []byte("hi")}), ErrFormat, "not a Word document"},
		{"truncated PDF", "cut.pdf", realPDF[:len(realPDF)/3], ErrDamaged, ""},
		{"cyclic PDF (the library loops: the child is stopped)", "cycle.pdf", cyclic, ErrDamaged, "was stopped"},
		{"100 MB single line", "long.txt", bytes.Repeat([]byte("巡"), 100<<20/3), ErrTooLarge, "the limit is"},
		{"NUL bytes", "nul.txt", []byte("巡察\x00\x00\x00\x00工作\x00\x01\x02"), ErrEncoding, "NUL"},
		{"wrong extension: PDF named .txt", "report.txt", realPDF, ErrFormat, "content is pdf"},
		{"wrong extension: text named .docx", "notes.docx", []byte("巡察工作"), ErrFormat, "not a Word document"},
		{"legacy .doc", "old.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, ErrFormat, ".doc"},
		{"binary garbage named .md", "x.md", []byte{0xff, 0xfe, 0xfd, 0x80, 0x81, 0x82, 0x83, 0xC0, 0xC1}, ErrEncoding, ""},
		{"only punctuation and spaces", "blank.txt", []byte("   \n\n\t　　\n"), ErrEmpty, "no paragraphs"},
	}
	ctx := context.Background()
	s, _ := openTestStore(t)
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			opts := testOpts()
			opts.PDF = ChildPDFExtractor{Command: []string{os.Args[0]}, Env: []string{"XUNCHA_PDF_CHILD=1"}, Timeout: 2 * time.Second}
			opts.Limits = DefaultLimits
			opts.Limits.MaxFileBytes = 200 << 20 // let the 100 MB line reach the paragraph limit
			res := ImportFile(ctx, s, path, opts)
			if res.Outcome != Rejected {
				t.Fatalf("outcome %s, want rejected", res.Outcome)
			}
			_, err := Parse(ctx, path, tt.data, opts)
			var pe *ParseError
			if !errors.Is(err, tt.want) || !errors.As(err, &pe) || pe.File != tt.file {
				t.Errorf("error %v, want %v naming %s", err, tt.want, tt.file)
			}
			if tt.msg != "" && !strings.Contains(res.Reason, tt.msg) {
				t.Errorf("reason %q does not say %q", res.Reason, tt.msg)
			}
			if seq, _ := s.LastSeq(ctx); seq != 0 {
				t.Errorf("a rejected file changed the store (seq %d)", seq)
			}
		})
	}
}
