package indexer

import (
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// The root of a search's searcher tree.
//
// Two things happen there, below bleve's collector and above the query's
// own searchers:
//
//   - Facets are counted over the snapshot's facet columns as the matches
//     go by (facetcols.go).
//   - On a machine with a spare core, a large snapshot is searched by two
//     walkers at once. The document numbers are cut into ranges; each walker
//     has its own searcher, built from the same query on the same snapshot,
//     and takes the next range not yet taken until none is left, so that a
//     term crowded into a few ranges still splits evenly. One walker runs on
//     the collector's goroutine, the other on its own. Each counts its
//     matches and keeps only its best from+size. When both are done, the kept
//     matches go to bleve's collector, in document order.
//   - A search sorted by relevance whose searcher steps by document number
//     (docStepper) is walked the same way when it is not split, by one
//     walker: no DocumentMatch per match, only the kept ones.
//
// Splitting changes nothing in the result. Both walkers score against the
// same snapshot, so every match keeps its score. Any hit in the top from+size
// is among the best from+size of the walker that found it. The collector
// receives the kept matches in document order and breaks ties by arrival,
// so ties are broken by document number, as in a whole walk. Totals and
// facet counts add the walkers' full counts. TestSplitSearchIsExact compares
// split and whole searches.

// minSplitDocs is the smallest snapshot (in document numbers) searched by
// two walkers, and minSplitWork the least work, by the searcher's own
// estimate (bleve's Count: the postings its terms hold, a worst case), of a
// search split: below them, building a second searcher costs more than it
// saves (on the laws, splitting every search took the word queries' median
// from 0.57 to 0.64 ms).
const (
	minSplitDocs = 20_000
	minSplitWork = 30_000
)

// splitRanges is how many ranges of document numbers the walkers share.
const splitRanges = 16

// splitMode says when a search is split.
type splitMode int

const (
	splitWhenIdle splitMode = iota // when a core would otherwise idle
	splitNever
	splitAlways // whatever the load and the snapshot's size (tests)
)

// rootQuery wraps a search's query; its searcher is the root of the tree.
type rootQuery struct {
	query.Query
	// cache, if set, counts facets over the snapshot's columns when they
	// are ready.
	cache *facetCache
	// split allows two walkers; keep is from+size, the most matches of a
	// walker the collector may need; byScore: the search sorts by
	// relevance (a walker keeps its best matches by score).
	split   bool
	keep    int
	byScore bool
	// minSplit overrides minSplitDocs and minSplitWork (tests split small
	// indexes and light queries).
	minSplit uint64

	// After the search:
	tally *facetTally // facet counts; nil if the columns were not ready
	// extra is the matches the walkers counted but did not hand to the
	// collector: the search's total is the collector's plus extra.
	extra uint64
	// handed is how many matches the second walker handed to the
	// collector, -1 if the search was not split; stepped tells whether a
	// walker stepped (tests check both).
	handed  int
	stepped atomic.Bool
	// unranked counts the matches walkers counted without ranking them
	// (bounds.go; tests check it).
	unranked atomic.Uint64
}

// Searcher builds the wrapped query's searcher, or one per walker, on r.
func (q *rootQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	var cols *facetColumns
	if q.cache != nil {
		cols = q.cache.columns(r)
	}
	if cols != nil {
		q.tally = newFacetTally(cols)
	}
	q.handed = -1
	first, err := q.Query.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	span, ok := q.splitSpan(r)
	if ok && first.Count() < q.minWork() {
		ok = false // a light query: a second searcher would cost more than it saves
	}
	if !ok {
		// A searcher that steps by document numbers is walked by one
		// walker: its matches counted and all but the best keep dropped
		// without a DocumentMatch each.
		if _, can := stepperOf(first); can && q.byScore {
			if span, ok := snapshotSpan(r); ok {
				sp := &splitSearcher{q: q, ctx: ctx, reader: r, done: make(chan struct{}), stop: make(chan struct{})}
				sp.walkers[0] = &walker{s: first, tally: q.tally}
				sp.bounds = []uint64{0, span}
				return sp, nil
			}
		}
		if q.tally == nil {
			return first, nil
		}
		return &countingSearcher{Searcher: first, tally: q.tally}, nil
	}
	sp := &splitSearcher{q: q, ctx: ctx, done: make(chan struct{}), stop: make(chan struct{})}
	// bleve's term readers report the bytes they read to a callback in
	// the context that is not safe for concurrent use; the second walker's
	// reads go unreported.
	wctx := context.WithValue(ctx, search.SearchIOStatsCallbackKey, nil)
	second, err := q.Query.Searcher(wctx, r, m, o)
	if err != nil {
		first.Close()
		return nil, err
	}
	sp.walkers[0] = &walker{s: first, tally: q.tally}
	sp.walkers[1] = &walker{s: second}
	if cols != nil {
		sp.walkers[1].tally = newFacetTally(cols)
	}
	sp.bounds = make([]uint64, splitRanges+1)
	for i := range sp.bounds {
		sp.bounds[i] = span * uint64(i) / splitRanges
	}
	sp.reader = r
	return sp, nil
}

// splitSpan returns the number of document numbers of r, if the search
// should be split.
func (q *rootQuery) splitSpan(r index.IndexReader) (uint64, bool) {
	if !q.split {
		return 0, false
	}
	span, ok := snapshotSpan(r)
	if !ok {
		return 0, false
	}
	least := q.minSplit
	if least == 0 {
		least = minSplitDocs
	}
	return span, span >= least
}

// snapshotSpan returns the number of document numbers of r, if it is a
// scorch snapshot.
func snapshotSpan(r index.IndexReader) (uint64, bool) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok || is == nil {
		return 0, false
	}
	var span uint64
	for _, s := range is.Segments() {
		span += s.Segment().Count()
	}
	return span, true
}

