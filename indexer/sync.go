package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/xuncha/xuncha/corpus"
)

// Source is the store as the index reads it: its change feed and the current
// state of what changed.
type Source interface {
	Changes(ctx context.Context, after uint64, limit int) ([]corpus.Change, error)
	GetDocument(ctx context.Context, id string) (*corpus.Document, error)
	GetFinding(ctx context.Context, id string) (*corpus.Finding, error)
	GetParagraph(ctx context.Context, id string) (*corpus.ParagraphRecord, error)
}

// StorePassages looks passages up in a store for showing hits.
type StorePassages struct{ Store Source }

// BatchSource is a store that reads many records in one call: one round
// trip for a page of hits rather than one per hit, which is what a
// database store costs.
type BatchSource interface {
	GetParagraphs(ctx context.Context, ids []string) (map[string]*corpus.ParagraphRecord, error)
	GetFindings(ctx context.Context, ids []string) (map[string]*corpus.Finding, error)
}

// Passages returns the passages with the given IDs that exist, by ID.
func (s StorePassages) Passages(ctx context.Context, ids []string) (map[string]*Passage, error) {
	out := make(map[string]*Passage, len(ids))
	b, ok := s.Store.(BatchSource)
	if !ok {
		for _, id := range ids {
			p, err := s.Passage(ctx, id)
			if errors.Is(err, corpus.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[id] = p
		}
		return out, nil
	}
	var paras, findings []string
	for _, id := range ids {
		if isParagraphID(id) {
			paras = append(paras, id)
		} else {
			findings = append(findings, id)
		}
	}
	if len(paras) > 0 {
		rs, err := b.GetParagraphs(ctx, paras)
		if err != nil {
			return nil, err
		}
		for id, r := range rs {
			p := ParagraphPassage(r)
			out[id] = &p
		}
	}
	if len(findings) > 0 {
		fs, err := b.GetFindings(ctx, findings)
		if err != nil {
			return nil, err
		}
		for id, f := range fs {
			p := FindingPassage(f)
			out[id] = &p
		}
	}
	return out, nil
}

func isParagraphID(id string) bool { return strings.HasPrefix(id, "d") && strings.Contains(id, "-p") }

// Passage returns the passage with the given ID: a paragraph (ID of the form
// d…-pN) or a finding. It returns an error wrapping corpus.ErrNotFound for
// an unknown ID.
func (s StorePassages) Passage(ctx context.Context, id string) (*Passage, error) {
	if isParagraphID(id) {
		r, err := s.Store.GetParagraph(ctx, id)
		if err != nil {
			return nil, err
		}
		p := ParagraphPassage(r)
		return &p, nil
	}
	f, err := s.Store.GetFinding(ctx, id)
	if err != nil {
		return nil, err
	}
	p := FindingPassage(f)
	return &p, nil
}

// SyncProgress reports a sync's progress after each batch.
type SyncProgress struct {
	AppliedSeq, LastSeq uint64
	Passages            int
}

const (
	changesPerRead    = 500
	passagesPerCommit = 2000
)

// Sync applies the store's changes that the index has not applied yet, in
// batches, recording after each batch the sequence it reached, so that a
// process killed at any moment resumes where it stopped. It returns how many
// changes it applied.
func (ix *Index) Sync(ctx context.Context, src Source, progress func(SyncProgress)) (int, error) {
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	if ix.broken.Load() {
		return 0, errIndexBroken
	}
	indexed := 0
	// A sync that turns out long is bulk indexing (see bulkgc.go).
	endBulk := func() {}
	bulk := false
	defer func() { endBulk() }()
	n, err := func() (n int, err error) {
		defer func() {
			if r := recover(); r != nil {
				// bleve can be left with its locks held: stop using this
				// instance (searches carry on from its last snapshot).
				ix.broken.Store(true)
				n, err = 0, fmt.Errorf("%w: %v", errIndexBroken, r)
			}
		}()
		return syncInto(ctx, b, ix.analyzer.Load(), src, func(p SyncProgress) {
			indexed = p.Passages
			if !bulk && indexed >= bulkAfter {
				bulk, endBulk = true, beginBulk()
			}
			if progress != nil {
				progress(p)
			}
		})
	}()
	if errors.Is(err, errIndexWrite) && ctx.Err() == nil {
		// A failed write (a full disk) leaves scorch with segments it could
		// not persist, and a later batch on it can panic. Reopen the
		// generation from what is on disk, whose applied sequence says
		// where the next sync resumes; the store holds the rest.
		if rerr := ix.reopen(); rerr != nil {
			ix.broken.Store(true)
			err = errors.Join(err, fmt.Errorf("reopen index: %w", rerr))
		}
	}
	if err == nil && indexed >= settleAfter {
		err = settle(ctx, b)
	}
	return n, err
}

var (
	// errIndexWrite wraps an error bleve returned for a write.
	errIndexWrite = errors.New("index write failed")
	// errIndexBroken: the index failed in a way that needs a restart;
	// searches still answer from the last snapshot.
	errIndexBroken = errors.New("the index failed and stopped following the store; restart xuncha")
)

// reopen closes the live generation and opens it again from disk.
func (ix *Index) reopen() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	old := ix.live
	if err := old.Close(); err != nil {
		return err
	}
	nb, _, err := openGeneration(ix.genDir(ix.gen), ix.analyzer.Load())
	if err != nil {
		return err
	}
	ix.alias.Swap([]bleve.Index{nb}, []bleve.Index{old})
	ix.live = nb
	return nil
}

