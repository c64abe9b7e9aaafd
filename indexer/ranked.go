package indexer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// rankedQuery is a search term (matchQuery's boolean query: a must clause
// that decides the match, and should groups, the term's words on the word
// field and on the title, that rank it) searched by one searcher that
// advances the groups' term searchers itself.
//
// bleve's boolean searcher reaches the should groups through a disjunction
// searcher and, per group, a conjunction searcher: for every match of the
// must clause, the disjunction advances, re-sorts and scores its children
// and allocates matches for each level. That machinery was two thirds of the
// time of a common word's search (人民, 77,168 matches). rankedSearcher
// advances each term searcher of each group to the must clause's match and
// adds the scores in bleve's own order with bleve's own coordination factor,
// with the same query norm: the same hits with the same scores
// (TestRankedQueryAgreesWithBleve). On a scorch snapshot the word groups
// have no term searchers: rankTerm reads their postings at the must
// clause's matches and gives their weights, counts and scores
// (zapread.go). With explanations, term vectors or no scoring asked for,
// bleve's boolean searcher runs instead.
type rankedQuery struct {
	b *query.BooleanQuery
	// titles gives the snapshot's title column: a group of title words
	// is scored once per title, on the carriers (titles.go).
	titles *titleCache
	// bounds keeps the words' score bounds per segment (bounds.go); nil:
	// every match is ranked.
	bounds *boundCache
}

// shouldGroups returns the should clause's groups, each a list of term
// queries, if the boolean query has the shape matchQuery builds.
func (q *rankedQuery) shouldGroups() ([][]query.Query, bool) {
	b := q.b
	if b.Must == nil || b.MustNot != nil || b.Filter != nil || b.Should == nil {
		return nil, false
	}
	sq := b.Should
	if r, ok := sq.(*replayQuery); ok {
		sq = r.Query
	}
	d, ok := sq.(*query.DisjunctionQuery)
	if !ok || d.Min != 0 || len(d.Disjuncts) == 0 {
		return nil, false
	}
	groups := make([][]query.Query, len(d.Disjuncts))
	for i, g := range d.Disjuncts {
		switch g := g.(type) {
		case *query.TermQuery:
			groups[i] = []query.Query{g}
		case *query.ConjunctionQuery:
			for _, c := range g.Conjuncts {
				if _, ok := c.(*query.TermQuery); !ok {
					return nil, false
				}
			}
			if len(g.Conjuncts) == 0 {
				return nil, false
			}
			groups[i] = g.Conjuncts
		default:
			return nil, false
		}
	}
	return groups, true
}

func (q *rankedQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	groups, ok := q.shouldGroups()
	if ok && o.Score == "none" && !o.Explain && !o.IncludeTermVectors {
		// Unscored (an excluded term): the should groups only rank, so the
		// must clause alone matches the same passages.
		return q.b.Must.Searcher(ctx, r, m, o)
	}
	if !ok || o.Explain || o.IncludeTermVectors || o.Score == "none" {
		return q.b.Searcher(ctx, r, m, o)
	}
	s := &rankedSearcher{}
	var err error
	if s.must, err = q.b.Must.Searcher(ctx, r, m, o); err != nil {
		return nil, err
	}
	is, _ := r.(*scorch.IndexSnapshot)
	for _, g := range groups {
		if !onTitles(g) && is != nil && walkBitmaps {
			// On a scorch snapshot, the words' postings are read where
			// the must clause matches (zapread.go).
			rg := &rankedGroup{}
			s.groups = append(s.groups, rg)
			for _, tq := range g {
				rt, err := newRankTerm(ctx, is, tq.(*query.TermQuery))
				if err != nil {
					s.Close()
					return nil, err
				}
				rt.bounds = q.bounds
				rg.fast = append(rg.fast, rt)
			}
			sort.Sort(byCount(rg.fast))
			continue
		}
		members := make([]search.Searcher, 0, len(g))
		for _, tq := range g {
			ts, err := tq.Searcher(ctx, r, m, o)
			if err != nil {
				s.Close()
				return nil, err
			}
			members = append(members, ts)
		}
		// bleve's conjunction searcher orders its members by count, and
		// adds their scores in that order.
		sort.Sort(searcher.OrderedSearcherList(members))
		rg := newRankedGroup(members)
		s.groups = append(s.groups, rg)
		if onTitles(g) {
			if q.titles == nil {
				s.Close()
				return nil, errors.New("search: a title group without the title column")
			}
			col, err := q.titles.column(ctx, r)
			if err != nil {
				s.Close()
				return nil, err
			}
			rg.titleCol = col
		}
	}
	// As bleve's boolean searcher: the norm from the squared weights of
	// the must clause and the should clause, told to every searcher below.
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	return s, nil
}

// rankedGroup is one should group: its members' current matches, each at
// or after the last must match the group was advanced to.
type rankedGroup struct {
	members []search.Searcher
	// fast, instead of members, reads the words' postings and scores
	// them.
	fast  []*rankTerm
	curs  []*search.DocumentMatch
	ended []bool
	// A group of title words is scored per title key: titleCol is the
	// snapshot's column, titles the scores, computed at the first match
	// (when the query norm is final).
	titleCol *facetColumn
	titles   *titleScores
}

