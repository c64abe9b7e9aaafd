package indexer

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/go-ego/gse"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// lawRuns returns runs of Han characters from the first files of the laws
// corpus, normalised.
func lawRuns(tb testing.TB, files int) []string {
	names := sharedcorpus.Files(tb, ".md", "corpus", "laws")
	var runs []string
	for _, name := range names[:min(files, len(names))] {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		rs := Normalize(string(b)).Runes
		for i := 0; i < len(rs); {
			if !isHan(rs[i]) {
				i++
				continue
			}
			j := i
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			runs = append(runs, string(rs[i:j]))
			i = j
		}
	}
	return runs
}

// TestCutAgreesWithGse checks that Segmenter.Cut, which re-implements gse's
// dictionary route over slices instead of maps, cuts real text as gse's own
// Cut (with HMM) does, given the same dictionary.
func TestCutAgreesWithGse(t *testing.T) {
	runs := lawRuns(t, 40)
	ours, err := NewSegmenter(context.Background(), SegmenterOptions{NoDomainLexicon: true})
	if err != nil {
		t.Fatal(err)
	}
	var g gse.Segmenter
	g.SkipLog, g.NotLoadHMM = true, true
	g.Dict = gse.NewDict()
	g.Load = true
	// gse's own dictionary from the same entries, as NewSegmenter reads
	// them.
	entries, err := readBaseDictionary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries.list {
		if e.freq <= 0 {
			continue
		}
		if err := g.Dict.AddToken(g.ToToken(e.word, e.freq, e.pos)); err != nil {
			t.Fatal(err)
		}
	}
	if g.Dict.NumTokens() != ours.Words() {
		t.Fatalf("gse's dictionary holds %d words, ours %d", g.Dict.NumTokens(), ours.Words())
	}
	same, total := 0, 0
	var diffs []string
	for _, run := range runs {
		rs := []rune(run)
		var words []string
		for _, s := range ours.Cut(rs, nil) {
			words = append(words, string(rs[s.Start:s.End]))
		}
		want := g.Cut(run, true)
		total++
		if strings.Join(words, "/") == strings.Join(want, "/") {
			same++
		} else if len(diffs) < 5 {
			diffs = append(diffs, strings.Join(words, "/")+"  vs gse  "+strings.Join(want, "/"))
		}
	}
	t.Logf("%d of %d runs cut identically", same, total)
	for _, d := range diffs {
		t.Log(d)
	}
	if same != total {
		t.Errorf("%d runs cut differently from gse", total-same)
	}
}
