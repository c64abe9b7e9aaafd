package indexer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/xuncha/xuncha/corpus"
)

// facetedLawParagraphs is a sample of the laws' paragraphs with titles,
// dates, and every ninth made a finding with a unit, problem types and a
// status: every facet has values.
func facetedLawParagraphs(t *testing.T) []Passage {
	ps := lawParagraphs(t, 40)
	units := []string{"息县县委办公室", "光山县教育局", "某某市人民法院"}
	for i := range ps {
		ps[i].Kind = corpus.KindRegulation
		ps[i].Title = fmt.Sprintf("第%d号", i%50)
		ps[i].Date = time.Date(2010+i%12, 1, 1, 0, 0, 0, 0, time.UTC)
		if i%9 == 0 {
			ps[i].Kind = corpus.KindFinding
			ps[i].Unit = units[i%len(units)]
			ps[i].Problems = []string{"形式主义", "官僚主义"}[:1+i%2]
			ps[i].Status = "已整改"
		}
	}
	return ps
}

// TestSplitSearchIsExact: a search walked in two halves at once gives what
// the same search walked whole gives — total, hits in order with their
// scores, facet counts — for every kind of query and page, on one segment
// and on two.
func TestSplitSearchIsExact(t *testing.T) {
	ps := facetedLawParagraphs(t)
	rest := ps[len(ps)-300:]
	ix := openTestIndex(t, ps[:len(ps)-300])
	ix.SetCacheEntries(0)
	// One segment first: no background merge runs between the searches
	// compared (a merge changes BM25 scores; see chain_test.go).
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	queries := []string{"人民", "人民法院", "的", "法", "县级以上人民政府", "国家 工作人员", "人民法院 -判决",
		"合同 OR 协议", "\"构成犯罪的\"", "单位:息县", "类别:形式主义 整改", "年份:2015 规定", "哈哈哈哈", ""}
	pages := []struct{ from, size int }{{0, 10}, {0, 1}, {7, 5}, {0, 100}, {900, 100}}
	check := func(segments string) {
		t.Helper()
		waitFacetColumns(t, ix)
		handed := 0
		for _, q := range queries {
			for _, p := range pages {
				r := Request{Query: q, From: p.from, Size: p.size, Facets: true}
				ix.split = splitNever
				want, err := ix.Search(context.Background(), r)
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				ix.split = splitAlways
				got, err := ix.Search(context.Background(), r)
				if err != nil {
					t.Fatalf("%q split: %v", q, err)
				}
				if want.handed != -1 || got.handed < 0 {
					t.Fatalf("%q: second-half matches handed %d (whole) and %d (split): the search was not split as asked", q, want.handed, got.handed)
				}
				handed += got.handed
				where := fmt.Sprintf("%s, %q from %d size %d", segments, q, p.from, p.size)
				if got.Total != want.Total {
					t.Fatalf("%s: split total %d, whole %d", where, got.Total, want.Total)
				}
				if g, w := hitList(got), hitList(want); !slices.Equal(g, w) {
					t.Fatalf("%s: split hits\n%v\nwhole\n%v", where, g, w)
				}
				if !got.facetsFromColumns || !want.facetsFromColumns {
					t.Fatalf("%s: facets not counted from the columns", where)
				}
				for _, f := range FacetFields {
					if !slices.Equal(got.Facets[f], want.Facets[f]) {
						t.Fatalf("%s facet %s: split %v, whole %v", where, f, got.Facets[f], want.Facets[f])
					}
				}
			}
		}
		// The second halves' hits are what make the results equal; a
		// test where none reached the collector would prove little.
		if handed == 0 {
			t.Fatalf("%s: no second-half match reached the results", segments)
		}
	}
	check("one segment")
	// A second segment: the split point falls inside the first.
	if err := ix.Add(context.Background(), rest); err != nil {
		t.Fatal(err)
	}
	check("two segments")
}

// sameResults fails the test unless got (a search made the way named by
// how) has want's total, hits with their scores, and facets.
func sameResults(t *testing.T, how, where string, got, want *Result) {
	t.Helper()
	if got.Total != want.Total {
		t.Fatalf("%s: %s total %d, else %d", where, how, got.Total, want.Total)
	}
	if g, w := hitList(got), hitList(want); !slices.Equal(g, w) {
		t.Fatalf("%s: %s hits\n%v\nelse\n%v", where, how, g, w)
	}
	for _, f := range FacetFields {
		if !slices.Equal(got.Facets[f], want.Facets[f]) {
			t.Fatalf("%s facet %s: %s %v, else %v", where, f, how, got.Facets[f], want.Facets[f])
		}
	}
}