// docStepper is a searcher that also steps through its matches by
// document number, with their scores, without a DocumentMatch per match:
// a walker counts them and keeps only the best (bare terms and chains on
// zap's bitmaps, and a search term ranked over one; chain.go, ranked.go).
type docStepper interface {
	// canStep tells whether the searcher, as built, steps.
	canStep() bool
	// step returns the match after the last one returned if next, else
	// the first match at or after target.
	step(ctx *search.SearchContext, target uint64, next bool) (n uint64, score float64, ok bool, err error)
}

// floorSetter is a stepper told, once a walker keeps all it can, the
// score a match must beat to be kept: it may then skip ranking a match
// that cannot (rankedSearcher, bounds.go). Its step then returns, for such
// a match, a score below the floor in place of the score.
type floorSetter interface {
	setFloor(floor float64)
	// unranked is how many matches it stepped to without ranking them.
	unranked() uint64
}

// stepWalks lets walkers step; tests turn it off to compare (no test
// runs in parallel).
var stepWalks = true

// boundScores lets a stepping walker tell its searcher a floor; tests turn
// it off to compare.
var boundScores = true

func stepperOf(s search.Searcher) (docStepper, bool) {
	st, ok := s.(docStepper)
	return st, ok && stepWalks && st.canStep()
}

func (q *rootQuery) minWork() uint64 {
	if q.minSplit != 0 {
		return 0
	}
	return minSplitWork
}

// spareCore reports whether a search that is one of inflight searches in
// progress would find a core idle for a second walker.
func spareCore(inflight int64) bool { return inflight < int64(runtime.GOMAXPROCS(0)) }

func internalID(n uint64) index.IndexInternalID {
	id := make(index.IndexInternalID, 8)
	binary.BigEndian.PutUint64(id, n)
	return id
}

// countingSearcher counts every match it yields.
type countingSearcher struct {
	search.Searcher
	tally *facetTally
}

func (s *countingSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	if dm != nil {
		s.tally.add(dm.IndexInternalID)
	}
	return dm, err
}

