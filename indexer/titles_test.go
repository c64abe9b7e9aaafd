package indexer

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/xuncha/xuncha/corpus"
)

// TestTitleCountsForEveryPassage: the title's words are indexed on one
// passage of a document only, yet every passage of the document ranks
// with its title, as a passage indexed with the title would; 标题: finds
// every passage of the document; and a write (a new snapshot) is seen.
func TestTitleCountsForEveryPassage(t *testing.T) {
	const title = "中华人民共和国人民法院组织法"
	text := "人民法院审理案件，由合议庭或者法官一人独任审理。"
	ps := []Passage{
		{ID: "d1-1", DocumentID: "d1", N: 1, Kind: corpus.KindRegulation, Title: title, Text: "为了规范人民法院的设置、组织和职权，制定本法。"},
		{ID: "d1-2", DocumentID: "d1", N: 2, Kind: corpus.KindRegulation, Title: title, Text: text},
		{ID: "d1-3", DocumentID: "d1", N: 3, Kind: corpus.KindRegulation, Title: title, Text: "最高人民法院是最高审判机关。"},
		// The same text under another title.
		{ID: "d2-1", DocumentID: "d2", N: 1, Kind: corpus.KindRegulation, Title: "某某市物业管理条例", Text: "业主大会决定下列事项。"},
		{ID: "d2-2", DocumentID: "d2", N: 2, Kind: corpus.KindRegulation, Title: "某某市物业管理条例", Text: text},
		// The same text and title on a passage that carries its title.
		{ID: "d3-1", DocumentID: "d3", N: 1, Kind: corpus.KindRegulation, Title: title, Text: text},
	}
	ix := openTestIndex(t, ps)
	ix.SetCacheEntries(0)
	scores := func(q string) map[string]float64 {
		t.Helper()
		res, err := ix.Search(context.Background(), Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[h.ID] = h.Score
		}
		return out
	}
	s := scores("人民法院 审理")
	if !sameScore(s["d1-2"], s["d3-1"]) {
		t.Errorf("d1-2 (title on its first paragraph) scores %g, d3-1 (title on itself) %g: want equal", s["d1-2"], s["d3-1"])
	}
	if !(s["d1-2"] > s["d2-2"]) {
		t.Errorf("d1-2 (title holds 人民法院) scores %g, not above d2-2 (it does not) %g", s["d1-2"], s["d2-2"])
	}
	ids := func(q string) []string {
		t.Helper()
		res, err := ix.Search(context.Background(), Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		slices.Sort(out)
		return out
	}
	if got, want := ids("标题:人民法院组织法"), []string{"d1-1", "d1-2", "d1-3", "d3-1"}; !slices.Equal(got, want) {
		t.Errorf("标题:人民法院组织法 finds %v, want %v", got, want)
	}
	if got, want := ids("标题:物业管理 审理"), []string{"d2-2"}; !slices.Equal(got, want) {
		t.Errorf("标题:物业管理 审理 finds %v, want %v", got, want)
	}
	if got := ids("标题:刑法"); len(got) != 0 {
		t.Errorf("标题:刑法 finds %v, want nothing", got)
	}
	// A new document: a new snapshot, whose title column must know it.
	if err := ix.Add(context.Background(), []Passage{
		{ID: "d4-1", DocumentID: "d4", N: 1, Kind: corpus.KindRegulation, Title: title + "（2018年修订）", Text: "本法自公布之日起施行。"},
		{ID: "d4-2", DocumentID: "d4", N: 2, Kind: corpus.KindRegulation, Title: title + "（2018年修订）", Text: text},
	}); err != nil {
		t.Fatal(err)
	}
	s = scores("人民法院 审理")
	if !(s["d4-2"] > s["d2-2"]) {
		t.Errorf("after a write: d4-2 (title holds 人民法院) scores %g, not above d2-2 %g", s["d4-2"], s["d2-2"])
	}
	if got := ids("标题:人民法院组织法"); !slices.Contains(got, "d4-2") {
		t.Errorf("after a write: 标题:人民法院组织法 finds %v, without d4-2", got)
	}
}

// TestTitleColumnBuiltOnce: searches on one snapshot share one build of its
// title column, and a search whose context ends while it waits gets its
// context's error.
func TestTitleColumnBuiltOnce(t *testing.T) {
	ix := openTestIndex(t, lawParagraphs(t, 200))
	r, err := ix.snapshotReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cols := make([]*facetColumn, 8)
	errs := make([]error, len(cols))
	var wg sync.WaitGroup
	for i := range cols {
		wg.Go(func() { cols[i], errs[i] = ix.titles.column(context.Background(), r) })
	}
	wg.Wait()
	for i := range cols {
		if errs[i] != nil || cols[i] == nil || cols[i] != cols[0] {
			t.Fatalf("search %d: column %p, error %v; the first got %p", i, cols[i], errs[i], cols[0])
		}
	}
	// A build in progress on another snapshot: a waiter whose context is
	// cancelled returns at once.
	other := &titleBuild{snap: r, done: make(chan struct{})}
	ix.titles.mu.Lock()
	ix.titles.snap, ix.titles.col, ix.titles.build = nil, nil, other
	ix.titles.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.titles.column(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting with a cancelled context: %v", err)
	}
	close(other.done)
}