func hitList(r *Result) []string {
	out := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		out[i] = fmt.Sprintf("%s %.12g", h.ID, h.Score)
	}
	return out
}

// TestSplitSearchCancelled: a split search whose context ends returns the
// context's error, its second half stops, and the index serves the next
// search.
func TestSplitSearchCancelled(t *testing.T) {
	ix := openTestIndex(t, lawParagraphs(t, 40))
	ix.SetCacheEntries(0)
	ix.split = splitAlways
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, Request{Query: "人民", Facets: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled search: error %v, want context.Canceled", err)
	}
	res, err := ix.Search(context.Background(), Request{Query: "人民"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || res.handed < 0 {
		t.Fatalf("after the cancelled search: %d hits, handed %d", res.Total, res.handed)
	}
}

// TestAdvanceKeepsTheShouldMatch: a search term's searcher, advanced to a
// passage that its should clause (word and title) has already reached,
// still scores that passage with the clause (replay.go). Without the
// mend, bleve's boolean searcher skips the match and the passage scores as
// a bare character match.
func TestAdvanceKeepsTheShouldMatch(t *testing.T) {
	ix := openTestIndex(t, []Passage{
		{ID: "m0", Text: "工人民主"},             // 人民 as characters only
		{ID: "m1", Text: "工人民主管理"},           // the same
		{ID: "s", Text: "人民的权利"},             // 人民 as a word
		{ID: "t", Text: "人民代表", Title: "人民"}, // a word and a title
	})
	ctx := context.Background()
	res, err := ix.Search(ctx, Request{Query: "人民"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, h := range res.Hits {
		want[h.ID] = h.Score
	}
	if want["s"] <= want["m1"] {
		t.Fatalf("scores %v: the word match should outrank the characters", want)
	}
	pq, err := ParseQuery("人民")
	if err != nil {
		t.Fatal(err)
	}
	bq, err := ix.buildQuery(ctx, pq)
	if err != nil {
		t.Fatal(err)
	}
	// Through bleve's search, which sets up the scoring: the probe takes
	// the first match, then advances to s.
	sr, err := ix.alias.Search(bleve.NewSearchRequest(&advanceProbe{Query: bq, to: "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Hits) != 1 || sr.Hits[0].ID != "s" || !sameScore(sr.Hits[0].Score, want["s"]) {
		for _, h := range sr.Hits {
			t.Logf("advanced to %s, scoring %g", h.ID, h.Score)
		}
		t.Fatalf("advancing to s: want s scoring %g, as in a search", want["s"])
	}
}

// advanceProbe's searcher takes its query's first match, then yields only
// the match it advances to, at passage to.
type advanceProbe struct {
	query.Query
	to string
}

func (q *advanceProbe) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	s, err := q.Query.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	id, err := r.InternalID(q.to)
	if err != nil {
		return nil, err
	}
	return &probeSearcher{Searcher: s, to: id}, nil
}

type probeSearcher struct {
	search.Searcher
	to   index.IndexInternalID
	done bool
}

func (s *probeSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	first, err := s.Searcher.Next(ctx)
	if err != nil || first == nil {
		return nil, err
	}
	ctx.DocumentMatchPool.Put(first)
	return s.Searcher.Advance(ctx, s.to)
}

// TestSteppedSearchIsExact: walking the searchers that step by document
// numbers (root.go's docStepper) gives the totals, hits, scores and facet
// counts of bleve's collector taking a DocumentMatch per match, whole and
// split, on one segment and on several with deletions.
func TestSteppedSearchIsExact(t *testing.T) {
	ps := facetedLawParagraphs(t)
	ix := openTestIndex(t, ps[:len(ps)-300])
	ix.SetCacheEntries(0)
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	defer func() { stepWalks = true }()
	queries := []string{"人民", "人民法院", "的", "法", "县级以上人民政府", "\"构成犯罪的\"", "\"依照本法规定\"", "国家 工作人员",
		"合同 OR 协议", "单位:息县", "哈哈哈哈", "规定 -法律", "人民 判决", "人民 -法院 -政府"}
	// These step: one term or phrase, and terms joined by AND, less
	// excluded terms.
	mustStep := map[string]bool{"人民": true, "人民法院": true, "的": true, "法": true, "\"构成犯罪的\"": true,
		"\"依照本法规定\"": true, "国家 工作人员": true, "规定 -法律": true, "人民 判决": true, "人民 -法院 -政府": true}
	stepped := 0
	searchesAgree(t, ix, ps, "stepped", func(on bool) { stepWalks = on }, queries, func(q string, got, want *Result) {
		if want.stepped {
			t.Fatalf("%q: stepped with stepping off", q)
		}
		if got.stepped {
			stepped++
		} else if mustStep[q] {
			t.Fatalf("%q: did not step", q)
		}
	}, func(segments string) {
		// One-word, one-character and phrase queries step; a test where
		// none did would prove nothing.
		if stepped < len(agreePages)*len(mustStep) {
			t.Fatalf("%s: only %d searches stepped", segments, stepped)
		}
		stepped = 0
	})
}

// agreePages are the pages searchesAgree asks for.
var agreePages = []struct{ from, size int }{{0, 10}, {0, 1}, {7, 5}, {0, 100}, {900, 100}}

// searchesAgree checks that a way of searching gives what the plain way
// gives (sameResults): every query at every page of agreePages, on one
// goroutine per search and split in two, with the way off (set(false)) and
// on (set(true)). each sees both results of every search, and done ends
// each round: on ix as it is (one segment), then with the last 300 of ps
// added and every fifth of the others deleted (two segments, deletions).
func searchesAgree(t *testing.T, ix *Index, ps []Passage, how string, set func(on bool), queries []string, each func(q string, got, want *Result), done func(segments string)) {
	t.Helper()
	ctx := context.Background()
	check := func(segments string) {
		t.Helper()
		waitFacetColumns(t, ix)
		for _, split := range []splitMode{splitNever, splitAlways} {
			ix.split = split
			for _, q := range queries {
				for _, p := range agreePages {
					r := Request{Query: q, From: p.from, Size: p.size, Facets: true}
					set(false)
					want, err := ix.Search(ctx, r)
					if err != nil {
						t.Fatalf("%q: %v", q, err)
					}
					set(true)
					got, err := ix.Search(ctx, r)
					if err != nil {
						t.Fatalf("%q %s: %v", q, how, err)
					}
					each(q, got, want)
					where := fmt.Sprintf("%s, split %v, %q from %d size %d", segments, split, q, p.from, p.size)
					sameResults(t, how, where, got, want)
				}
			}
		}
		done(segments)
	}
	check("one segment")
	var dels []string
	for i, p := range ps[:len(ps)-300] {
		if i%5 == 2 {
			dels = append(dels, p.ID)
		}
	}
	if err := ix.apply(ctx, ps[len(ps)-300:], dels, 0); err != nil {
		t.Fatal(err)
	}
	check("two segments, deletions")
}

// TestWarmBuildsColumns: without Warm, the first search on a snapshot
// counts facets as bleve does (its columns are not built yet); after Warm,
// the first search counts them from the columns.
func TestWarmBuildsColumns(t *testing.T) {
	ps := lawParagraphs(t, 200)
	ctx := context.Background()
	cold := openTestIndex(t, ps)
	cold.SetCacheEntries(0)
	res, err := cold.Search(ctx, Request{Query: "人民", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.facetsFromColumns {
		t.Fatal("the first search without Warm found the columns built: the test proves nothing")
	}
	warm := openTestIndex(t, ps)
	warm.SetCacheEntries(0)
	if err := warm.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	res2, err := warm.Search(ctx, Request{Query: "人民", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res2.facetsFromColumns {
		t.Fatal("the first search after Warm counted facets as bleve does")
	}
	if res2.Total != res.Total || !slices.Equal(res2.Facets[fieldYear], res.Facets[fieldYear]) {
		t.Fatalf("warm and cold differ: %d %v, %d %v", res2.Total, res2.Facets[fieldYear], res.Total, res.Facets[fieldYear])
	}
}
