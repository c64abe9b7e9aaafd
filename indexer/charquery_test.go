package indexer

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/xuncha/xuncha/corpus"
)

// everyUnigramIndex indexes ps as the index did before it kept only each
// value's last unigram (charquery.go): every letter, digit and Chinese
// character in the unigram fields. It is the oracle of the char query.
func everyUnigramIndex(t *testing.T, ps []Passage) *Index {
	t.Helper()
	ix := openTestIndex(t, nil)
	batch := ix.live.NewBatch()
	fa := &fieldAnalyser{a: testAnalyzer(t), everyUnigram: true}
	for i := range ps {
		doc := passageDocument(&ps[i], fa)
		if i == 0 {
			completeFields(doc)
		}
		if err := batch.IndexAdvanced(doc); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.live.Batch(batch); err != nil {
		t.Fatal(err)
	}
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestCharQueryAgreesWithUnigrams: a one-character search on the index of
// last unigrams finds the passages, and ranks them with the scores, that
// the unigram of every character found and gave; so does a one-character
// unit filter. On bitmaps, cached and not, and on scorch's readers.
func TestCharQueryAgreesWithUnigrams(t *testing.T) {
	ctx := context.Background()
	ps := lawParagraphs(t, 60)
	ps = append(ps,
		Passage{ID: "f", Kind: corpus.KindFinding, Text: "未按规定执行，鼾声如雷", Unit: "息县", Problems: []string{"形式主义"}},
		Passage{ID: "one", Kind: corpus.KindFinding, Text: "齁"},
		Passage{ID: "iso", Kind: corpus.KindFinding, Text: "ISO 9001 认证 x", Unit: "县"},
		Passage{ID: "end", Kind: corpus.KindFinding, Text: "到此为止。赔"},
		Passage{ID: "ext", Kind: corpus.KindFinding, Text: "𠀀𠀁"}, // beyond the BMP: four bytes each
	)
	ix := openTestIndex(t, ps)
	if err := compact(ctx, ix.live); err != nil {
		t.Fatal(err)
	}
	old := everyUnigramIndex(t, ps)
	chars := []string{"人", "法", "的", "赔", "鼾", "雷", "齁", "县", "x", "9", "I", "鑫", "𠀀", "𠀁", "，"}
	for _, walk := range []bool{true, false} {
		walkBitmaps = walk
		for round := range 2 { // the second from the cache
			for _, c := range chars {
				base, err := ix.matchQuery(c)
				if c == "，" {
					if err == nil {
						t.Fatalf("%s: a query", c)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := base.Must.(*charQuery); !ok {
					t.Fatalf("%s: the must clause is a %T", c, base.Must)
				}
				want, err := old.matchQuery(c)
				if err != nil {
					t.Fatal(err)
				}
				p, err := PhraseOf(c) // the character as the index holds it (I is i)
				if err != nil {
					t.Fatal(err)
				}
				want.Must = newBareTermQuery(p.Unigram, fieldTextUnigram)
				wantTotal, wantHits := ranked(t, old, want)
				gotTotal, gotHits := ranked(t, ix, base)
				if !walk {
					// bleve's disjunction weighs the clause otherwise:
					// the same passages, other scores.
					wantHits, gotHits = idsOf(wantHits), idsOf(gotHits)
					slices.Sort(wantHits)
					slices.Sort(gotHits)
				}
				if gotTotal != wantTotal || !slices.Equal(gotHits, wantHits) {
					t.Fatalf("walk %v, round %d, %s: %d hits %v\nevery unigram: %d hits %v", walk, round, c, gotTotal, head(gotHits), wantTotal, head(wantHits))
				}
				if wantTotal == 0 && c != "鑫" {
					t.Fatalf("%s: no hits; the sample does not test it", c)
				}
				// The unit filter.
				u := query.NewTermQuery(p.Unigram)
				u.SetField(fieldUnitUni)
				wantTotal, wantHits = ranked(t, old, u)
				gotTotal, gotHits = ranked(t, ix, newCharQuery(p.Unigram, fieldUnitBigram, fieldUnitUni))
				if gotTotal != wantTotal || !slices.Equal(idsOf(gotHits), idsOf(wantHits)) {
					t.Fatalf("walk %v, 单位:%s: %d hits %v, every unigram: %d hits %v", walk, c, gotTotal, gotHits, wantTotal, wantHits)
				}
			}
		}
	}
	walkBitmaps = true
	if ix.chars.len() == 0 {
		t.Fatal("no union was cached")
	}
}

// idsOf drops the scores of ranked's lines.
func idsOf(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		fmt.Sscan(l, &out[i])
	}
	return out
}
