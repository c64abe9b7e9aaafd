package indexer

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/xuncha/xuncha/corpus"
)

// wordHits lists the passages whose word representation holds term.
func wordHits(t *testing.T, ix *Index, term string) []string {
	t.Helper()
	q := query.NewTermQuery(term)
	q.SetField(fieldTextWord)
	res, err := ix.alias.Search(bleve.NewSearchRequestOptions(q, 100, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return ids
}

func searchIDs(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), Request{Query: q, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestApplyLexicon: a word added at run time re-indexes exactly the passages
// containing it, after which their word representation holds it and the
// query side uses the new analysis; searches find the same passages before
// and after. A process stopped midway resumes on the next Open.
func TestApplyLexicon(t *testing.T) {
	ctx := context.Background()
	store, err := corpus.OpenBolt(ctx, filepath.Join(t.TempDir(), "store.db"), corpus.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var fs []*corpus.Finding
	for _, desc := range []string{"有的单位政务应用过多过滥，滋生数字形式主义，基层干部疲于应付", "坚决纠治数字形式主义、重留痕轻实绩等问题", "巡察组发现会议记录不规范", "督查检查考核过多过频，形式主义问题突出"} {
		f := &corpus.Finding{Unit: "区委办公室", Round: "九届区委第十轮", Description: desc, Rectification: corpus.Rectification{Status: corpus.StatusNotStarted}}
		f.ID = corpus.FindingID(f.Unit, f.Round, f.Description)
		fs = append(fs, f)
	}
	if _, err := store.Apply(ctx, corpus.Batch{Findings: fs}, "test"); err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{fs[0].ID, fs[1].ID}
	sort.Strings(wantIDs)
	ps := StorePassages{store}
	old := testAnalyzer(t)
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(ctx, dir, old, Options{Passages: ps})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, store, nil); err != nil {
		t.Fatal(err)
	}
	seg, err := NewSegmenter(ctx, SegmenterOptions{Lexicons: []*Lexicon{mustDomain(t), {Name: "store", Version: "v1", Entries: []LexiconEntry{{Word: "数字形式主义"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	next := NewAnalyzer(seg)
	if got := wordHits(t, ix, "数字形式主义"); len(got) != 0 {
		t.Fatalf("before the change the word field already holds the word: %v", got)
	}
	found := searchIDs(t, ix, "数字形式主义")
	src := store
	res, err := ix.ApplyLexicon(ctx, src, next, []string{"数字形式主义"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidates != 2 || res.Reindexed != 2 {
		t.Errorf("applied: %+v, want the 2 passages containing the word", res)
	}
	if got := wordHits(t, ix, "数字形式主义"); !slices.Equal(got, wantIDs) {
		t.Errorf("after the change the word field holds the word in %v, want a and b", got)
	}
	if ix.Analyzer().Version() != next.Version() {
		t.Errorf("the query side did not move to the new analysis")
	}
	if after := searchIDs(t, ix, "数字形式主义"); !slices.Equal(after, found) || len(found) != 2 {
		t.Errorf("search found %v before and %v after", found, after)
	}
	ix.Close()

	// Killed midway: the old analysis is recorded, the change pending.
	ix, err = Open(ctx, dir, next, Options{Passages: ps})
	if err != nil || len(ix.PendingLexicon()) != 0 {
		t.Fatalf("reopen after a finished change: %v, pending %v", err, ix.PendingLexicon())
	}
	mark, _ := json.Marshal(pendingAnalysis{Version: "rules-1/next#resume", Words: []string{"数字形式主义"}})
	ix.live.SetInternal(internalPendingKey, mark)
	ix.Close()
	resumeSeg, _ := NewSegmenter(ctx, SegmenterOptions{Lexicons: []*Lexicon{mustDomain(t), {Name: "store", Version: "v2", Entries: []LexiconEntry{{Word: "数字形式主义"}}}}})
	resume := NewAnalyzer(resumeSeg)
	mark, _ = json.Marshal(pendingAnalysis{Version: resume.Version(), Words: []string{"数字形式主义"}})
	ix, err = Open(ctx, dir, next, Options{Passages: ps})
	if err != nil {
		t.Fatal(err)
	}
	ix.live.SetInternal(internalPendingKey, mark)
	ix.Close()
	if _, err := Open(ctx, dir, old, Options{Passages: ps}); err == nil {
		t.Fatal("an index moving to another analysis opened with the old one")
	}
	ix, err = Open(ctx, dir, resume, Options{Passages: ps})
	if err != nil {
		t.Fatalf("an index stopped midway did not open with the analysis it was moving to: %v", err)
	}
	defer ix.Close()
	if w := ix.PendingLexicon(); !slices.Equal(w, []string{"数字形式主义"}) {
		t.Fatalf("pending %v", w)
	}
	if _, err := ix.ApplyLexicon(ctx, src, resume, ix.PendingLexicon(), nil); err != nil {
		t.Fatal(err)
	}
	if got := wordHits(t, ix, "数字形式主义"); !slices.Equal(got, wantIDs) {
		t.Errorf("after resuming, the word field holds the word in %v", got)
	}
}