// Advance is not used by bleve's collector; a match found by it is
// counted all the same, so the counts never miss one.
func (s *countingSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, id)
	if dm != nil {
		s.tally.add(dm.IndexInternalID)
	}
	return dm, err
}

// splitSearcher runs the two walkers on its first Next, then yields their
// kept matches in document order.
type splitSearcher struct {
	q       *rootQuery
	ctx     context.Context
	reader  index.IndexReader
	walkers [2]*walker
	bounds  []uint64      // range i is bounds[i] ≤ document number < bounds[i+1]
	next    atomic.Int64  // the next range to take
	stop    chan struct{} // closed by Close: the second walker stops
	done    chan struct{} // closed when the second walker is done

	walked  bool
	pending []*search.DocumentMatch
	closed  bool
}

// walker is one goroutine's share of a split search.
type walker struct {
	s     search.Searcher
	tally *facetTally           // nil: facets not counted
	held  *search.DocumentMatch // a match past the range that found it
	best  worstFirst
	// A stepping walker's match past its range, and its best.
	heldDoc  scoredDoc
	holds    bool
	bestDocs worstDocFirst
	total    uint64
	err      error
	// The two walkers are allocated side by side and each writes its
	// own fields for every match: without the padding they shared a
	// cache line, which made a split search of 人 20% slower.
	_ [128]byte
}

func (sp *splitSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !sp.walked {
		sp.walked = true
		w0, w1 := sp.walkers[0], sp.walkers[1]
		if w1 == nil {
			// One walker (a stepper not split).
			close(sp.done)
			sp.walk(w0, ctx)
			if w0.err != nil {
				return nil, w0.err
			}
			sp.pending = w0.best
			sortByDocument(sp.pending)
			sp.q.extra = w0.total - uint64(len(sp.pending))
			w0.best = nil
			return sp.Next(ctx)
		}
		// Started here, not in Searcher: bleve reads the searchers'
		// sizes between the two.
		go func() {
			defer close(sp.done)
			sctx := &search.SearchContext{
				DocumentMatchPool: search.NewDocumentMatchPool(w1.s.DocumentMatchPoolSize()+sp.q.keep+1, 1),
				IndexReader:       sp.reader,
			}
			sp.walk(w1, sctx)
		}()
		sp.walk(w0, ctx)
		<-sp.done
		if w0.err != nil {
			return nil, w0.err
		}
		if w1.err != nil {
			return nil, w1.err
		}
		if w1.tally != nil && w1.tally != w0.tally {
			w0.tally.merge(w1.tally)
		}
		sp.pending = append(w0.best, w1.best...)
		sortByDocument(sp.pending)
		sp.q.extra = w0.total + w1.total - uint64(len(sp.pending))
		sp.q.handed = len(w1.best)
		w0.best, w1.best = nil, nil
	}
	if len(sp.pending) == 0 {
		return nil, nil
	}
	dm := sp.pending[0]
	sp.pending = sp.pending[1:]
	return dm, nil
}

