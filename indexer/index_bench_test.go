package indexer

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// dirSize returns the total size of the files under dir.
func dirSize(tb testing.TB, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkIndexLaws indexes law paragraphs in batches of 1,000 and reports
// paragraphs/s and index bytes per text byte. XUNCHA_BENCH_STRIDE picks
// every n-th law file (default 10; 1 for the whole corpus).
func BenchmarkIndexLaws(b *testing.B) {
	stride := 10
	if v := os.Getenv("XUNCHA_BENCH_STRIDE"); v != "" {
		stride = 0
		for _, c := range v {
			stride = stride*10 + int(c-'0')
		}
	}
	ps := lawParagraphs(b, max(stride, 1))
	var textBytes int64
	for _, p := range ps {
		textBytes += int64(len(p.Text))
	}
	a := testAnalyzer(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		dir := filepath.Join(b.TempDir(), "index")
		start := time.Now()
		ix, err := Open(ctx, dir, a, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(ps); i += 1000 {
			if err := ix.Add(ctx, ps[i:min(i+1000, len(ps))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.ReportMetric(float64(len(ps))/elapsed.Seconds(), "paragraphs/s")
		b.ReportMetric(float64(textBytes)/elapsed.Seconds()/1e6, "MB/s")
		b.ReportMetric(float64(dirSize(b, dir))/float64(textBytes), "index-bytes/text-byte")
		b.ReportMetric(float64(len(ps)), "paragraphs")
	}
}
