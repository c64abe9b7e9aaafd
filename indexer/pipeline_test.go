package indexer

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// bleveIndex lets heldIndex embed a bleve.Index, whose method Index would
// clash with the field name Index.
type bleveIndex = bleve.Index

// heldIndex holds back the commit of any batch that indexes a passage in
// hold until release is closed, so that a later batch commits first.
type heldIndex struct {
	bleveIndex
	hold    map[string]bool
	release chan struct{}
	mu      sync.Mutex
	order   []string // the first passage of each committed batch, in commit order
}

func (h *heldIndex) Batch(b *bleve.Batch) error {
	first := ""
	for id := range h.hold {
		if batchHas(b, id) {
			first = id
			<-h.release
		}
	}
	err := h.bleveIndex.Batch(b)
	h.mu.Lock()
	h.order = append(h.order, first)
	h.mu.Unlock()
	return err
}

func (h *heldIndex) committed() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.order)
}

// batchHas tells whether a batch indexes the passage id (bleve's Batch
// lists its operations only in String).
func batchHas(b *bleve.Batch, id string) bool {
	return strings.Contains(b.String(), "\tINDEX - '"+id+"'\n")
}

func passagesNamed(prefix string, n int, text string) []Passage {
	ps := make([]Passage, n)
	for i := range ps {
		ps[i] = Passage{ID: fmt.Sprintf("%s%d", prefix, i), Text: text}
	}
	return ps
}

func countMatches(t *testing.T, b bleve.Index, phrase string) uint64 {
	t.Helper()
	q, err := PhraseQuery(phrase)
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Search(bleve.NewSearchRequest(q))
	if err != nil {
		t.Fatal(err)
	}
	return r.Total
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func newPipelineIndex(t *testing.T) (bleve.Index, *Analyzer) {
	a := testAnalyzer(t)
	b, err := createGeneration(filepath.Join(t.TempDir(), "gen"), a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, a
}

// TestPipelineNeverRecordsASequenceAheadOfACommit: a batch committed while
// an earlier one is still in flight must not record its sequence, or a
// crash right then would skip the earlier batch for good.
func TestPipelineNeverRecordsASequenceAheadOfACommit(t *testing.T) {
	inner, a := newPipelineIndex(t)
	h := &heldIndex{bleveIndex: inner, hold: map[string]bool{"a0": true}, release: make(chan struct{})}
	p := &commitPipeline{b: h}
	first := passagesNamed("a", 50, "第一批的条文")
	second := passagesNamed("b", 5, "第二批的条文")
	for _, s := range []struct {
		ps  []Passage
		seq uint64
	}{{first, 10}, {second, 20}} {
		batch, err := prepareBatch(h, a, s.ps, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.submit(batch, s.ps, false, SyncProgress{AppliedSeq: s.seq}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the second batch", func() bool { return h.committed() == 1 })
	if n := countMatches(t, inner, "第二批"); n != 5 {
		t.Fatalf("second batch: %d passages indexed, want 5", n)
	}
	if seq, err := appliedSeq(inner); err != nil || seq != 0 {
		t.Fatalf("with the first batch still in flight the index records sequence %d (%v), want 0", seq, err)
	}
	close(h.release)
	if err := p.finish(true); err != nil {
		t.Fatal(err)
	}
	if seq, err := appliedSeq(inner); err != nil || seq != 20 {
		t.Fatalf("after both: sequence %d (%v), want 20", seq, err)
	}
	if n := countMatches(t, inner, "第一批"); n != 50 {
		t.Fatalf("first batch: %d passages indexed, want 50", n)
	}
}

// submitMustWait submits a second batch (ps, deleting deletes) while h holds
// the first back, checks that the submission waits for the first, releases
// it, and finishes the pipeline.
func submitMustWait(t *testing.T, h *heldIndex, p *commitPipeline, a *Analyzer, ps []Passage, deletes []string, fault string) {
	t.Helper()
	submitted := make(chan error, 1)
	go func() {
		batch, err := prepareBatch(h, a, ps, deletes, 0)
		if err == nil {
			err = p.submit(batch, ps, len(deletes) > 0, SyncProgress{AppliedSeq: 2})
		}
		submitted <- err
	}()
	select {
	case err := <-submitted:
		t.Fatalf("%s (err %v)", fault, err)
	case <-time.After(200 * time.Millisecond):
	}
	close(h.release)
	if err := <-submitted; err != nil {
		t.Fatal(err)
	}
	if err := p.finish(true); err != nil {
		t.Fatal(err)
	}
}

// TestPipelineKeepsTheLaterReadOfAPassage: a passage read again for a later
// batch (its entity changed meanwhile) must end with the later text, so a
// batch never commits beside an earlier one that holds the same passage.
func TestPipelineKeepsTheLaterReadOfAPassage(t *testing.T) {
	inner, a := newPipelineIndex(t)
	h := &heldIndex{bleveIndex: inner, hold: map[string]bool{"x0": true}, release: make(chan struct{})}
	p := &commitPipeline{b: h}
	old := passagesNamed("x", 30, "整改前的说法")
	updated := []Passage{{ID: "x0", Text: "整改后的说法"}}
	batch, err := prepareBatch(h, a, old, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.submit(batch, old, false, SyncProgress{AppliedSeq: 1}); err != nil {
		t.Fatal(err)
	}
	submitMustWait(t, h, p, a, updated, nil, "a batch holding passage x0 was let in beside another holding it")
	if n := countMatches(t, inner, "整改后"); n != 1 {
		t.Fatalf("the later text of x0: %d matches, want 1", n)
	}
	if n := countMatches(t, inner, "整改前"); n != 29 {
		t.Fatalf("the earlier text: %d matches, want 29", n)
	}
}

// TestPipelineCommitsDeletionsAlone: a batch with deletions waits for
// the batches before it, and the next waits for it.
func TestPipelineCommitsDeletionsAlone(t *testing.T) {
	inner, a := newPipelineIndex(t)
	h := &heldIndex{bleveIndex: inner, hold: map[string]bool{"d0": true}, release: make(chan struct{})}
	p := &commitPipeline{b: h}
	ps := passagesNamed("d", 10, "将要删除的段落")
	batch, _ := prepareBatch(h, a, ps, nil, 0)
	if err := p.submit(batch, ps, false, SyncProgress{AppliedSeq: 1}); err != nil {
		t.Fatal(err)
	}
	submitMustWait(t, h, p, a, passagesNamed("e", 2, "别的段落"), []string{"d1", "d2"}, "a batch with deletions was let in beside another")
	if n := countMatches(t, inner, "将要删除"); n != 8 {
		t.Fatalf("%d passages left of 10 with 2 deleted", n)
	}
}