// Broken reports whether the index stopped following the store after a
// failure that needs a restart.
func (ix *Index) Broken() bool { return ix.broken.Load() }

// settleAfter is how many passages a sync must index before it merges the
// small segments it left (settle): a bulk load leaves dozens, and every
// query visits each (merging one third of the laws took 2.3 s and made word
// queries about 19% faster at p50 and p99).
const settleAfter = 20_000

// bulkAfter is how many passages a sync indexes before it counts as bulk
// indexing (bulkgc.go): two batches. A rebuild of the laws that counted
// from 20,000 passages took 2.6% longer; a sync of a few batches lets the
// heap grow by some tens of megabytes at most.
var bulkAfter = 2 * passagesPerCommit

// settle merges the segments that a long sync left as the batches wrote
// them. scorch's merger runs beside the sync and merges mergeWidth segments
// at a time, so a bulk load ends with some segments of about mergeWidth
// batches each, which the merger made, and a few dozen of one batch each,
// which it had no time for. settle merges the small ones (those under half a
// merged segment) into segments of at most mergeWidth batches, and leaves the
// merged ones as they are.
//
// It used to merge everything it could, with scorch's single-segment plan
// (ten segments to a task). A rebuild of the laws was then left in 3
// segments rather than 6, and the benchmark's query mix was 5% faster at
// p50 (0.360 against 0.377 ms) and 10% at p99 (2.67 against 2.98 ms). But
// that merge rewrote 258,536 of the 341,986 passages once more, on one
// core, because scorch runs the tasks of a merge one after another, while
// the other core idled: 2.7 s against 1.0 s, a tenth of the rebuild
// ("The final merge" in doc/analysis.md).
func settle(ctx context.Context, b bleve.Index) error {
	return forceMerge(ctx, b, settlePlan())
}

// settlePlan is the merge plan of settle. scorch's planner merges segments
// under half of MaxSegmentSize, into segments under it.
func settlePlan() *mergeplan.MergePlanOptions {
	o := mergeplan.SingleSegmentMergePlanOptions
	o.MaxSegmentSize = mergeWidth * passagesPerCommit
	o.SegmentsPerMergeTask = mergeWidth
	return &o
}

// forceMerge runs one pass of scorch's force merge with the plan o.
func forceMerge(ctx context.Context, b bleve.Index, o *mergeplan.MergePlanOptions) error {
	adv, err := b.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	if err := s.ForceMerge(ctx, o); err != nil {
		return fmt.Errorf("merge segments: %w", err)
	}
	return nil
}

