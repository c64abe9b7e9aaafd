package indexer

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

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
