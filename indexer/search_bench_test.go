package indexer

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/internal/procstat"
	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

var queryMix = BenchQueries

// benchLawsIndex imports every stride-th law file into a store and syncs an
// index from it, reporting the rebuild figures. It returns the index's
// directory and the text's size in bytes too.
func benchLawsIndex(b *testing.B, stride int) (*Index, *corpus.BoltStore, string, int64) {
	ctx := context.Background()
	dir := b.TempDir()
	files := sharedcorpus.Files(b, ".md", "corpus", "laws")
	var sample []string
	for i := 0; i < len(files); i += stride {
		sample = append(sample, files[i])
	}
	s, err := corpus.OpenBolt(ctx, filepath.Join(dir, "store.db"), corpus.StoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	t0 := time.Now()
	sum, err := corpus.ImportFiles(ctx, s, sample, corpus.ParseOptions{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	importSecs := time.Since(t0).Seconds()
	var textBytes int64
	paragraphs := 0
	s.EachDocument(ctx, func(d *corpus.Document) error {
		for _, p := range d.Paragraphs() {
			textBytes += int64(len(p.Text))
			paragraphs++
		}
		return nil
	})
	ix, err := Open(ctx, filepath.Join(dir, "index"), testAnalyzer(b), Options{Passages: StorePassages{s}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	// Every search computed: the mixes repeat, and the result cache
	// would measure itself.
	ix.SetCacheEntries(0)
	// XUNCHA_BENCH_SPLIT=never: one goroutine per search, as on a busy
	// machine (root.go).
	if os.Getenv("XUNCHA_BENCH_SPLIT") == "never" {
		ix.split = splitNever
	}
	t1 := time.Now()
	if _, err := ix.Sync(ctx, s, nil); err != nil {
		b.Fatal(err)
	}
	secs := time.Since(t1).Seconds()
	b.ReportMetric(float64(sum.Imported)/importSecs, "files-imported/s")
	b.ReportMetric(float64(paragraphs)/secs, "paragraphs-indexed/s")
	b.ReportMetric(float64(textBytes)/secs/1e6, "MB-indexed/s")
	b.ReportMetric(float64(procstat.PeakRSS(os.Getpid()))/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(paragraphs), "paragraphs")
	return ix, s, filepath.Join(dir, "index"), textBytes
}

func stride() int {
	if v := os.Getenv("XUNCHA_BENCH_STRIDE"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return 10
}

// BenchmarkRebuildLaws: import laws into the store, then build the index
// from it (XUNCHA_BENCH_STRIDE=1 for all 3,502 files).
func BenchmarkRebuildLaws(b *testing.B) {
	for range b.N {
		ix, _, dir, textBytes := benchLawsIndex(b, stride())
		live := ix.LiveBytes()
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		// The directory also holds, for a while, the segments that the
		// final merge made obsolete (see LiveBytes).
		b.ReportMetric(float64(dirSize(b, dir))/float64(textBytes), "disk-bytes/text-byte")
		b.ReportMetric(float64(live)/float64(textBytes), "index-bytes/text-byte")
	}
}

// latencyClasses split the query mix for BenchmarkQueryClasses.
var latencyClasses = map[string]struct {
	queries []string
	facets  bool
}{
	"words":           {queryMix[:50], false},
	"words+facets":    {queryMix[:50], true},
	"phrases":         {queryMix[50:53], false},
	"one-character":   {queryMix[53:54], false},
	"negation-and-or": {queryMix[54:], false},
}

// BenchmarkQueryClasses reports latency percentiles per class of query, so
// that a slow class shows. XUNCHA_BENCH_CLASS runs one class.
func BenchmarkQueryClasses(b *testing.B) {
	ix, _, _, _ := benchLawsIndex(b, stride())
	ctx := context.Background()
	for name, c := range latencyClasses {
		if only := os.Getenv("XUNCHA_BENCH_CLASS"); only != "" && only != name {
			continue
		}
		b.Run(name, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				q := c.queries[i%len(c.queries)]
				t0 := time.Now()
				if _, err := ix.Search(ctx, Request{Query: q, Facets: c.facets}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

// BenchmarkQueryLaws runs the query mix against a laws index, with
// highlighting (passages read from the store), and reports latency
// percentiles; facets on every fifth query.
func BenchmarkQueryLaws(b *testing.B) {
	ix, _, _, _ := benchLawsIndex(b, stride())
	runtime.GC()
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queryMix[i%len(queryMix)]
		t0 := time.Now()
		res, err := ix.Search(ctx, Request{Query: q, Facets: i%5 == 0})
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		lat = append(lat, time.Since(t0))
		if res.Total > 0 && res.Hits[0].Snippet == "" {
			b.Fatalf("%s: hit without snippet", q)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// BenchmarkQueryEach logs the mean latency of every query of the mix, with
// facets, slowest first: where the time of the mix goes. The index is
// merged into one segment first and every query run once before it is
// timed, so that no background merge or first search of a snapshot (its
// facet and title columns) lands in the figures.
func BenchmarkQueryEach(b *testing.B) {
	ix, _, _, _ := benchLawsIndex(b, stride())
	ctx := context.Background()
	if err := compact(ctx, ix.live); err != nil {
		b.Fatal(err)
	}
	for _, q := range queryMix {
		if _, err := ix.Search(ctx, Request{Query: q, Facets: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	type cost struct {
		q     string
		mean  time.Duration
		total uint64
	}
	var costs []cost
	for range b.N {
		costs = costs[:0]
		for _, q := range queryMix {
			t0 := time.Now()
			var total uint64
			for range 20 {
				res, err := ix.Search(ctx, Request{Query: q, Facets: true})
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			costs = append(costs, cost{q, time.Since(t0) / 20, total})
		}
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].mean > costs[j].mean })
	var sum time.Duration
	for _, c := range costs {
		sum += c.mean
		b.Logf("%8.2f ms  %7d hits  %s", float64(c.mean.Microseconds())/1000, c.total, c.q)
	}
	b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(costs)), "mean-ms")
}
