package indexer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/xuncha/xuncha/corpus"
)

// ranked returns a search's total and all its hits as "id score" lines, by
// score, hits with equal scores by ID: bleve orders those by where they sit
// in the index's segments, which a background merge can change between two
// searches.
func ranked(t *testing.T, ix *Index, q query.Query) (uint64, []string) {
	t.Helper()
	return rankedExplained(t, ix, q, false)
}

// rankedExplained is ranked, with bleve's explanations asked for or not.
func rankedExplained(t *testing.T, ix *Index, q query.Query, explain bool) (uint64, []string) {
	t.Helper()
	res, err := ix.alias.Search(bleve.NewSearchRequestOptions(q, 10000, 0, explain))
	if err != nil {
		t.Fatal(err)
	}
	if res.Total > 10000 {
		t.Fatalf("%d hits: too many to compare", res.Total)
	}
	hits := res.Hits
	sort.SliceStable(hits, func(i, j int) bool {
		if !sameScore(hits[i].Score, hits[j].Score) {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID < hits[j].ID
	})
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s %.9g", h.ID, h.Score)
	}
	return res.Total, out
}

func sameScore(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestChainQueryAgreesWithBlevePhrase: the chain query finds the same
// passages as bleve's phrase query with the same scores, alone and as the
// must clause of a search term, and never joins bigrams from two values of a
// field.
func TestChainQueryAgreesWithBlevePhrase(t *testing.T) {
	ps := lawParagraphs(t, 40)
	ps = append(ps,
		// 人民 in the text and 法院 in the unit, at positions that would
		// line up if the values were one: no match for 人民法院. The
		// unit holds 民法 too, so that the passage holds every bigram of
		// the phrase and is a candidate whose positions are read.
		Passage{ID: "cross", Kind: corpus.KindFinding, Text: "人民", Unit: "某民法院"},
		Passage{ID: "inside", Kind: corpus.KindFinding, Text: "未按规定执行", Unit: "县人民法院", Problems: []string{"形式主义"}},
	)
	ix := openTestIndex(t, ps)
	// One segment, so that no background merge runs between the searches
	// compared: bleve's BM25 takes the average field length from the size
	// of the field's term dictionaries summed over segments, so a merge
	// changes every score (CI saw it under -race).
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	if got, _ := phraseIDs(t, ix, "人民法院", 100000); contains(got, "cross") || !contains(got, "inside") {
		t.Fatalf("人民法院 across values: hits include cross=%v, inside=%v; want false, true", contains(got, "cross"), contains(got, "inside"))
	}
	rng := rand.New(rand.NewPCG(11, 2026))
	queries := []string{"人民法院", "县级以上人民政府", "国家工作人员", "土地承包经营权", "构成犯罪的", "哈哈哈哈", "人民法院人民法院",
		"形式主义", "行政处罚", "劳动合同", "未成年人", "知识产权", "滥用职权", "人民政府", "法律责任"}
	for len(queries) < 150 {
		rs := []rune(squeezed(ps[rng.IntN(len(ps))].Text))
		n := 3 + rng.IntN(6)
		if len(rs) < n {
			continue
		}
		i := rng.IntN(len(rs) - n + 1)
		queries = append(queries, string(rs[i:i+n]))
	}
	r, err := ix.snapshotReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	compared, widened, byWord := 0, 0, 0
	for _, q := range queries {
		p, err := PhraseOf(q)
		if err != nil || len(p.Bigrams) < 2 {
			continue
		}
		// bleve's phrase query over the bigrams the chain query chooses.
		terms, err := chooseCover(context.Background(), r, p.Bigrams, fieldTextBigram)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(terms) != fmt.Sprint(coverBigrams(p.Bigrams)) {
			widened++
		}
		bp := query.NewPhraseQuery(terms, fieldTextBigram)
		ch := newChainQuery(p.Bigrams, fieldTextBigram)
		wantTotal, want := ranked(t, ix, bp)
		gotTotal, got := ranked(t, ix, ch)
		if gotTotal != wantTotal || !sameRanking(got, want) {
			t.Fatalf("%q alone: chain %d hits %v\nbleve phrase %d hits %v", q, gotTotal, head(got), wantTotal, head(want))
		}
		// Explained, the chain searches through bleve's conjunction.
		if explTotal, expl := rankedExplained(t, ix, ch, true); explTotal != wantTotal || !sameRanking(expl, want) {
			t.Fatalf("%q explained: chain %d hits %v\nbleve phrase %d hits %v", q, explTotal, head(expl), wantTotal, head(want))
		}
		// As a search term's must clause, beside the word and title
		// clauses that rank.
		base, err := ix.matchQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if ch, ok := base.Must.(*chainQuery); ok && ch.word != "" {
			byWord++
		}
		withBleve := *base
		withBleve.Must = query.NewConjunctionQuery([]query.Query{bp})
		wantTotal, want = ranked(t, ix, &withBleve)
		gotTotal, got = ranked(t, ix, base)
		if gotTotal != wantTotal || !sameRanking(got, want) {
			t.Fatalf("%q as a term: chain %d hits %v\nbleve phrase %d hits %v", q, gotTotal, head(got), wantTotal, head(want))
		}
		// matchQuery leaves out conjunctions of one clause; with them
		// (as bleve's NewBooleanQuery builds it) nothing changes.
		wantTotal, want = ranked(t, ix, wrapped(&withBleve))
		if gotTotal != wantTotal || !sameRanking(got, want) {
			t.Fatalf("%q wrapped: %d hits %v\nunwrapped %d hits %v", q, wantTotal, head(want), gotTotal, head(got))
		}
		compared++
	}
	if compared < 100 {
		t.Fatalf("only %d phrases compared", compared)
	}
	if byWord < 5 {
		t.Fatalf("only %d phrases were one word: the word's shortcut went untested", byWord)
	}
	if widened == 0 {
		t.Fatal("every chain read every other bigram: the cost-based cover went untested")
	}
	t.Logf("%d phrases (%d with a cover other than every other bigram, %d one word): same hits, same scores", compared, widened, byWord)
}

// wrapped returns b with every clause that is not a conjunction put in a
// conjunction of one, as query.NewBooleanQuery builds it.
func wrapped(b *query.BooleanQuery) *query.BooleanQuery {
	wrap := func(q query.Query) query.Query {
		if _, ok := q.(*query.ConjunctionQuery); ok {
			return q
		}
		return query.NewConjunctionQuery([]query.Query{q})
	}
	var should []query.Query
	sq := b.Should
	if r, ok := sq.(*replayQuery); ok {
		sq = r.Query
	}
	if d, ok := sq.(*query.DisjunctionQuery); ok {
		for _, s := range d.Disjuncts {
			should = append(should, wrap(s))
		}
	}
	w := query.NewBooleanQuery([]query.Query{b.Must}, should, nil)
	if w.Should != nil {
		w.Should = &replayQuery{w.Should}
	}
	return w
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// sameRanking compares "id score" lines, allowing for rounding in the last
// digits of the scores.
func sameRanking(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		var ida, idb string
		var sa, sb float64
		fmt.Sscanf(a[i], "%s %g", &ida, &sa)
		fmt.Sscanf(b[i], "%s %g", &idb, &sb)
		if ida != idb || !sameScore(sa, sb) {
			return false
		}
	}
	return true
}

// TestBareTermQueryAgreesWithBleve: one- and two-character search terms find
// the same passages with the same scores as with bleve's term query, alone
// and as a search term's must clause.
func TestBareTermQueryAgreesWithBleve(t *testing.T) {
	ps := lawParagraphs(t, 60)
	ps = append(ps, Passage{ID: "f", Kind: corpus.KindFinding, Text: "未按规定执行", Unit: "息县", Round: "十", Problems: []string{"形式主义"}})
	ix := openTestIndex(t, ps)
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ text, field string }{
		{"人", fieldTextUnigram}, {"法", fieldTextUnigram}, {"赔", fieldTextUnigram}, {"鼾", fieldTextUnigram},
		{"人民", fieldTextBigram}, {"罚款", fieldTextBigram}, {"和解", fieldTextBigram}, {"，人", fieldTextBigram},
		{"息县", fieldUnitBigram}, {"县", fieldUnitUni}, {"十", fieldRoundBigram},
	}
	for _, c := range cases {
		// The term as the index holds it (，is folded to ,).
		p, err := PhraseOf(c.text)
		if err != nil {
			t.Fatal(err)
		}
		term := p.Unigram
		if term == "" {
			term = p.Bigrams[0]
		}
		bt := query.NewTermQuery(term)
		bt.SetField(c.field)
		wantTotal, want := ranked(t, ix, bt)
		gotTotal, got := ranked(t, ix, newBareTermQuery(term, c.field))
		if gotTotal != wantTotal || !sameRanking(got, want) {
			t.Fatalf("%s:%s alone: %d hits %v\nbleve's term query %d hits %v", c.field, c.text, gotTotal, head(got), wantTotal, head(want))
		}
		if c.field != fieldTextBigram {
			continue // one character: TestCharQueryAgreesWithUnigrams
		}
		base, err := ix.matchQuery(c.text)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := base.Must.(*bareTermQuery); !ok {
			t.Fatalf("%s: the must clause is a %T", c.text, base.Must)
		}
		withBleve := *base
		withBleve.Must = bt
		wantTotal, want = ranked(t, ix, &withBleve)
		gotTotal, got = ranked(t, ix, base)
		if gotTotal != wantTotal || !sameRanking(got, want) {
			t.Fatalf("%s as a term: %d hits %v\nwith bleve's term query %d hits %v", c.text, gotTotal, head(got), wantTotal, head(want))
		}
		if gotTotal == 0 && c.text != "鼾" {
			t.Fatalf("%s: no hits; the sample is too small to mean anything", c.text)
		}
	}
}

// TestReadersPathAgreesWithBleve: the chain and bare-term checks again,
// through scorch's term readers instead of zap's bitmaps (postingbits.go):
// the path the searchers fall back to where the bitmaps are not at hand.
func TestReadersPathAgreesWithBleve(t *testing.T) {
	walkBitmaps = false
	defer func() { walkBitmaps = true }()
	t.Run("chain", TestChainQueryAgreesWithBlevePhrase)
	t.Run("bare", TestBareTermQueryAgreesWithBleve)
}