// syncInto applies changes to one bleve index.
//
// Batches are prepared (read from the store, analysed) on this goroutine and
// committed on others, up to two at a time: bleve builds a batch's segment on
// the goroutine that commits it, so one commit at a time would leave a core
// idle. See commitPipeline for what keeps this correct after a crash.
func syncInto(ctx context.Context, b bleve.Index, a *Analyzer, src Source, progress func(SyncProgress)) (applied int, err error) {
	seq, err := appliedSeq(b)
	if err != nil {
		return 0, fmt.Errorf("sync: %w", err)
	}
	pipe := &commitPipeline{b: b, progress: progress}
	defer func() {
		if werr := pipe.finish(err == nil); err == nil {
			err = werr
		}
	}()
	total := 0
	for {
		changes, err := src.Changes(ctx, seq, changesPerRead)
		if err != nil {
			return applied, fmt.Errorf("sync: %w", err)
		}
		if len(changes) == 0 {
			return applied, nil
		}
		var (
			ps      []Passage
			deletes []string
		)
		lastSeq := changes[len(changes)-1].Seq
		flush := func(upTo uint64) error {
			batch, err := prepareBatch(b, a, ps, deletes, 0)
			if err != nil {
				return fmt.Errorf("sync: %w", err)
			}
			total += len(ps)
			if err := pipe.submit(batch, ps, len(deletes) > 0, SyncProgress{AppliedSeq: upTo, LastSeq: lastSeq, Passages: total}); err != nil {
				return err
			}
			ps, deletes, seq = nil, nil, upTo
			return nil
		}
		// The units documents may name: those indexed so far, and those of
		// the findings in this batch (a ledger imported with its speeches).
		if err := pipe.waitAll(); err != nil {
			return applied, err
		}
		units, err := knownUnits(b)
		if err != nil {
			return applied, fmt.Errorf("sync: %w", err)
		}
		for _, ch := range changes {
			if ch.Entity == corpus.EntityFinding && ch.Op == corpus.OpPut {
				if f, err := src.GetFinding(ctx, ch.ID); err == nil && f.Unit != "" {
					units = appendUnique(units, f.Unit)
				}
			}
		}
		for _, ch := range changes {
			if ch.Entity == corpus.EntityDocument && ch.Op == corpus.OpDelete {
				// Its passages are looked up in the index.
				if err := pipe.waitAll(); err != nil {
					return applied, err
				}
			}
			add, del, err := changePassages(ctx, b, src, ch)
			mentionUnits(add, units)
			if err != nil {
				return applied, fmt.Errorf("sync change %d: %w", ch.Seq, err)
			}
			ps, deletes = append(ps, add...), append(deletes, del...)
			applied++
			if len(ps) >= passagesPerCommit {
				if err := flush(ch.Seq); err != nil {
					return applied, err
				}
			}
		}
		if err := flush(lastSeq); err != nil {
			return applied, err
		}
	}
}

// commitPipeline commits prepared batches, up to maxCommits at once, and
// keeps the index's applied sequence honest:
//
//   - A batch records its sequence in itself only if it is committed alone
//     (every earlier batch done), so a recorded sequence never runs ahead
//     of a batch still in flight. When batches overlap, the sequence is
//     recorded by the next batch committed alone or, at the end, by a batch
//     that holds only the sequence. After a crash the sync resumes from the
//     last recorded sequence and applies some changes again, which is
//     harmless: a change is applied by reading the entity's current state.
//   - Batches in flight together never touch the same passage (a later read
//     of an entity must win), and a batch with deletions is committed alone
//     (its IDs were looked up in the index before it).
type commitPipeline struct {
	b        bleve.Index
	progress func(SyncProgress)
	inFlight []*pendingCommit // oldest first
	// unrecorded is the sequence reached by batches that are done but
	// did not record it; 0 when none.
	unrecorded uint64
}

const maxCommits = 2

type pendingCommit struct {
	done      chan commitResult
	ids       map[string]struct{}
	exclusive bool
	recorded  bool
	progress  SyncProgress
}

type commitResult struct {
	err      error
	panicked any
}

// submit waits until batch may be committed, then starts committing it.
func (p *commitPipeline) submit(batch *bleve.Batch, ps []Passage, exclusive bool, prog SyncProgress) error {
	ids := make(map[string]struct{}, len(ps))
	for i := range ps {
		ids[ps[i].ID] = struct{}{}
	}
	mustWaitAll := exclusive
	for _, c := range p.inFlight {
		if c.exclusive {
			mustWaitAll = true
		}
		for id := range ids {
			if _, ok := c.ids[id]; ok {
				mustWaitAll = true
				break
			}
		}
	}
	if mustWaitAll {
		if err := p.waitAll(); err != nil {
			return err
		}
	}
	for len(p.inFlight) >= maxCommits {
		if err := p.waitOldest(); err != nil {
			return err
		}
	}
	c := &pendingCommit{done: make(chan commitResult, 1), ids: ids, exclusive: exclusive, progress: prog}
	if len(p.inFlight) == 0 {
		setAppliedSeq(batch, prog.AppliedSeq)
		c.recorded = true
	}
	p.inFlight = append(p.inFlight, c)
	n := len(ps)
	go func() {
		var res commitResult
		defer func() {
			if r := recover(); r != nil {
				res.panicked = r
			}
			c.done <- res
		}()
		if err := commitBatch(p.b, batch, n); err != nil {
			res.err = fmt.Errorf("sync: %w", err)
		}
	}()
	return nil
}