func newRankedGroup(members []search.Searcher) *rankedGroup {
	return &rankedGroup{members: members, curs: make([]*search.DocumentMatch, len(members)), ended: make([]bool, len(members))}
}

// at advances the group's members to the passage id and returns their
// scores summed in order, and whether every member holds id. A member is
// advanced only if it stands before id: a searcher only moves forward.
func (g *rankedGroup) at(ctx *search.SearchContext, id index.IndexInternalID) (float64, bool, error) {
	var sum float64
	for i, t := range g.members {
		c := g.curs[i]
		if c == nil && g.ended[i] {
			return 0, false, nil
		}
		if c == nil || c.IndexInternalID.Compare(id) < 0 {
			if c != nil {
				ctx.DocumentMatchPool.Put(c)
			}
			var err error
			if c, err = t.Advance(ctx, id); err != nil {
				return 0, false, err
			}
			g.curs[i] = c
			if c == nil {
				g.ended[i] = true
				return 0, false, nil
			}
		}
		if !c.IndexInternalID.Equals(id) {
			return 0, false, nil
		}
		sum += c.Score
	}
	return sum, true, nil
}

// atNum is at for a group of words read by termPostings, at document
// number n.
func (g *rankedGroup) atNum(n uint64) (float64, bool, error) {
	var sum float64
	for _, t := range g.fast {
		score, ok, err := t.at(n)
		if !ok || err != nil {
			return 0, false, err
		}
		sum += score
	}
	return sum, true, nil
}

// boundNum is atNum's bound (bounds.go): at least the sum atNum returns
// at n, and false only if atNum's would be; both hold for every document
// from n to end.
func (g *rankedGroup) boundNum(n uint64) (sum float64, all bool, end uint64, err error) {
	end = math.MaxUint64
	for _, t := range g.fast {
		b, ok, e, err := t.boundAt(n)
		if err != nil {
			return 0, false, 0, err
		}
		if !ok {
			return 0, false, e, nil
		}
		sum += b
		end = min(end, e)
	}
	return sum, true, end, nil
}

// titleAt is a title group's score at document n, and whether n's title
// holds the group's words.
func (g *rankedGroup) titleAt(ctx *search.SearchContext, n uint64) (float64, bool, error) {
	if g.titles == nil {
		var err error
		if g.titles, err = scoreTitles(ctx, g.titleCol, g); err != nil {
			return 0, false, err
		}
	}
	ts, ok := g.titles.of(n)
	return ts, ok, nil
}

// onTitles reports whether a group's terms are on the title field.
func onTitles(g []query.Query) bool {
	for _, q := range g {
		if tq, ok := q.(*query.TermQuery); !ok || tq.FieldVal != fieldTitleWord {
			return false
		}
	}
	return true
}

type rankedSearcher struct {
	must   search.Searcher
	groups []*rankedGroup
	// floor, once pruning: the worst score a stepping walker keeps; a
	// match whose bound is below it is not ranked (bounds.go).
	floor   float64
	pruning bool
	skipped uint64 // matches not ranked
	// The word groups' bounds hold for documents blockStart ≤ n <
	// blockEnd: their sum, and how many groups may match.
	blockStart, blockEnd uint64
	blockSum             float64
	blockMatched         int
	blockMost            float64 // the coordination factor if all that may match do
	// The title groups, and the sum of their best scores.
	titleGroups []*rankedGroup
	titleMax    float64
}

// setFloor tells a stepping searcher the lowest score a match needs to
// be kept: every kept match scores at least floor, and a match that does
// not score more is not kept.
func (s *rankedSearcher) setFloor(floor float64) {
	s.floor, s.pruning = floor, true
}

func (s *rankedSearcher) unranked() uint64 { return s.skipped }

func (s *rankedSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	dm, err := s.must.Next(ctx)
	if dm == nil || err != nil {
		return nil, err
	}
	return s.rank(ctx, dm)
}

func (s *rankedSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	dm, err := s.must.Advance(ctx, id)
	if dm == nil || err != nil {
		return nil, err
	}
	return s.rank(ctx, dm)
}

// nextUnranked and advanceUnranked move the must clause alone: an
// andSearcher ranks only the matches of the whole conjunction (and.go).
func (s *rankedSearcher) nextUnranked(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.must.Next(ctx)
}

func (s *rankedSearcher) advanceUnranked(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.must.Advance(ctx, id)
}

// rank adds to the must clause's match the score of the should groups that
// match there, as bleve's boolean searcher would: each group's members
// summed in order, the groups summed in order and multiplied by the share
// of groups that match, the result added to the must clause's score.
func (s *rankedSearcher) rank(ctx *search.SearchContext, dm *search.DocumentMatch) (*search.DocumentMatch, error) {
	n, ok := docNum(dm.IndexInternalID)
	var err error
	dm.Score, err = s.rankAt(ctx, dm.Score, n, ok, dm.IndexInternalID)
	if err != nil {
		return nil, err
	}
	return dm, nil
}