// walk takes ranges until none is left, counting w's matches and keeping
// the best keep of them.
func (sp *splitSearcher) walk(w *walker, sctx *search.SearchContext) {
	defer func() {
		if p := recover(); p != nil {
			w.err = fmt.Errorf("search: %v", p)
		}
	}()
	if st, ok := stepperOf(w.s); ok {
		sp.q.stepped.Store(true)
		sp.walkSteps(w, st, sctx)
		return
	}
	keep := sp.q.keep
	for {
		i := int(sp.next.Add(1)) - 1
		if i >= len(sp.bounds)-1 {
			return
		}
		lo, hi := sp.bounds[i], sp.bounds[i+1]
		// A searcher only moves forward: a match held from an earlier
		// range may already lie in this one, or beyond it.
		dm := w.held
		w.held = nil
		var err error
		if dm == nil || mustDocNum(dm) < lo {
			if dm != nil {
				sctx.DocumentMatchPool.Put(dm)
			}
			dm, err = w.s.Advance(sctx, internalID(lo))
		}
		for ; dm != nil && err == nil; dm, err = w.s.Next(sctx) {
			if mustDocNum(dm) >= hi {
				w.held = dm
				break
			}
			if sp.count(w) {
				return
			}
			if w.tally != nil {
				w.tally.add(dm.IndexInternalID)
			}
			switch {
			case len(w.best) < keep:
				heap.Push(&w.best, dm)
			case keep > 0 && dm.Score > w.best[0].Score:
				// Among equal scores the earlier document is better, and
				// a walker's matches come in document order: a tie never
				// displaces.
				sctx.DocumentMatchPool.Put(w.best[0])
				w.best[0] = dm
				heap.Fix(&w.best, 0)
			default:
				sctx.DocumentMatchPool.Put(dm)
			}
		}
		if err != nil {
			w.err = err
			return
		}
		if w.held == nil {
			// The searcher is exhausted: no range after this one has a
			// match.
			return
		}
	}
}

// count counts one of w's matches and, every 1,024, tells whether the
// search has been stopped (w.err says why).
func (sp *splitSearcher) count(w *walker) bool {
	w.total++
	if w.total%1024 != 0 {
		return false
	}
	select {
	case <-sp.stop:
		w.err = context.Canceled
		return true
	case <-sp.ctx.Done():
		w.err = sp.ctx.Err()
		return true
	default:
		return false
	}
}

// walkSteps is walk for a stepper: the kept matches are document numbers
// and scores until the walk ends, then DocumentMatches.
func (sp *splitSearcher) walkSteps(w *walker, st docStepper, sctx *search.SearchContext) {
	keep := sp.q.keep
	fs, _ := st.(floorSetter)
	if !boundScores {
		fs = nil
	}
	if fs != nil && keep == 0 {
		fs.setFloor(math.Inf(1))
	}
	defer func() {
		if fs != nil {
			sp.q.unranked.Add(fs.unranked())
		}
		w.best = make(worstFirst, 0, len(w.bestDocs))
		for _, d := range w.bestDocs {
			dm := sctx.DocumentMatchPool.Get()
			dm.IndexInternalID = binary.BigEndian.AppendUint64(dm.IndexInternalID[:0], d.n)
			dm.Score = d.score
			w.best = append(w.best, dm)
		}
		w.bestDocs = nil
	}()
	for {
		i := int(sp.next.Add(1)) - 1
		if i >= len(sp.bounds)-1 {
			return
		}
		lo, hi := sp.bounds[i], sp.bounds[i+1]
		d, ok := w.heldDoc, w.holds
		w.holds = false
		var err error
		if !ok || d.n < lo {
			d.n, d.score, ok, err = st.step(sctx, lo, false)
		}
		for ; ok && err == nil; d.n, d.score, ok, err = st.step(sctx, 0, true) {
			if d.n >= hi {
				w.heldDoc, w.holds = d, true
				break
			}
			if sp.count(w) {
				return
			}
			if w.tally != nil {
				w.tally.addNum(d.n)
			}
			switch {
			case len(w.bestDocs) < keep:
				heap.Push(&w.bestDocs, d)
				if fs != nil && len(w.bestDocs) == keep {
					fs.setFloor(w.bestDocs[0].score)
				}
			case keep > 0 && d.score > w.bestDocs[0].score:
				// As in walk: a tie never displaces.
				w.bestDocs[0] = d
				heap.Fix(&w.bestDocs, 0)
				if fs != nil {
					fs.setFloor(w.bestDocs[0].score)
				}
			}
		}
		if err != nil {
			w.err = err
			return
		}
		if !w.holds {
			return
		}
	}
}

// scoredDoc is a stepping walker's match.
type scoredDoc struct {
	n     uint64
	score float64
}

// worstDocFirst is worstFirst for scoredDocs.
type worstDocFirst []scoredDoc

