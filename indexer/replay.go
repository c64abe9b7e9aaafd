package indexer

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// A bleve v2.6 bug, and its mend.
//
// bleve's boolean searcher, asked to Advance to a document, advances its
// should clause there without looking at where that clause already stands.
// The should clause may already have yielded a match at or past the target:
// a disjunction then skips that match, because its own clauses have moved
// on. The boolean searcher is advanced whenever it is one term of several
// ("人民 法院": a conjunction of two booleans), so a passage whose should
// match was skipped this way lost its word and title scores, depending
// only on where it sat in the index. bleve fixed the same flaw for the
// must-not clause (bleve #1035, #1065), not for the should clause.
//
// replayQuery wraps the should clause. Its searcher remembers the last
// match it yielded; asked to Advance to a document at or before that
// match, it yields the match again instead of asking the clause.
// TestScoresDoNotDependOnIndexOrder checks the scores.

// replayQuery wraps a query whose searcher may be advanced to where it
// already stands.
type replayQuery struct {
	query.Query
}

func (q *replayQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	s, err := q.Query.Searcher(ctx, r, m, o)
	if err != nil {
		return nil, err
	}
	return &replaySearcher{Searcher: s}, nil
}

// replaySearcher keeps a copy of the last match it yielded: the caller owns
// (and recycles) the match itself.
type replaySearcher struct {
	search.Searcher
	has   bool
	last  search.DocumentMatch
	id    index.IndexInternalID
	locs  []search.FieldTermLocation
	ended bool
}

func (s *replaySearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	return s.remember(dm, err)
}

func (s *replaySearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.has && s.id.Compare(id) >= 0 {
		dm := ctx.DocumentMatchPool.Get()
		dm.IndexInternalID = append(dm.IndexInternalID[:0], s.id...)
		dm.Score = s.last.Score
		dm.Expl = s.last.Expl
		dm.FieldTermLocations = append(dm.FieldTermLocations[:0], s.locs...)
		return dm, nil
	}
	if s.ended {
		return nil, nil
	}
	dm, err := s.Searcher.Advance(ctx, id)
	return s.remember(dm, err)
}

func (s *replaySearcher) remember(dm *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if err != nil {
		return nil, err
	}
	if dm == nil {
		s.has, s.ended = false, true
		return nil, nil
	}
	s.has = true
	s.id = append(s.id[:0], dm.IndexInternalID...)
	s.last.Score = dm.Score
	s.last.Expl = dm.Expl
	s.locs = append(s.locs[:0], dm.FieldTermLocations...)
	return dm, nil
}
