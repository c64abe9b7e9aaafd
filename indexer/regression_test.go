package indexer

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/xuncha/xuncha/corpus"
)

// loadSearchFixture indexes testdata/search/passages.jsonl.
func loadSearchFixture(t *testing.T) *Index {
	t.Helper()
	f, err := os.Open("testdata/search/passages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []Passage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			ID, Kind, Title, Text, Unit, Round, Status, Date, Edition string
			Problems                                                  []string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		d, err := time.Parse("2006-01-02", r.Date)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, Passage{ID: r.ID, Kind: corpus.Kind(r.Kind), Title: r.Title, Text: r.Text, Unit: r.Unit,
			Round: r.Round, Status: r.Status, Date: d, Edition: r.Edition, Problems: r.Problems})
	}
	return openTestIndex(t, ps)
}

// TestSearchRegression runs testdata/search/queries.txt.
func TestSearchRegression(t *testing.T) {
	ix := loadSearchFixture(t)
	f, err := os.Open("testdata/search/queries.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		op, rest, _ := strings.Cut(l, " ")
		q, ids, ok := strings.Cut(rest, "\t")
		if !ok || (op != "=" && op != "~" && op != "^") {
			t.Fatalf("queries.txt line %d: malformed %q", line, l)
		}
		want := strings.Fields(ids)
		res, err := ix.Search(context.Background(), Request{Query: q, Size: 100})
		if err != nil {
			t.Errorf("line %d %q: %v", line, q, err)
			continue
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		n++
		switch op {
		case "=":
			if !slices.Equal(got, want) {
				t.Errorf("line %d %q: got %v, want exactly %v", line, q, got, want)
			}
		case "^":
			if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
				t.Errorf("line %d %q: got %v, want it to start with %v", line, q, got, want)
			}
		case "~":
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("line %d %q: got %v, want %v (any order)", line, q, got, want)
			}
		}
		if int(res.Total) != len(res.Hits) {
			t.Errorf("line %d %q: total %d but %d hits", line, q, res.Total, len(res.Hits))
		}
	}
	if n < 30 {
		t.Errorf("only %d queries ran", n)
	}
}

// TestFacetsAreExact compares the facet counts of a search, counted from
// the snapshot's facet columns and, before they are built, by bleve's split
// counting, with bleve counting every field over every match; and checks
// that a write (a new snapshot) is counted right too.
func TestFacetsAreExact(t *testing.T) {
	ix, _ := demoIndex(t)
	ix.SetCacheEntries(0) // each search computed, not served from the cache
	check := func(when string, wantColumns bool) {
		t.Helper()
		for _, q := range []string{"形式主义", "违规", "巡察", "", "的", "-巡察", "巡察 OR 整改", "单位:息县"} {
			res, err := ix.Search(context.Background(), Request{Query: q, Facets: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.facetsFromColumns != wantColumns {
				t.Fatalf("%s, %q: counted from columns %v, want %v", when, q, res.facetsFromColumns, wantColumns)
			}
			pq, _ := ParseQuery(q)
			bq, _ := ix.buildQuery(context.Background(), pq)
			req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
			for _, f := range FacetFields {
				req.AddFacet(f, bleve.NewFacetRequest(f, defaultFacetSize))
			}
			all, err := ix.alias.Search(req)
			if err != nil {
				t.Fatal(err)
			}
			want := facetCounts(all.Facets)
			for _, f := range FacetFields {
				if !slices.Equal(want[f], res.Facets[f]) {
					t.Errorf("%s, %q facet %s: %v, counting everything gives %v", when, q, f, res.Facets[f], want[f])
				}
			}
			kinds := 0
			for _, c := range res.Facets[fieldKind] {
				kinds += c.Count
			}
			if uint64(kinds) != res.Total {
				t.Errorf("%s, %q: kinds count %d passages of %d", when, q, kinds, res.Total)
			}
		}
	}
	ix.bleveFacets = true
	check("counted by bleve", false)
	ix.bleveFacets = false
	waitFacetColumns(t, ix)
	check("columns built", true)
	// A new snapshot (a finding added) gets columns of its own.
	f := &corpus.Finding{Unit: "息县县委办公室", Round: "第十轮", Description: "巡察发现形式主义问题", Problems: []string{"形式主义", "文山会海"}}
	f.ID = corpus.FindingID(f.Unit, f.Round, f.Description)
	if err := ix.Add(context.Background(), []Passage{FindingPassage(f)}); err != nil {
		t.Fatal(err)
	}
	waitFacetColumns(t, ix)
	check("after a write", true)
}

// waitFacetColumns waits until the current snapshot's facet columns are
// built.
func waitFacetColumns(t *testing.T, ix *Index) {
	t.Helper()
	for range 1000 {
		r, err := ix.snapshotReader()
		if err != nil {
			t.Fatal(err)
		}
		cols := ix.facets.columns(r)
		r.Close()
		if cols != nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the facet columns were never built")
}
