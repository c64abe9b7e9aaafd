package indexer

import (
	"context"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
)

// TestBoundedRankingIsExact: with score bounds, searches give the totals,
// hits, scores and facets they give when every match is ranked, on one
// segment and on two with deletions, whole and split, for pages at the top
// and deep; and the common words' searches do leave matches unranked (a
// test where none did would prove nothing).
func TestBoundedRankingIsExact(t *testing.T) {
	ps := facetedLawParagraphs(t)
	// Titles that hold the query words, so that title scores take part
	// in the bounds.
	for i := range ps {
		switch i % 13 {
		case 0:
			ps[i].Title = fmt.Sprintf("中华人民共和国人民法院组织法第%d号", i%7)
		case 5:
			ps[i].Title = "关于规定的决定"
		}
	}
	defer func(m uint64) { boundMin = m }(boundMin)
	boundMin = 64
	ix := openTestIndex(t, ps[:len(ps)-300])
	ix.SetCacheEntries(0)
	ctx := context.Background()
	if err := compact(ctx, ix.live); err != nil {
		t.Fatal(err)
	}
	defer func() { boundScores = true }()
	queries := []string{"人民", "人民法院", "的", "法", "规定", "\"构成犯罪的\"", "国家 工作人员", "规定 -法律", "人民 -法院 -政府", "县级以上人民政府", "合同 OR 协议"}
	mustSkip := map[string]bool{"人民": true, "的": true, "法": true, "规定": true}
	skipped := map[string]uint64{}
	searchesAgree(t, ix, ps, "bounded", func(on bool) { boundScores = on }, queries, func(q string, got, want *Result) {
		if want.unranked != 0 {
			t.Fatalf("%q: %d matches unranked with bounds off", q, want.unranked)
		}
		skipped[q] += got.unranked
	}, func(segments string) {
		for q := range mustSkip {
			if skipped[q] == 0 {
				t.Fatalf("%s: %q left no match unranked", segments, q)
			}
		}
		t.Logf("%s: unranked %v", segments, skipped)
		if ix.bounds.len() == 0 {
			t.Fatal("no term's blocks were cached")
		}
		clear(skipped)
	})
}

// TestBoundCacheReadsOnce: a term's blocks are read at the first ask only,
// and the least recently used go first when the cache is full.
func TestBoundCacheReadsOnce(t *testing.T) {
	c := boundCache{max: boundEntries}
	reads := 0
	read := func() (*termBounds, error) {
		reads++
		return &termBounds{maxFreq: []uint16{uint16(reads)}}, nil
	}
	a := boundKey{"seg1", 1, "word", "人民"}
	b1, _ := c.get(a, read)
	b2, _ := c.get(a, read)
	if reads != 1 || b1 != b2 {
		t.Fatalf("read %d times, same blocks %v", reads, b1 == b2)
	}
	for i := range boundEntries {
		c.get(boundKey{"seg2", 1, "word", fmt.Sprint(i)}, read)
		if i == boundEntries/2 {
			c.get(a, read) // used: kept
		}
	}
	if c.len() != boundEntries {
		t.Fatalf("%d entries, want %d", c.len(), boundEntries)
	}
	before := reads
	c.get(a, read)
	c.get(boundKey{"seg2", 1, "word", "0"}, read)
	if reads != before+1 {
		t.Fatalf("%d reads after the cache filled: want only the evicted oldest read again", reads-before)
	}
}

// TestBoundAtGoesBack: a term's bound asked about an earlier document than
// the last (a new walk over the same postings) is that document's, not a
// later segment's.
func TestBoundAtGoesBack(t *testing.T) {
	defer func(m uint64) { boundMin = m }(boundMin)
	boundMin = 1
	_, is := mixedSnapshot(t)
	if len(is.Segments()) < 2 {
		t.Fatalf("%d segments: the test needs two", len(is.Segments()))
	}
	tq := query.NewTermQuery("人民")
	tq.SetField(fieldTextWord)
	rt, err := newRankTerm(context.Background(), is, tq)
	if err != nil {
		t.Fatal(err)
	}
	c := boundCache{max: boundEntries}
	rt.bounds = &c
	rt.setQueryNorm(1)
	first := rt.p.segs[0]
	last := rt.p.segs[len(rt.p.segs)-1]
	if first.base == last.base {
		t.Fatal("the term is in one segment only")
	}
	if first.z == nil || first.z.one {
		t.Fatal("the first segment's postings are not read from zap's bytes")
	}
	n := first.base + uint64(first.z.all.Maximum())
	want, wantOK, _, err := rt.boundAt(n)
	if err != nil || !wantOK || want <= 0 {
		t.Fatalf("a posting's bound: %v %v %v", want, wantOK, err)
	}
	if _, _, _, err := rt.boundAt(last.base); err != nil {
		t.Fatal(err)
	}
	got, gotOK, _, err := rt.boundAt(n)
	if err != nil || got != want || gotOK != wantOK {
		t.Fatalf("asked again after a later document: %v %v (%v), first %v %v", got, gotOK, err, want, wantOK)
	}
}
