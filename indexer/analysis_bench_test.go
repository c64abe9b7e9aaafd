package indexer

import (
	"context"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-ego/gse"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// lawText returns the text of the first files of the laws corpus (all of it
// for files <= 0).
func lawText(b *testing.B, files int) []string {
	names := sharedcorpus.Files(b, ".md", "corpus", "laws")
	if files > 0 && files < len(names) {
		names = names[:files]
	}
	texts := make([]string, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	return texts
}

func benchAnalyzer(b *testing.B) *Analyzer {
	seg, err := NewSegmenter(context.Background(), SegmenterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return NewAnalyzer(seg)
}

// runParallel analyses texts with the given number of goroutines, b.N times,
// and reports MB/s of input.
func runParallel(b *testing.B, texts []string, workers int, fn func(string)) {
	var size int64
	for _, t := range texts {
		size += int64(len(t))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(texts) {
						return
					}
					fn(texts[i])
				}
			}()
		}
		wg.Wait()
	}
}

// BenchmarkAnalyze measures all three representations of a passage, as
// indexing computes them, over the laws corpus (set -benchtime=1x for one
// pass over all 57 MB; XUNCHA_BENCH_FILES limits the files).
func BenchmarkAnalyze(b *testing.B) {
	texts := lawText(b, benchFiles())
	a := benchAnalyzer(b)
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "goroutines=1", 2: "goroutines=2"}[workers], func(b *testing.B) {
			runParallel(b, texts, workers, func(s string) {
				n := Normalize(s)
				u := units(&n)
				bigrams(&n, u, newTokenBuf(len(n.Runes)))
				unigrams(&n, u, newTokenBuf(len(n.Runes)))
				a.words(&n, IndexMode, newTokenBuf(len(n.Runes)))
			})
		})
	}
}

// BenchmarkSegment compares the word cut alone with gse's own Cut (HMM on)
// on the same text.
func BenchmarkSegment(b *testing.B) {
	texts := lawText(b, benchFiles())
	a := benchAnalyzer(b)
	b.Run("xuncha", func(b *testing.B) {
		runParallel(b, texts, 1, func(s string) { _ = a.Segment(s) })
	})
	b.Run("gse.Cut", func(b *testing.B) {
		var g gse.Segmenter
		g.SkipLog = true
		if err := g.LoadDictEmbed("zh_s"); err != nil {
			b.Fatal(err)
		}
		runParallel(b, texts, 1, func(s string) { _ = g.Cut(s, true) })
	})
}

// BenchmarkNewSegmenter measures building the dictionary: time, and the heap
// it keeps (reported as MiB-kept).
func BenchmarkNewSegmenter(b *testing.B) {
	var kept uint64
	for range b.N {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		seg, err := NewSegmenter(context.Background(), SegmenterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		kept = (m1.HeapAlloc - m0.HeapAlloc) >> 20
		runtime.KeepAlive(seg)
	}
	b.ReportMetric(float64(kept), "MiB-kept")
}

func benchFiles() int {
	if v := os.Getenv("XUNCHA_BENCH_FILES"); v != "" {
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' {
				return 300
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 300
}
