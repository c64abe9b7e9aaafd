package indexer

import (
	"context"
	"errors"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// andQuery is a query's terms and filters joined by AND, less its excluded
// terms: bleve's boolean query of must and must-not clauses, with the same
// hits and scores (TestRankedQueryAgreesWithBleve), found more cheaply.
//
// bleve's conjunction searcher moves its children to each other's matches,
// and a search term's searcher (rankedQuery) ranks every match it stops
// at: it advances the term's word and title clauses there. Most of those
// stops are not matches of the whole conjunction (行政处罚 罚款 stops at
// each of 行政处罚's 1,789 passages and 罚款's, for 128 hits), and after a
// hit bleve moves every child to its next match, ranked too. andSearcher
// moves the search terms by their must clauses alone, and ranks a term
// only where every clause matches and no excluded term does.
type andQuery struct {
	must, mustNot []query.Query
}

// bleve is the same query as bleve would search it.
func (q *andQuery) bleve() query.Query { return query.NewBooleanQuery(q.must, nil, q.mustNot) }

func (q *andQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	if o.Explain || o.IncludeTermVectors || len(q.must) == 0 {
		return q.bleve().Searcher(ctx, r, m, o)
	}
	s := &andSearcher{}
	for _, mq := range q.must {
		sub, err := mq.Searcher(ctx, r, m, o)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.subs = append(s.subs, sub)
	}
	// bleve's conjunction orders its children by count, and adds their
	// scores in that order.
	sort.Sort(searcher.OrderedSearcherList(s.subs))
	s.lazy = make([]lazyRanker, len(s.subs))
	for i, sub := range s.subs {
		if lr, ok := sub.(lazyRanker); ok && o.Score != "none" {
			s.lazy[i] = lr
		}
	}
	s.currs = make([]*search.DocumentMatch, len(s.subs))
	// Whether an excluded term matches is all that counts of it.
	for _, nq := range q.mustNot {
		sub, err := nq.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.nots = append(s.nots, sub)
	}
	s.notAt = make([]*search.DocumentMatch, len(s.nots))
	s.notEnded = make([]bool, len(s.nots))
	// As bleve's conjunction and boolean searchers: the norm from the
	// must clauses' squared weights.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// lazyRanker is a searcher whose matches can be found before they are
// ranked (rankedSearcher).
type lazyRanker interface {
	nextUnranked(ctx *search.SearchContext) (*search.DocumentMatch, error)
	advanceUnranked(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error)
	rank(ctx *search.SearchContext, dm *search.DocumentMatch) (*search.DocumentMatch, error)
}

type andSearcher struct {
	subs  []search.Searcher // the must clauses, by count
	lazy  []lazyRanker      // subs[i] as a lazyRanker, or nil
	currs []*search.DocumentMatch
	nots  []search.Searcher // the excluded terms
	notAt []*search.DocumentMatch
	// notEnded: the excluded term has no match left.
	notEnded []bool
	started  bool
	max      index.IndexInternalID // scratch: the furthest child's ID

	// When stepping (root.go's docStepper): each must clause's match and
	// its unranked score; each excluded term's match.
	stepN    []uint64
	stepS    []float64
	stepDone bool
	notN     []uint64
	notHas   []bool
}

// canStep: every must clause is a search term that steps, and every
// excluded term steps.
func (s *andSearcher) canStep() bool {
	for i := range s.subs {
		rs, ok := s.lazy[i].(*rankedSearcher)
		if !ok || !rs.canStep() {
			return false
		}
	}
	for _, n := range s.nots {
		if st, ok := n.(docStepper); !ok || !st.canStep() {
			return false
		}
	}
	return true
}

// step is Next (or Advance to target) by document numbers: the must
// clauses move unranked to a common match, which counts unless an
// excluded term holds it, and are ranked there; the score is their sum in
// order, as score sums them.
func (s *andSearcher) step(ctx *search.SearchContext, target uint64, next bool) (uint64, float64, bool, error) {
	if s.stepDone {
		return 0, 0, false, nil
	}
	move := func(i int, target uint64, next bool) (bool, error) {
		n, sc, ok, err := s.lazy[i].(*rankedSearcher).stepUnranked(ctx, target, next)
		if !ok || err != nil {
			s.stepDone = true
			return false, err
		}
		s.stepN[i], s.stepS[i] = n, sc
		return true, nil
	}
	moveAll := func() (bool, error) {
		for i := range s.subs {
			if ok, err := move(i, 0, true); !ok || err != nil {
				return false, err
			}
		}
		return true, nil
	}
	switch {
	case s.stepN == nil:
		s.stepN, s.stepS = make([]uint64, len(s.subs)), make([]float64, len(s.subs))
		s.notN, s.notHas = make([]uint64, len(s.nots)), make([]bool, len(s.nots))
		for i := range s.subs {
			if ok, err := move(i, target, false); !ok || err != nil {
				return 0, 0, false, err
			}
		}
	case next:
		// Every clause past the last match, as bleve's conjunction does.
		if ok, err := moveAll(); !ok || err != nil {
			return 0, 0, false, err
		}
	default:
		for i := range s.subs {
			if s.stepN[i] < target {
				if ok, err := move(i, target, false); !ok || err != nil {
					return 0, 0, false, err
				}
			}
		}
	}
	for {
		hi := s.stepN[0]
		for _, n := range s.stepN[1:] {
			hi = max(hi, n)
		}
		agree := true
		for i, n := range s.stepN {
			if n < hi {
				agree = false
				if ok, err := move(i, hi, false); !ok || err != nil {
					return 0, 0, false, err
				}
			}
		}
		if !agree {
			continue
		}
		excluded, err := s.excludedNum(ctx, hi)
		if err != nil {
			return 0, 0, false, err
		}
		if !excluded {
			var sum float64
			for i := range s.subs {
				sc, err := s.lazy[i].(*rankedSearcher).rankAt(ctx, s.stepS[i], hi, true, nil)
				if err != nil {
					return 0, 0, false, err
				}
				sum += sc
			}
			return hi, sum, true, nil
		}
		if ok, err := moveAll(); !ok || err != nil {
			return 0, 0, false, err
		}
	}
}

// excludedNum is excluded for a stepping search, at document number n.
func (s *andSearcher) excludedNum(ctx *search.SearchContext, n uint64) (bool, error) {
	for j, nt := range s.nots {
		if s.notEnded[j] {
			continue
		}
		if !s.notHas[j] || s.notN[j] < n {
			m, _, ok, err := nt.(docStepper).step(ctx, n, false)
			if err != nil {
				return false, err
			}
			if !ok {
				s.notEnded[j] = true
				continue
			}
			s.notN[j], s.notHas[j] = m, true
		}
		if s.notN[j] == n {
			return true, nil
		}
	}
	return false, nil
}

func (s *andSearcher) next(ctx *search.SearchContext, i int) (*search.DocumentMatch, error) {
	if s.lazy[i] != nil {
		return s.lazy[i].nextUnranked(ctx)
	}
	return s.subs[i].Next(ctx)
}

func (s *andSearcher) advance(ctx *search.SearchContext, i int, id index.IndexInternalID) error {
	ctx.DocumentMatchPool.Put(s.currs[i])
	var err error
	if s.lazy[i] != nil {
		s.currs[i], err = s.lazy[i].advanceUnranked(ctx, id)
	} else {
		s.currs[i], err = s.subs[i].Advance(ctx, id)
	}
	return err
}

func (s *andSearcher) start(ctx *search.SearchContext) error {
	s.started = true
	for i := range s.subs {
		var err error
		if s.currs[i], err = s.next(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

func (s *andSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	for {
		// Every child at or past the furthest one's match.
		s.max = s.max[:0]
		for _, c := range s.currs {
			if c == nil {
				return nil, nil
			}
			if len(s.max) == 0 || c.IndexInternalID.Compare(s.max) > 0 {
				s.max = append(s.max[:0], c.IndexInternalID...)
			}
		}
		agree := true
		for i, c := range s.currs {
			if !c.IndexInternalID.Equals(s.max) {
				agree = false
				if err := s.advance(ctx, i, s.max); err != nil {
					return nil, err
				}
			}
		}
		if !agree {
			continue
		}
		excluded, err := s.excluded(ctx, s.max)
		if err != nil {
			return nil, err
		}
		var rv *search.DocumentMatch
		if !excluded {
			if rv, err = s.score(ctx); err != nil {
				return nil, err
			}
		}
		// Every child past this passage, as bleve's conjunction does.
		for i := range s.currs {
			if s.currs[i] != rv {
				ctx.DocumentMatchPool.Put(s.currs[i])
			}
			if s.currs[i], err = s.next(ctx, i); err != nil {
				return nil, err
			}
		}
		if rv != nil {
			return rv, nil
		}
	}
}

// score ranks the lazy children at their common match and sums the
// children's scores in order, into the first child's match, as bleve's
// conjunction scorer does.
func (s *andSearcher) score(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	var sum float64
	for i, c := range s.currs {
		if s.lazy[i] != nil {
			var err error
			if c, err = s.lazy[i].rank(ctx, c); err != nil {
				return nil, err
			}
			s.currs[i] = c
		}
		sum += c.Score
	}
	rv := s.currs[0]
	rv.Score = sum
	return rv, nil
}

// excluded tells whether an excluded term matches the passage id. Matches
// come in order, so the excluded terms' searchers only move forward.
func (s *andSearcher) excluded(ctx *search.SearchContext, id index.IndexInternalID) (bool, error) {
	for j, n := range s.nots {
		if s.notEnded[j] {
			continue
		}
		if at := s.notAt[j]; at == nil || at.IndexInternalID.Compare(id) < 0 {
			if at != nil {
				ctx.DocumentMatchPool.Put(at)
			}
			at, err := n.Advance(ctx, id)
			if err != nil {
				return false, err
			}
			s.notAt[j] = at
			if at == nil {
				s.notEnded[j] = true
				continue
			}
		}
		if s.notAt[j].IndexInternalID.Equals(id) {
			return true, nil
		}
	}
	return false, nil
}

// Advance moves every child to id at least, then on as Next does.
func (s *andSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	for i, c := range s.currs {
		if c != nil && c.IndexInternalID.Compare(id) >= 0 {
			continue
		}
		if err := s.advance(ctx, i, id); err != nil {
			return nil, err
		}
	}
	return s.Next(ctx)
}

// Weight is the must clauses' (bleve's conjunction's).
func (s *andSearcher) Weight() float64 {
	var w float64
	for _, sub := range s.subs {
		w += sub.Weight()
	}
	return w
}

func (s *andSearcher) SetQueryNorm(n float64) {
	for _, sub := range s.subs {
		sub.SetQueryNorm(n)
	}
}

// Count is bleve's conjunction's worst case.
func (s *andSearcher) Count() uint64 {
	var n uint64
	for _, sub := range s.subs {
		n += sub.Count()
	}
	return n
}

func (s *andSearcher) Min() int { return 0 }

func (s *andSearcher) Size() int {
	n := 64
	for _, sub := range append(append([]search.Searcher{}, s.subs...), s.nots...) {
		n += sub.Size() + 16
	}
	return n
}

func (s *andSearcher) DocumentMatchPoolSize() int {
	n := 0
	for _, sub := range append(append([]search.Searcher{}, s.subs...), s.nots...) {
		n += sub.DocumentMatchPoolSize() + 1
	}
	return n
}

func (s *andSearcher) Close() error {
	var errs []error
	for _, sub := range append(append([]search.Searcher{}, s.subs...), s.nots...) {
		errs = append(errs, sub.Close())
	}
	return errors.Join(errs...)
}
