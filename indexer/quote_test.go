package indexer

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/longbridgeapp/opencc"

	"github.com/xuncha/xuncha/corpus"
)

// staticPassages serves passages from memory.
type staticPassages map[string]*Passage

func (s staticPassages) Passage(_ context.Context, id string) (*Passage, error) {
	if p, ok := s[id]; ok {
		return p, nil
	}
	return nil, corpus.ErrNotFound
}

func quoteIndex(t *testing.T, ps []Passage) *Index {
	t.Helper()
	src := staticPassages{}
	for i := range ps {
		src[ps[i].ID] = &ps[i]
	}
	ix, err := Open(context.Background(), filepath.Join(t.TempDir(), "index"), testAnalyzer(t), Options{Passages: src})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	for i := 0; i < len(ps); i += 1000 {
		if err := ix.Add(context.Background(), ps[i:min(i+1000, len(ps))]); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

func TestQuoteCheckDiffs(t *testing.T) {
	ix := quoteIndex(t, []Passage{
		{ID: "a", Text: "第四条 监察委员会依照法律规定独立行使监察权，不受行政机关、社会团体和个人的干涉。"},
		{ID: "b", Text: "监察机关办理职务违法和职务犯罪案件，应当与审判机关、检察机关互相配合。"},
	})
	ms, err := ix.QuoteCheck(context.Background(), "监察委员会依照法律独立行驶监察权，不受行政机关、团体和个人的干涉", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].ID != "a" || ms[0].Exact {
		t.Fatalf("matches %+v", ms)
	}
	var got [][2]string
	for _, d := range ms[0].Diffs {
		got = append(got, [2]string{d.Quote, d.Source})
		if d.Source != "" && ms[0].Text[d.Start:d.End] != d.Source {
			t.Errorf("diff %+v does not point at its source text", d)
		}
	}
	// 规定 left out, 驶 for 使, 社会 left out.
	want := [][2]string{{"", "规定"}, {"驶", "使"}, {"", "社会"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diffs (-want +got):\n%s", diff)
	}
	exact, err := ix.QuoteCheck(context.Background(), "应当与审判机关、检察机关互相配合", 5)
	if err != nil || len(exact) == 0 || !exact[0].Exact || exact[0].Similarity != 1 || len(exact[0].Diffs) != 0 {
		t.Errorf("exact quotation: %+v %v", exact, err)
	}
	if _, err := ix.QuoteCheck(context.Background(), "监察", 5); err == nil {
		t.Error("a two-character quotation was accepted")
	}
}

// TestQuoteCheckFindsPerturbedQuotations: 200 quotations sampled from real
// law paragraphs and perturbed as people misremember them; the true source
// must come first for at least 95%.
func TestQuoteCheckFindsPerturbedQuotations(t *testing.T) {
	stride := 12
	if testing.Short() {
		stride = 60
	}
	ps := lawParagraphs(t, stride)
	ix := quoteIndex(t, ps)
	s2t, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 7714))
	punct := []string{"，", "、", "。", "；", "：", " ", ""}
	common := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经")
	perturb := func(s string) (string, string) {
		r := []rune(s)
		kind := rng.IntN(4)
		switch kind {
		case 0: // punctuation changed or dropped
			var b strings.Builder
			for _, c := range r {
				if strings.ContainsRune("，、。；：（）《》“”", c) {
					b.WriteString(punct[rng.IntN(len(punct))])
				} else {
					b.WriteRune(c)
				}
			}
			return b.String(), "punctuation"
		case 1: // one or two characters changed
			for k := 0; k < 1+rng.IntN(2); k++ {
				i := rng.IntN(len(r))
				if isHan(r[i]) {
					r[i] = common[rng.IntN(len(common))]
				}
			}
			return string(r), "changed"
		case 2: // one or two characters dropped
			for k := 0; k < 1+rng.IntN(2) && len(r) > 10; k++ {
				i := rng.IntN(len(r))
				r = append(r[:i], r[i+1:]...)
			}
			return string(r), "dropped"
		default: // traditional characters
			t, err := s2t.Convert(s)
			if err != nil {
				return s, "traditional"
			}
			return t, "traditional"
		}
	}
	var lat []time.Duration
	right, total := 0, 0
	byKind := map[string][2]int{}
	for total < 200 {
		p := ps[rng.IntN(len(ps))]
		r := []rune(p.Text)
		if len(r) < 40 {
			continue
		}
		n := 15 + rng.IntN(26)
		i := rng.IntN(len(r) - n)
		orig := string(r[i : i+n])
		if len(coreRunes(Normalize(orig)).runes) < 12 {
			continue
		}
		quote, kind := perturb(orig)
		t0 := time.Now()
		ms, err := ix.QuoteCheck(context.Background(), quote, 5)
		lat = append(lat, time.Since(t0))
		if err != nil {
			t.Fatalf("%q: %v", quote, err)
		}
		total++
		k := byKind[kind]
		k[1]++
		// Right when the first match contains the original: identical
		// text in several laws or editions is the same source.
		if len(ms) > 0 && strings.Contains(squeezed(ms[0].Text), squeezed(orig)) {
			right++
			k[0]++
		} else if len(ms) > 0 {
			t.Logf("%s: %q → first %q (%.2f)", kind, quote, truncateRunes(ms[0].Text, 50), ms[0].Similarity)
		} else {
			t.Logf("%s: %q → nothing", kind, quote)
		}
		byKind[kind] = k
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("%d of %d quotations found their source first (%.1f%%) over %d paragraphs; by perturbation %v; latency p50 %v p99 %v",
		right, total, 100*float64(right)/float64(total), len(ps), byKind, lat[len(lat)/2], lat[len(lat)*99/100])
	if right*100 < total*95 {
		t.Errorf("only %d of %d quotations found their source first; want at least 95%%", right, total)
	}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
