package corpus

import (
	"context"
	"os"
	"testing"
	"time"
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
	os.Exit(m.Run())
}

// testPDF is the extractor tests use: a child process, like production.
func testPDF() PDFExtractor {
	return ChildPDFExtractor{Command: []string{os.Args[0]}, Env: []string{"XUNCHA_PDF_CHILD=1"}, Timeout: 30 * time.Second}
}

func testOpts() ParseOptions {
	return ParseOptions{PDF: testPDF(), Now: func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }, Who: "test"}
}
