package indexer

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// chainQuery matches the passages whose field holds a chain of bigrams at
// consecutive positions, within one value of the field: the exact phrase of
// analysis.md. It searches a cover of the chain (see chooseCover): enough
// of the bigrams to fix every character.
//
// It is bleve's phrase query without its costs. bleve's PhraseSearcher
// checks a candidate by building maps of every term's locations
// (DocumentMatch.Complete) and searching them recursively for paths; that
// took over half the time of a word query on the laws. chainSearcher checks
// the same locations in place. Candidates and scores are those of bleve's
// conjunction of term searchers, as in bleve's phrase searcher, so results
// and ranking are unchanged (TestChainQueryAgreesWithBlevePhrase).
type chainQuery struct {
	bigrams []string
	field   string
	boost   float64
	// word, if set, is the chain's text as one term of wordField: a
	// passage holding that word holds the chain, so its positions need
	// not be read (see chainSearcher).
	word, wordField string
}

func newChainQuery(bigrams []string, field string) *chainQuery {
	return &chainQuery{bigrams: bigrams, field: field, boost: 1}
}

// chooseCover returns the bigrams of the chain to search, with "" for those
// left out: coverBigrams (every other one, and the last), plus the rarest
// of the others if it is in fewer than half as many passages as the rarest
// of those. The conjunction is driven by its rarest term, and zap reads a
// common bigram's positions for every candidate: 数据安全 is 数据 and 安全,
// both common, but 据安 is rare. On half the laws, searching the rare one too
// took 国家工作人员 from 1.48 to 0.95 ms, 国家赔偿 from 0.46 to 0.36 ms.
// Adding a bigram that is not rare slows the search (人民法院: 民法 is nearly
// as common as 法院), so only a much rarer one is added. Any cover finds the same passages, and
// the bigrams score nothing (no frequencies), so the choice changes no
// result.
func chooseCover(ctx context.Context, r index.IndexReader, bigrams []string, field string) ([]string, error) {
	cover := coverBigrams(bigrams)
	if len(bigrams) < 3 {
		return cover, nil
	}
	df := func(term string) (uint64, error) {
		tr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		return tr.Count(), nil
	}
	rarestCover, rarestGap, gap := uint64(math.MaxUint64), uint64(math.MaxUint64), -1
	for i, b := range bigrams {
		n, err := df(b)
		if err != nil {
			return nil, err
		}
		if cover[i] != "" {
			rarestCover = min(rarestCover, n)
		} else if n < rarestGap {
			rarestGap, gap = n, i
		}
	}
	if gap >= 0 && rarestGap < rarestCover/2 {
		cover[gap] = bigrams[gap]
	}
	return cover, nil
}

// text is the chain's characters.
func (q *chainQuery) text() string {
	var b strings.Builder
	for i, bg := range q.bigrams {
		if i == 0 {
			b.WriteString(bg)
			continue
		}
		_, n := utf8.DecodeRuneInString(bg)
		b.WriteString(bg[n:])
	}
	return b.String()
}

// SetBoost and Boost make chainQuery a query.BoostableQuery.
func (q *chainQuery) SetBoost(b float64) { q.boost = b }
func (q *chainQuery) Boost() float64     { return q.boost }