// rankAt returns the must clause's score, score, with the groups' added
// at the passage id, whose document number is n if hasNum. id may be nil
// if every group is of words read by termPostings or of titles.
func (s *rankedSearcher) rankAt(ctx *search.SearchContext, score float64, n uint64, hasNum bool, id index.IndexInternalID) (float64, error) {
	var sum float64
	matched := 0
	for _, g := range s.groups {
		if g.titleCol != nil {
			if hasNum {
				ts, ok, err := g.titleAt(ctx, n)
				if err != nil {
					return 0, err
				}
				if ok {
					sum += ts
					matched++
				}
			}
			continue
		}
		var gsum float64
		var all bool
		var err error
		if g.fast != nil {
			if !hasNum {
				return 0, fmt.Errorf("search: unexpected document number %x", []byte(id))
			}
			gsum, all, err = g.atNum(n)
		} else {
			gsum, all, err = g.at(ctx, id)
		}
		if err != nil {
			return 0, err
		}
		if all {
			sum += gsum
			matched++
		}
	}
	if matched > 0 {
		score += sum * (float64(matched) / float64(len(s.groups)))
	}
	return score, nil
}

// canStep: the must clause steps, and every group is of words read by
// termPostings or of titles (root.go's docStepper).
func (s *rankedSearcher) canStep() bool {
	st, ok := s.must.(docStepper)
	if !ok || !st.canStep() {
		return false
	}
	for _, g := range s.groups {
		if g.fast == nil && g.titleCol == nil {
			return false
		}
	}
	return true
}

// stepUnranked steps the must clause alone, for an andSearcher that ranks
// only the whole conjunction's matches (rankAt then ranks one).
func (s *rankedSearcher) stepUnranked(ctx *search.SearchContext, target uint64, next bool) (uint64, float64, bool, error) {
	return s.must.(docStepper).step(ctx, target, next)
}

func (s *rankedSearcher) step(ctx *search.SearchContext, target uint64, next bool) (uint64, float64, bool, error) {
	n, score, ok, err := s.must.(docStepper).step(ctx, target, next)
	if !ok || err != nil {
		return 0, 0, false, err
	}
	if s.pruning {
		// A match that cannot beat the floor is counted but not ranked:
		// its bound stands for its score, and is below the floor too.
		ub, err := s.boundAt(ctx, score, n)
		if err != nil {
			return 0, 0, false, err
		}
		if ub < s.floor {
			s.skipped++
			return n, ub, true, nil
		}
	}
	score, err = s.rankAt(ctx, score, n, true, nil)
	return n, score, err == nil, err
}

func (s *rankedSearcher) Weight() float64 {
	var should float64
	for _, g := range s.groups {
		var gw float64
		for _, t := range g.members {
			gw += t.Weight()
		}
		for _, t := range g.fast {
			gw += t.weight()
		}
		should += gw
	}
	var w float64
	w += s.must.Weight()
	w += should
	return w
}

// eachMember calls f with every term searcher of every group.
func (s *rankedSearcher) eachMember(f func(search.Searcher)) {
	for _, g := range s.groups {
		for _, t := range g.members {
			f(t)
		}
	}
}

func (s *rankedSearcher) SetQueryNorm(n float64) {
	s.must.SetQueryNorm(n)
	s.eachMember(func(t search.Searcher) { t.SetQueryNorm(n) })
	for _, g := range s.groups {
		for _, t := range g.fast {
			t.setQueryNorm(n)
		}
	}
}

// Count is bleve's boolean searcher's worst case, which a conjunction
// above orders its members by.
func (s *rankedSearcher) Count() uint64 {
	n := s.must.Count()
	s.eachMember(func(t search.Searcher) { n += t.Count() })
	for _, g := range s.groups {
		for _, t := range g.fast {
			n += t.p.count
		}
	}
	return n
}

func (s *rankedSearcher) Min() int { return 0 }

func (s *rankedSearcher) Size() int {
	n := 64 + s.must.Size()
	s.eachMember(func(t search.Searcher) { n += t.Size() + 16 })
	return n
}

func (s *rankedSearcher) DocumentMatchPoolSize() int {
	n := 3 + s.must.DocumentMatchPoolSize()
	s.eachMember(func(t search.Searcher) { n += t.DocumentMatchPoolSize() + 1 })
	return n
}

func (s *rankedSearcher) Close() error {
	var errs []error
	if s.must != nil {
		errs = append(errs, s.must.Close())
	}
	s.eachMember(func(t search.Searcher) { errs = append(errs, t.Close()) })
	for _, g := range s.groups {
		for _, t := range g.fast {
			t.release()
		}
		g.fast = nil
		if g.titles != nil {
			g.titles.release()
			g.titles = nil
		}
	}
	return errors.Join(errs...)
}