func (w worstDocFirst) Len() int { return len(w) }
func (w worstDocFirst) Less(i, j int) bool {
	if w[i].score != w[j].score {
		return w[i].score < w[j].score
	}
	return w[i].n > w[j].n
}
func (w worstDocFirst) Swap(i, j int) { w[i], w[j] = w[j], w[i] }
func (w *worstDocFirst) Push(x any)   { *w = append(*w, x.(scoredDoc)) }
func (w *worstDocFirst) Pop() any {
	old := *w
	x := old[len(old)-1]
	*w = old[:len(old)-1]
	return x
}

// mustDocNum is the document number of a scorch match (its internal ID is
// always the 8-byte number).
func mustDocNum(dm *search.DocumentMatch) uint64 {
	n, ok := docNum(dm.IndexInternalID)
	if !ok {
		panic(fmt.Sprintf("unexpected document number %x", []byte(dm.IndexInternalID)))
	}
	return n
}

// Advance is not used by bleve's collector at the root; it is served by
// Next, which yields matches in document order.
func (sp *splitSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	for {
		dm, err := sp.Next(ctx)
		if dm == nil || err != nil || dm.IndexInternalID.Compare(id) >= 0 {
			return dm, err
		}
		ctx.DocumentMatchPool.Put(dm)
	}
}

func (sp *splitSearcher) Weight() float64 { return sp.walkers[0].s.Weight() }

func (sp *splitSearcher) SetQueryNorm(qnorm float64) {
	for _, w := range sp.walkers {
		if w != nil {
			w.s.SetQueryNorm(qnorm)
		}
	}
}

func (sp *splitSearcher) Count() uint64 { return sp.walkers[0].s.Count() }

func (sp *splitSearcher) Min() int { return sp.walkers[0].s.Min() }

func (sp *splitSearcher) Size() int {
	n := sp.walkers[0].s.Size()
	if sp.walkers[1] != nil {
		n += sp.walkers[1].s.Size()
	}
	return n
}

// DocumentMatchPoolSize: the collector's pool serves the first walker,
// which keeps up to keep matches besides what its searcher needs.
func (sp *splitSearcher) DocumentMatchPoolSize() int {
	if _, ok := stepperOf(sp.walkers[0].s); ok {
		// A stepper takes a DocumentMatch only for each kept match and
		// a few for its title groups and scorers (the pool makes more
		// if asked): sized for its tree, the pool preallocated about 6
		// KB a search.
		return sp.q.keep + 8
	}
	return sp.walkers[0].s.DocumentMatchPoolSize() + sp.q.keep
}

// Close stops the second walker if it still runs (the search ended early),
// waits for it, and closes both searchers.
func (sp *splitSearcher) Close() error {
	if sp.closed {
		return nil
	}
	sp.closed = true
	if sp.walked {
		close(sp.stop)
		<-sp.done
	}
	var err error
	for _, w := range sp.walkers {
		if w == nil {
			continue
		}
		if err2 := w.s.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// worstFirst is a heap of matches whose root is the worst: the lowest
// score, the later document among equals.
type worstFirst []*search.DocumentMatch

func (w worstFirst) Len() int { return len(w) }
func (w worstFirst) Less(i, j int) bool {
	if w[i].Score != w[j].Score {
		return w[i].Score < w[j].Score
	}
	return w[i].IndexInternalID.Compare(w[j].IndexInternalID) > 0
}
func (w worstFirst) Swap(i, j int) { w[i], w[j] = w[j], w[i] }
func (w *worstFirst) Push(x any)   { *w = append(*w, x.(*search.DocumentMatch)) }
func (w *worstFirst) Pop() any {
	old := *w
	x := old[len(old)-1]
	*w = old[:len(old)-1]
	return x
}

func sortByDocument(ms []*search.DocumentMatch) {
	sort.Slice(ms, func(i, j int) bool { return ms[i].IndexInternalID.Compare(ms[j].IndexInternalID) < 0 })
}
