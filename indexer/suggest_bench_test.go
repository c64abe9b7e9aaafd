package indexer

import (
	"context"
	"sort"
	"testing"
	"time"
)

// BenchmarkSuggest measures completion latency over a laws index, short
// prefixes included (the worst case: many candidates).
func BenchmarkSuggest(b *testing.B) {
	ix, _, _, _ := benchLawsIndex(b, stride())
	ctx := context.Background()
	lex, err := DomainLexicon()
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := ix.RefreshSuggestions(ctx, lex); err != nil {
		b.Fatal(err)
	}
	build := time.Since(t0)
	prefixes := []string{"中", "人", "人民", "行政", "国家", "形式", "中华人民共和国", "監察", "zz"}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if _, err := ix.Suggest(ctx, prefixes[i%len(prefixes)], 8); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(build.Milliseconds()), "build-ms")
}
