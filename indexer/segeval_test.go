package indexer

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// sighanScore is precision, recall and F1 of a segmentation against gold.
type sighanScore struct{ P, R, F float64 }

// scoreSIGHAN segments every line of a SIGHAN 2005 test file with cut and
// scores the words against the gold file (words separated by spaces).
func scoreSIGHAN(tb testing.TB, test, gold string, cut func(string) []string) sighanScore {
	tb.Helper()
	tl, gl := readLines(tb, test), readLines(tb, gold)
	if len(tl) != len(gl) {
		tb.Fatalf("%s has %d lines, %s %d", test, len(tl), gold, len(gl))
	}
	var correct, ours, golds int
	for i := range tl {
		g := spansOf(strings.Fields(gl[i]))
		o := spansOf(cut(tl[i]))
		ours += len(o)
		golds += len(g)
		for s := range o {
			if g[s] {
				correct++
			}
		}
	}
	p, r := float64(correct)/float64(ours), float64(correct)/float64(golds)
	return sighanScore{p, r, 2 * p * r / (p + r)}
}

// spansOf turns words into the set of their [start,end) rune spans over the
// text with all spaces removed.
func spansOf(words []string) map[[2]int]bool {
	m := make(map[[2]int]bool, len(words))
	pos := 0
	for _, w := range words {
		n := 0
		for _, r := range w {
			if r != ' ' && r != '\u3000' {
				n++
			}
		}
		if n == 0 {
			continue
		}
		m[[2]int{pos, pos + n}] = true
		pos += n
	}
	return m
}

func readLines(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return lines
}

func segmentWords(a *Analyzer) func(string) []string {
	return func(s string) []string {
		toks := a.Segment(s)
		out := make([]string, len(toks))
		for i, t := range toks {
			out[i] = s[t.Start:t.End]
		}
		return out
	}
}

// TestSegmentationAccuracy measures word segmentation on the SIGHAN 2005 PKU
// and MSR gold standards, with and without the domain lexicon. The figures
// are reported; the floor only catches a broken segmenter (jieba-style
// dictionary segmentation scores about 0.8 on these sets).
func TestSegmentationAccuracy(t *testing.T) {
	dir := sharedcorpus.Path(t, "eval", "sighan")
	if testing.Short() {
		t.Skip("segmentation accuracy runs without -short")
	}
	ctx := context.Background()
	withLex, err := NewSegmenter(ctx, SegmenterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	noLex, err := NewSegmenter(ctx, SegmenterOptions{NoDomainLexicon: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{"pku", "msr"} {
		test, gold := dir+"/"+set+"_test.utf8", dir+"/"+set+"_test_gold.utf8"
		for name, seg := range map[string]*Segmenter{"domain lexicon": withLex, "base dictionary": noLex} {
			s := scoreSIGHAN(t, test, gold, segmentWords(NewAnalyzer(seg)))
			t.Logf("%s, %s: P=%.4f R=%.4f F1=%.4f", set, name, s.P, s.R, s.F)
			if s.F < 0.78 {
				t.Errorf("%s, %s: F1 %.4f below 0.78: segmentation is broken", set, name, s.F)
			}
		}
	}
}