// Searcher implements query.Query.
func (q *chainQuery) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	terms, err := chooseCover(ctx, r, q.bigrams, q.field)
	if err != nil {
		return nil, err
	}
	options.IncludeTermVectors = true
	s := &chainSearcher{field: q.field}
	var subs []search.Searcher
	closeAll := func() {
		for _, sub := range subs {
			sub.Close()
		}
	}
	for k, t := range terms {
		if t == "" {
			continue
		}
		ts, err := searcher.NewTermSearcher(ctx, r, t, q.field, q.boost, options)
		if err != nil {
			closeAll()
			return nil, err
		}
		subs = append(subs, ts)
		s.terms = append(s.terms, t)
		s.offsets = append(s.offsets, uint64(k))
	}
	must, err := searcher.NewConjunctionSearcher(ctx, r, subs, options)
	if err != nil {
		closeAll()
		return nil, err
	}
	s.must = must
	// As bleve's phrase searcher normalises its conjunction (a Boolean
	// around it sets the norm again).
	s.must.SetQueryNorm(1 / math.Sqrt(s.must.Weight()))
	if q.word != "" && options.Score != "none" {
		if err := s.withWord(ctx, r, terms, q.field, q.word, q.wordField); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// withWord sets the searcher to find its candidates without positions (a
// conjunction of the cover's posting lists, which scorch intersects as
// bitmaps) and to read positions only for the candidates that do not hold
// word in wordField.
func (s *chainSearcher) withWord(ctx context.Context, r index.IndexReader, terms []string, field, word, wordField string) error {
	clean := search.SearcherOptions{Score: "none"}
	var subs []search.Searcher
	for _, t := range terms {
		if t == "" {
			continue
		}
		ts, err := searcher.NewTermSearcher(ctx, r, t, field, 1, clean)
		if err != nil {
			for _, sub := range subs {
				sub.Close()
			}
			return err
		}
		subs = append(subs, ts)
	}
	cands, err := searcher.NewConjunctionSearcher(ctx, r, subs, clean)
	if err != nil {
		for _, sub := range subs {
			sub.Close()
		}
		return err
	}
	s.cands = cands
	s.word, err = r.TermFieldReader(ctx, []byte(word), wordField, false, false, false)
	return err
}

type chainSearcher struct {
	must    search.Searcher // the cover's term searchers, with positions
	field   string
	terms   []string
	offsets []uint64

	// With a word (withWord): candidates come from cands; those in the
	// word's posting list match without their positions read, with the
	// score every match of must has (the bigram fields keep no
	// frequencies), taken from must at the first match.
	cands  search.Searcher
	word   index.TermFieldReader
	wordAt *index.TermFieldDoc // the word's posting at or after the last candidate
	tfd    index.TermFieldDoc
	ended  bool // the word's postings are exhausted
	scored bool
	score  float64
}

func (s *chainSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.cands != nil {
		c, err := s.cands.Next(ctx)
		return s.candidate(ctx, c, err)
	}
	for {
		dm, err := s.must.Next(ctx)
		if dm == nil || err != nil {
			return nil, err
		}
		if s.accept(dm) {
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
	}
}

func (s *chainSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.cands != nil {
		c, err := s.cands.Advance(ctx, id)
		return s.candidate(ctx, c, err)
	}
	dm, err := s.must.Advance(ctx, id)
	if dm == nil || err != nil {
		return nil, err
	}
	if s.accept(dm) {
		return dm, nil
	}
	ctx.DocumentMatchPool.Put(dm)
	return s.Next(ctx)
}

// candidate returns the first match at or after the candidate c, taking
// further candidates from cands as needed.
func (s *chainSearcher) candidate(ctx *search.SearchContext, c *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	for ; c != nil && err == nil; c, err = s.cands.Next(ctx) {
		id := c.IndexInternalID
		inWord, err := s.holdsWord(id)
		if err != nil {
			return nil, err
		}
		if inWord && s.scored {
			c.Score = s.score
			c.FieldTermLocations = c.FieldTermLocations[:0]
			return c, nil
		}
		// Positions: the candidate is not known to hold the chain, or
		// the score is not known yet.
		dm, err := s.must.Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		if dm != nil && dm.IndexInternalID.Equals(id) && s.accept(dm) {
			s.score, s.scored = dm.Score, true
			ctx.DocumentMatchPool.Put(c)
			return dm, nil
		}
		if dm != nil {
			ctx.DocumentMatchPool.Put(dm)
		}
		ctx.DocumentMatchPool.Put(c)
	}
	return nil, err
}

// holdsWord tells whether the passage id holds the word. Candidates come
// in order, so the word's postings only move forward.
func (s *chainSearcher) holdsWord(id index.IndexInternalID) (bool, error) {
	if s.ended {
		return false, nil
	}
	if s.wordAt == nil || s.wordAt.ID.Compare(id) < 0 {
		d, err := s.word.Advance(id, s.tfd.Reset())
		if err != nil {
			return false, err
		}
		if d == nil {
			s.ended = true
			return false, nil
		}
		s.wordAt = d
	}
	return s.wordAt.ID.Equals(id), nil
}

// accept tells whether the candidate holds the whole chain, and drops its
// term locations (nothing downstream reads them: highlights are computed
// from the stored text).
func (s *chainSearcher) accept(dm *search.DocumentMatch) bool {
	ok := s.chainAt(dm.FieldTermLocations)
	dm.FieldTermLocations = dm.FieldTermLocations[:0]
	return ok
}

// chainAt tells whether, for some location of the first term, every other
// term has a location at its offset from it in the same value of the field.
func (s *chainSearcher) chainAt(ftls []search.FieldTermLocation) bool {
	for _, a := range ftls {
		if a.Term != s.terms[0] || a.Field != s.field {
			continue
		}
		found := true
		for i := 1; i < len(s.terms) && found; i++ {
			want := a.Location.Pos + s.offsets[i]
			found = false
			for _, b := range ftls {
				if b.Location.Pos == want && b.Term == s.terms[i] && b.Field == s.field &&
					slices.Equal(b.Location.ArrayPositions, a.Location.ArrayPositions) {
					found = true
					break
				}
			}
		}
		if found {
			return true
		}
	}
	return false
}

func (s *chainSearcher) Close() error {
	var errs []error
	if s.must != nil {
		errs = append(errs, s.must.Close())
	}
	if s.cands != nil {
		errs = append(errs, s.cands.Close())
	}
	if s.word != nil {
		errs = append(errs, s.word.Close())
	}
	return errors.Join(errs...)
}

func (s *chainSearcher) Weight() float64            { return s.must.Weight() }
func (s *chainSearcher) SetQueryNorm(qnorm float64) { s.must.SetQueryNorm(qnorm) }

// Count is the cover's intersection when it is known (a one-word phrase:
// the posting lists intersected as bitmaps), else bleve's worst case.
func (s *chainSearcher) Count() uint64 {
	if s.cands != nil {
		return s.cands.Count()
	}
	return s.must.Count()
}

func (s *chainSearcher) Min() int                   { return 0 }
func (s *chainSearcher) Size() int                  { return s.must.Size() + 64 }
func (s *chainSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() + 1 }

// bareTermQuery is a term query on a field indexed without frequencies or
// norms (the bigram and unigram fields), where bleve's BM25 gives every
// match the same score: a two-character or one-character search term's must
// clause. Its searcher walks the posting list and hands out that score,
// computed once by bleve's own term searcher at the first match, instead of
// scoring each of possibly 150,000 matches (TestBareTermQueryAgreesWithBleve).
type bareTermQuery struct {
	term, field string
	boost       float64
}

func newBareTermQuery(term, field string) *bareTermQuery {
	return &bareTermQuery{term: term, field: field, boost: 1}
}

// SetBoost and Boost make bareTermQuery a query.BoostableQuery.
func (q *bareTermQuery) SetBoost(b float64) { q.boost = b }
func (q *bareTermQuery) Boost() float64     { return q.boost }

// Searcher implements query.Query.
func (q *bareTermQuery) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	scorer, err := searcher.NewTermSearcher(ctx, r, q.term, q.field, q.boost, options)
	if err != nil || options.Explain || options.IncludeTermVectors {
		return scorer, err
	}
	tr, err := r.TermFieldReader(ctx, []byte(q.term), q.field, false, false, false)
	if err != nil {
		scorer.Close()
		return nil, err
	}
	return &bareTermSearcher{r: tr, scorer: scorer, needScore: options.Score != "none"}, nil
}

type bareTermSearcher struct {
	r         index.TermFieldReader
	tfd       index.TermFieldDoc
	scorer    search.Searcher // bleve's term searcher: weight, norm, the score
	needScore bool
	scored    bool
	score     float64
}

func (s *bareTermSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.r.Next(s.tfd.Reset())
	if d == nil || err != nil {
		return nil, err
	}
	return s.match(ctx, d.ID)
}

// Advance moves to the first match at or after id, as bleve's term
// searcher does.
func (s *bareTermSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.r.Advance(id, s.tfd.Reset())
	if d == nil || err != nil {
		return nil, err
	}
	return s.match(ctx, d.ID)
}

func (s *bareTermSearcher) match(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.needScore && !s.scored {
		dm, err := s.scorer.Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		if dm != nil {
			if dm.IndexInternalID.Equals(id) {
				s.score = dm.Score
			}
			ctx.DocumentMatchPool.Put(dm)
		}
		s.scored = true
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = append(dm.IndexInternalID[:0], id...)
	dm.Score = s.score
	return dm, nil
}

func (s *bareTermSearcher) Close() error               { return errors.Join(s.r.Close(), s.scorer.Close()) }
func (s *bareTermSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *bareTermSearcher) SetQueryNorm(qnorm float64) { s.scorer.SetQueryNorm(qnorm) }
func (s *bareTermSearcher) Count() uint64              { return s.r.Count() }
func (s *bareTermSearcher) Min() int                   { return 0 }
func (s *bareTermSearcher) Size() int                  { return 128 + s.scorer.Size() }
func (s *bareTermSearcher) DocumentMatchPoolSize() int { return 1 + s.scorer.DocumentMatchPoolSize() }
