package indexer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// lawParagraphs reads every stride-th file of the laws corpus and returns
// its paragraphs (non-empty lines after trimming).
func lawParagraphs(tb testing.TB, stride int) []Passage {
	tb.Helper()
	files := sharedcorpus.Files(tb, ".md", "corpus", "laws")
	var ps []Passage
	for i := 0; i < len(files); i += stride {
		b, err := os.ReadFile(files[i])
		if err != nil {
			tb.Fatal(err)
		}
		name := filepath.Base(filepath.Dir(files[i])) + "/" + filepath.Base(files[i])
		for j, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				ps = append(ps, Passage{ID: fmt.Sprintf("%s#%d", name, j), Text: line})
			}
		}
	}
	return ps
}

// squeezed is the normalised text without spaces: what phrase matching is
// defined over.
func squeezed(s string) string {
	return strings.ReplaceAll(NormalizeString(s), " ", "")
}

// TestPhraseQueriesAreExact samples substrings of law paragraphs and checks
// that a phrase query returns exactly the paragraphs that contain the
// substring: no miss where the text is cut differently from the query, no
// false hit where sub-words line up by accident (抚养费), nothing across
// punctuation (环境，保护 is not 环境保护).
func TestPhraseQueriesAreExact(t *testing.T) {
	stride := 24
	if testing.Short() {
		stride = 200
	}
	ps := lawParagraphs(t, stride)
	ix := openTestIndex(t, ps)
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = squeezed(p.Text)
	}

	rng := rand.New(rand.NewPCG(7, 2026))
	queries := []string{"抚养费", "环境，保护", "环境保护", "国家赔偿", "人民法院", "和解", "行政", "人", "第一条"}
	for len(queries) < 300 {
		rs := []rune(texts[rng.IntN(len(texts))])
		n := 1 + rng.IntN(6)
		if len(rs) < n {
			continue
		}
		i := rng.IntN(len(rs) - n + 1)
		q := string(rs[i : i+n])
		if _, err := PhraseOf(q); err != nil {
			continue // punctuation only
		}
		queries = append(queries, q)
	}
	checked := 0
	for _, q := range queries {
		var want []string
		sq := squeezed(q)
		for i, text := range texts {
			if strings.Contains(text, sq) {
				want = append(want, ps[i].ID)
			}
		}
		got, total := phraseIDs(t, ix, q, len(ps))
		slices.Sort(got)
		slices.Sort(want)
		if int(total) != len(want) || !slices.Equal(got, want) {
			t.Errorf("phrase %q: %d hits (total %d), %d paragraphs contain it", q, len(got), total, len(want))
			continue
		}
		checked++
	}
	t.Logf("%d paragraphs, %d phrase queries exact", len(ps), checked)
}

func testAnalyzer(tb testing.TB) *Analyzer {
	tb.Helper()
	a, err := defaultAnalyzer()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
