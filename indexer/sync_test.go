package indexer

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/google/go-cmp/cmp"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/corpus/demo"
)

// demoStore loads the embedded demo corpus into a fresh store.
func demoStore(t testing.TB) *corpus.BoltStore {
	t.Helper()
	ctx := context.Background()
	s, err := corpus.OpenBolt(ctx, filepath.Join(t.TempDir(), "store.db"), corpus.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Load(ctx, s, corpus.ParseOptions{Now: func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }}); err != nil {
		t.Fatal(err)
	}
	return s
}

// expectedIDs lists every passage the store implies: all paragraphs of all
// documents and every finding.
func expectedIDs(t testing.TB, s *corpus.BoltStore) []string {
	t.Helper()
	var ids []string
	ctx := context.Background()
	if err := s.EachDocument(ctx, func(d *corpus.Document) error {
		for _, p := range d.Paragraphs() {
			ids = append(ids, p.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.EachFinding(ctx, func(f *corpus.Finding) error { ids = append(ids, f.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// indexedIDs lists every passage in the index.
func indexedIDs(t testing.TB, ix *Index) []string {
	t.Helper()
	ids, _ := allIDs(t, ix)
	sort.Strings(ids)
	return ids
}

// storeIndex opens an empty index that shows hits from s, closed when the
// test ends.
func storeIndex(t *testing.T, s *corpus.BoltStore) *Index {
	t.Helper()
	ix, err := Open(context.Background(), filepath.Join(t.TempDir(), "index"), testAnalyzer(t), Options{Passages: StorePassages{s}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestSyncFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	s := demoStore(t)
	ix := storeIndex(t, s)
	if _, err := ix.Sync(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	want := expectedIDs(t, s)
	if diff := cmp.Diff(want, indexedIDs(t, ix)); diff != "" {
		t.Fatalf("index differs from store (-store +index):\n%s", diff)
	}
	last, _ := s.LastSeq(ctx)
	if got, _ := ix.AppliedSeq(); got != last {
		t.Errorf("applied seq %d, store at %d", got, last)
	}

	// An update, a delete and a new finding are followed.
	var someFinding *corpus.Finding
	s.EachFinding(ctx, func(f *corpus.Finding) error {
		if someFinding == nil && f.Sample {
			someFinding = f
		}
		return nil
	})
	if _, err := s.UpdateRectification(ctx, someFinding.ID, corpus.Rectification{Status: corpus.StatusDone}, "t", ""); err != nil {
		t.Fatal(err)
	}
	var someDoc string
	s.EachDocument(ctx, func(d *corpus.Document) error {
		if d.Kind == corpus.KindRegulation && someDoc == "" {
			someDoc = d.ID
		}
		return nil
	})
	if err := s.Delete(ctx, corpus.EntityDocument, someDoc, "t"); err != nil {
		t.Fatal(err)
	}
	n, err := ix.Sync(ctx, s, nil)
	if err != nil || n != 2 {
		t.Fatalf("second sync applied %d changes (%v), want 2", n, err)
	}
	if diff := cmp.Diff(expectedIDs(t, s), indexedIDs(t, ix)); diff != "" {
		t.Errorf("after update and delete (-store +index):\n%s", diff)
	}
	res, err := ix.Search(ctx, Request{Query: "状态:已整改 单位:" + someFinding.Unit, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range res.Hits {
		found = found || h.ID == someFinding.ID
	}
	if !found {
		t.Errorf("the finding whose status changed is not found under its new status")
	}
}

func TestReindexSwapsWithoutLosingAnything(t *testing.T) {
	ctx := context.Background()
	s := demoStore(t)
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(ctx, dir, testAnalyzer(t), Options{Passages: StorePassages{s}})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Sync(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	before := indexedIDs(t, ix)
	// Search keeps answering throughout the rebuild.
	done := make(chan error, 1)
	go func() { done <- ix.Reindex(ctx, s, nil) }()
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, indexedIDs(t, ix)); diff != "" {
				t.Fatalf("after reindex (-before +after):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(dir, "gen-1")); !os.IsNotExist(err) {
				t.Errorf("the old generation was not removed: %v", err)
			}
			ix.Close()
			// The new generation is what opens next time.
			ix2, err := Open(ctx, dir, testAnalyzer(t), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix2.Close()
			if n, _ := ix2.Count(); n != uint64(len(before)) {
				t.Errorf("reopened index has %d passages, want %d", n, len(before))
			}
			return
		default:
			res, err := ix.Search(ctx, Request{Query: "巡察"})
			if err != nil || res.Total == 0 {
				t.Fatalf("search during reindex (%d): %v, %d hits", i, err, res.Total)
			}
		}
	}
}

// planSegment is a segment as scorch's merge planner sees it.
type planSegment struct {
	id   uint64
	size int64
}

func (s planSegment) Id() uint64          { return s.id }
func (s planSegment) FullSize() int64     { return s.size }
func (s planSegment) LiveSize() int64     { return s.size }
func (s planSegment) HasVector() bool     { return false }
func (s planSegment) FileSize() int64     { return s.size * 600 }
func (s planSegment) LiveFileSize() int64 { return s.size * 600 }

// TestSettleMergesOnlyTheSmallSegments: on the segments a rebuild of the
// laws leaves (four that scorch's merger made, 46 of one batch each),
// settle's plan merges every small segment, into segments of at most
// mergeWidth batches, and leaves the merged ones alone.
func TestSettleMergesOnlyTheSmallSegments(t *testing.T) {
	var segs []mergeplan.Segment
	big := map[uint64]bool{}
	for i, n := range []int64{61039, 61094, 62131, 58040} {
		segs = append(segs, planSegment{uint64(i + 1), n})
		big[uint64(i+1)] = true
	}
	small := map[uint64]bool{}
	for i := range 46 {
		id := uint64(100 + i)
		segs = append(segs, planSegment{id, 1343 + int64(i*97)%2300})
		small[id] = true
	}
	plan, err := mergeplan.Plan(segs, settlePlan())
	if err != nil {
		t.Fatal(err)
	}
	merged := map[uint64]bool{}
	for _, task := range plan.Tasks {
		var size int64
		for _, s := range task.Segments {
			if big[s.Id()] {
				t.Fatalf("a task merges segment %d of %d passages, which the merger made", s.Id(), s.LiveSize())
			}
			if merged[s.Id()] {
				t.Fatalf("segment %d is in two tasks", s.Id())
			}
			merged[s.Id()] = true
			size += s.LiveSize()
		}
		if size > mergeWidth*passagesPerCommit {
			t.Errorf("a task makes a segment of %d passages, more than %d batches", size, mergeWidth)
		}
	}
	if len(merged) != len(small) {
		t.Errorf("the plan merges %d of the %d small segments", len(merged), len(small))
	}
	if after := len(big) + len(plan.Tasks); after > 7 {
		t.Errorf("the index is left in %d segments", after)
	}
}
