package indexer

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStartup measures what a process pays before its first answer:
// build the segmenter from the embedded dictionaries, open an existing index,
// run one query. It reports the heap the dictionary keeps.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "index")
	ix, err := Open(ctx, dir, testAnalyzer(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := ix.Add(ctx, []Passage{{ID: "1", Text: "坚决反对形式主义、官僚主义"}}); err != nil {
		b.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	var heap uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		start := time.Now()
		seg, err := NewSegmenter(ctx, SegmenterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		ix, err := Open(ctx, dir, NewAnalyzer(seg), Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := ix.Search(ctx, Request{Query: "形式主义"})
		if err != nil || len(res.Hits) != 1 {
			b.Fatalf("first query: %v, %v", res, err)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-to-first-answer")
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap = (m1.HeapAlloc - m0.HeapAlloc) >> 20
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(heap), "MiB-heap-kept")
}