// waitOldest waits for the oldest commit in flight. A panic in it is raised
// again here, on the syncing goroutine, where Sync recovers it.
func (p *commitPipeline) waitOldest() error {
	c := p.inFlight[0]
	p.inFlight = p.inFlight[1:]
	res := <-c.done
	if res.panicked != nil {
		p.abandon()
		panic(res.panicked)
	}
	if res.err != nil {
		p.abandon()
		return res.err
	}
	if c.recorded {
		p.unrecorded = 0
	} else {
		p.unrecorded = c.progress.AppliedSeq
	}
	if p.progress != nil {
		p.progress(c.progress)
	}
	return nil
}

// waitAll waits for every commit in flight.
func (p *commitPipeline) waitAll() error {
	for len(p.inFlight) > 0 {
		if err := p.waitOldest(); err != nil {
			return err
		}
	}
	return nil
}

// abandon waits for the commits still in flight, ignoring their results:
// the sync is failing, and nothing may still write when it returns.
func (p *commitPipeline) abandon() {
	for _, c := range p.inFlight {
		<-c.done
	}
	p.inFlight = nil
	p.unrecorded = 0
}

// finish waits for every commit and, if ok, records the sequence they
// reached.
func (p *commitPipeline) finish(ok bool) error {
	if !ok {
		p.abandon()
		return nil
	}
	if err := p.waitAll(); err != nil {
		return err
	}
	if p.unrecorded == 0 {
		return nil
	}
	batch := p.b.NewBatch()
	setAppliedSeq(batch, p.unrecorded)
	p.unrecorded = 0
	return commitBatch(p.b, batch, 0)
}

// knownUnits returns the units the index has seen (findings and notice
// cases).
func knownUnits(b bleve.Index) ([]string, error) {
	var units []string
	err := eachTerm(b, fieldUnit, func(term string, _ uint64) { units = append(units, term) })
	return units, err
}

// changePassages returns what one change means for the index: passages to
// (re)index and IDs to delete. An entity deleted since the change was
// recorded is skipped; its delete change follows.
func changePassages(ctx context.Context, b bleve.Index, src Source, c corpus.Change) ([]Passage, []string, error) {
	switch {
	case c.Entity == corpus.EntityDocument && c.Op == corpus.OpPut:
		d, err := src.GetDocument(ctx, c.ID)
		if errors.Is(err, corpus.ErrNotFound) {
			return nil, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
		return PassagesOf(d), nil, nil
	case c.Entity == corpus.EntityDocument && c.Op == corpus.OpDelete:
		ids, err := documentPassageIDs(ctx, b, c.ID)
		return nil, ids, err
	case c.Entity == corpus.EntityFinding && c.Op == corpus.OpPut:
		f, err := src.GetFinding(ctx, c.ID)
		if errors.Is(err, corpus.ErrNotFound) {
			return nil, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
		return []Passage{FindingPassage(f)}, nil, nil
	case c.Entity == corpus.EntityFinding && c.Op == corpus.OpDelete:
		return nil, []string{c.ID}, nil
	}
	return nil, nil, fmt.Errorf("unknown change %s %s", c.Op, c.Entity)
}

// Reindex builds a fresh index generation from the whole change feed beside
// the live one, catches it up, and swaps it in atomically: searches keep
// being answered by the old generation until the swap, and by the new one
// after it. The old generation is then deleted.
func (ix *Index) Reindex(ctx context.Context, src Source, progress func(SyncProgress)) error {
	ix.mu.Lock()
	gen := ix.gen + 1
	ix.mu.Unlock()
	path := ix.genDir(gen)
	nb, err := createGeneration(path, ix.analyzer.Load())
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer beginBulk()()
	fail := func(err error) error {
		nb.Close()
		os.RemoveAll(path)
		return fmt.Errorf("reindex: %w", err)
	}
	if _, err := syncInto(ctx, nb, ix.analyzer.Load(), src, progress); err != nil {
		return fail(err)
	}
	if err := settle(ctx, nb); err != nil {
		return fail(err)
	}
	// Catch up with what was written meanwhile, holding off other syncs,
	// then swap.
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	if _, err := syncInto(ctx, nb, ix.analyzer.Load(), src, progress); err != nil {
		return fail(err)
	}
	if err := writeCurrent(ix.dir, gen); err != nil {
		return fail(err)
	}
	ix.mu.Lock()
	old, oldGen := ix.live, ix.gen
	ix.alias.Swap([]bleve.Index{nb}, []bleve.Index{old})
	ix.live, ix.gen = nb, gen
	ix.mu.Unlock()
	if err := old.Close(); err != nil {
		return fmt.Errorf("reindex: close old generation: %w", err)
	}
	if err := os.RemoveAll(ix.genDir(oldGen)); err != nil {
		return fmt.Errorf("reindex: remove old generation: %w", err)
	}
	return nil
}
