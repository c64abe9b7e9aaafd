package corpus

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/pgtest"
)

// TestMain doubles as the PDF child process: ChildPDFExtractor re-runs the
// test binary with XUNCHA_PDF_CHILD=1, as xuncha re-runs itself.
func TestMain(m *testing.M) {
	if os.Getenv("XUNCHA_PDF_CHILD") == "1" {
		if err := RunPDFChild(context.Background(), os.Stdin, os.Stdout, 512<<20, 64<<20); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if store := os.Getenv("XUNCHA_IMPORT_CHILD"); store != "" {
		os.Exit(importChild(store, strings.Split(os.Getenv("XUNCHA_IMPORT_FILES"), "\n")))
	}
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// importChild imports files into the store at path, printing "ACK id seq"
// once each file's transaction has committed. The crash test kills it.
func importChild(path string, files []string) int {
	ctx := context.Background()
	s, err := OpenBolt(ctx, path, StoreOptions{})
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	opts := ParseOptions{Who: "crash-test"}
	for _, f := range files {
		r := ImportFile(ctx, s, f, opts)
		if r.Outcome == Imported || r.Outcome == Duplicate {
			fmt.Printf("ACK %s %d\n", r.DocumentID, r.Seq)
		}
	}
	fmt.Println("DONE")
	return 0
}

// testPDF is the extractor tests use: a child process, like production.
func testPDF() PDFExtractor {
	return ChildPDFExtractor{Command: []string{os.Args[0]}, Env: []string{"XUNCHA_PDF_CHILD=1"}, Timeout: 30 * time.Second}
}

func testOpts() ParseOptions {
	return ParseOptions{PDF: testPDF(), Now: func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }, Who: "test"}
}
