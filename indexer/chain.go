package indexer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// chainQuery matches the passages whose field holds a chain of bigrams at
// consecutive positions, within one value of the field: the exact phrase of
// analysis.md. It reads the positions of a cover of the chain (see
// chooseCover): enough of the bigrams to fix every character.
//
// It is bleve's phrase query without its costs. bleve's PhraseSearcher
// checks a candidate by building maps of every term's locations
// (DocumentMatch.Complete) and searching them recursively for paths, and
// its conjunction reads every term's next posting, positions included,
// after each match. chainSearcher takes its candidates from all the
// bigrams' posting lists intersected as bitmaps and reads the cover's
// positions at the candidates only. Its matches and scores are those of
// bleve's phrase query over the cover, so results and ranking are unchanged
// (TestChainQueryAgreesWithBlevePhrase).
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

// chooseCover returns the bigrams of the chain whose positions are read,
// with "" for those left out: enough of them to fix every character (the
// first, the last, and never two neighbours left out), chosen to read the
// fewest postings. The candidates come from all the chain's bigrams
// intersected as bitmaps (see chainSearcher), but reading a term's
// positions walks its whole posting list up to the last candidate, so the
// cover's cost is the sum of its terms' document frequencies:
// 县级以上人民政府 reads 县级 级以 上人 民政 政府 rather than the common 以上
// and 人民 of every other bigram. Any cover finds the same passages, and
// each choice gives every match of the chain the same score (the bigram
// fields keep no frequencies), so the choice changes no ranking within the
// chain's matches.
func chooseCover(ctx context.Context, r index.IndexReader, bigrams []string, field string) ([]string, error) {
	if len(bigrams) < 3 {
		return coverBigrams(bigrams), nil
	}
	if is, ok := r.(*scorch.IndexSnapshot); ok && walkBitmaps {
		// The counts from zap's dictionaries: any cover finds the same
		// passages, so deleted documents need not be left out.
		df, ok, err := zapTermCounts(is, field, bigrams)
		if err != nil {
			return nil, err
		}
		if ok {
			return cheapestCover(bigrams, df), nil
		}
	}
	df := make([]uint64, len(bigrams))
	for i, b := range bigrams {
		tr, err := r.TermFieldReader(ctx, []byte(b), field, false, false, false)
		if err != nil {
			return nil, err
		}
		df[i] = tr.Count()
		tr.Close()
	}
	return cheapestCover(bigrams, df), nil
}

// cheapestCover is chooseCover's choice given the bigrams' document
// frequencies.
func cheapestCover(bigrams []string, df []uint64) []string {
	// best[i] is the least cost of a cover of bigrams[:i+1] that holds
	// bigram i; from[i] the bigram held before it (i-1 or i-2).
	best := make([]uint64, len(bigrams))
	from := make([]int, len(bigrams))
	best[0], from[0] = df[0], -1
	for i := 1; i < len(bigrams); i++ {
		best[i], from[i] = best[i-1]+df[i], i-1
		if i >= 2 && best[i-2]+df[i] < best[i] {
			best[i], from[i] = best[i-2]+df[i], i-2
		}
	}
	cover := make([]string, len(bigrams))
	for i := len(bigrams) - 1; i >= 0; i = from[i] {
		cover[i] = bigrams[i]
	}
	return cover
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
	if options.Explain {
		// bleve's conjunction, for its explanation.
		must, err := searcher.NewConjunctionSearcher(ctx, r, subs, options)
		if err != nil {
			closeAll()
			return nil, err
		}
		s.must = must
	} else {
		// The same term searchers, for the weight and the score, in the
		// order bleve's conjunction sums them; without the conjunction,
		// whose construction intersects the posting lists again.
		sort.Sort(searcher.OrderedSearcherList(subs))
		s.scorers = subs
	}
	// As bleve's phrase searcher normalises its conjunction (a Boolean
	// around it sets the norm again).
	s.SetQueryNorm(1 / math.Sqrt(s.Weight()))
	if options.Explain {
		return s, nil
	}
	if err := s.fast(ctx, r, q, terms, options.Score != "none"); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// fast sets the searcher to take its candidates from all the chain's
// bigrams intersected (zap's bitmaps on a scorch snapshot, else a
// conjunction that scores nothing, which scorch intersects the same way) and
// to check a candidate by reading the positions of the cover's terms at it
// (termPostings on a scorch snapshot, else term field readers that reuse
// their buffers). With a word (q.word), a
// candidate whose word field holds the word matches without its positions
// read. bleve's conjunction would read every term's next posting, positions
// included, after each match, and build a DocumentMatch with every
// location.
func (s *chainSearcher) fast(ctx context.Context, r index.IndexReader, q *chainQuery, cover []string, needScore bool) error {
	s.needScore = needScore
	var distinct []string
	for _, t := range q.bigrams {
		if !slices.Contains(distinct, t) {
			distinct = append(distinct, t)
		}
	}
	// On a scorch snapshot, the intersection and the word's postings are
	// zap's bitmaps (postingbits.go), and the positions are read by
	// termPostings (zapread.go).
	if is, ok := r.(*scorch.IndexSnapshot); ok && walkBitmaps {
		terms := make([][]byte, len(distinct))
		for i, t := range distinct {
			terms[i] = []byte(t)
		}
		cands, ok, err := newPostingBits(is, q.field, terms...)
		if err != nil {
			return err
		}
		var words *postingBits
		if ok && q.word != "" {
			if words, ok, err = newPostingBits(is, q.wordField, []byte(q.word)); err != nil {
				return err
			}
		}
		if ok {
			for _, t := range cover {
				if t == "" {
					continue
				}
				tp, err := newTermPostings(is, q.field, []byte(t), true)
				if err != nil {
					return err
				}
				s.zpos = append(s.zpos, tp)
			}
			s.candBits, s.wordBits = cands, words
			return nil
		}
	}
	for _, t := range cover {
		if t == "" {
			continue
		}
		tr, err := r.TermFieldReader(ctx, []byte(t), q.field, false, false, true)
		if err != nil {
			return err
		}
		s.pos = append(s.pos, tr)
	}
	s.posAt = make([]*index.TermFieldDoc, len(s.pos))
	s.posDoc = make([]index.TermFieldDoc, len(s.pos))
	clean := search.SearcherOptions{Score: "none"}
	var subs []search.Searcher
	for _, t := range distinct {
		ts, err := searcher.NewTermSearcher(ctx, r, t, q.field, 1, clean)
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
	if q.word != "" {
		s.word, err = r.TermFieldReader(ctx, []byte(q.word), q.wordField, false, false, false)
	}
	return err
}

type chainSearcher struct {
	// must is bleve's conjunction of the cover's term searchers, with
	// positions, when the search explains its scores; else scorers are
	// those term searchers, for the chain's weight and its score.
	must    search.Searcher
	scorers []search.Searcher
	field   string
	terms   []string // the cover's terms, and their offsets in the chain
	offsets []uint64

	// The fast path (see fast): candidates come from cands, checked with
	// the positions read by pos (posAt: where each stands, in posDoc). A
	// match has the score every match has (the bigram fields keep no
	// frequencies), summed from scorers at the first match.
	cands     search.Searcher
	candBits  *postingBits // instead of cands, on a scorch snapshot
	id        index.IndexInternalID
	pos       []index.TermFieldReader
	zpos      []*termPostings // instead of pos, on a scorch snapshot
	posAt     []*index.TermFieldDoc
	posDoc    []index.TermFieldDoc
	needScore bool
	scored    bool
	score     float64

	// With a word, candidates in the word's posting list (wordBits with
	// candBits, else word) match without their positions read.
	wordBits *postingBits
	word     index.TermFieldReader
	wordAt   *index.TermFieldDoc // the word's posting at or after the last candidate
	tfd      index.TermFieldDoc
	ended    bool // the word's postings are exhausted
}

func (s *chainSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.candBits != nil {
		n, ok := s.candBits.next()
		return s.candidateBits(ctx, n, ok)
	}
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
	if s.candBits != nil {
		target, ok := docNum(id)
		if !ok {
			return nil, fmt.Errorf("search: unexpected document number %x", []byte(id))
		}
		n, ok := s.candBits.advance(target)
		return s.candidateBits(ctx, n, ok)
	}
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
		ok, err := s.holdsWord(id)
		if err == nil && !ok {
			ok, err = s.holdsChain(id)
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			ctx.DocumentMatchPool.Put(c)
			continue
		}
		if s.needScore && !s.scored {
			if s.score, err = s.scoreAt(ctx, id); err != nil {
				return nil, err
			}
			s.scored = true
		}
		c.Score = s.score
		c.FieldTermLocations = c.FieldTermLocations[:0]
		return c, nil
	}
	return nil, err
}

// candidateBits is candidate for candidates from candBits: the first match
// at or after the candidate n (if ok), taking further candidates as needed.
// Only a match gets a DocumentMatch.
func (s *chainSearcher) candidateBits(ctx *search.SearchContext, n uint64, ok bool) (*search.DocumentMatch, error) {
	for ; ok; n, ok = s.candBits.next() {
		s.id = binary.BigEndian.AppendUint64(s.id[:0], n)
		if s.wordBits == nil || !s.wordBits.contains(n) {
			held, err := s.holdsChain(s.id)
			if err != nil {
				return nil, err
			}
			if !held {
				continue
			}
		}
		if s.needScore && !s.scored {
			var err error
			if s.score, err = s.scoreAt(ctx, s.id); err != nil {
				return nil, err
			}
			s.scored = true
		}
		dm := ctx.DocumentMatchPool.Get()
		dm.IndexInternalID = append(dm.IndexInternalID[:0], s.id...)
		dm.Score = s.score
		return dm, nil
	}
	return nil, nil
}

// canStep and step make a chain on bitmaps a docStepper (root.go): the
// candidates as in candidateBits, without a DocumentMatch.
func (s *chainSearcher) canStep() bool { return s.candBits != nil }

func (s *chainSearcher) step(ctx *search.SearchContext, target uint64, next bool) (uint64, float64, bool, error) {
	n, ok := s.candBits.step(target, next)
	for ; ok; n, ok = s.candBits.next() {
		if s.wordBits == nil || !s.wordBits.contains(n) {
			s.id = binary.BigEndian.AppendUint64(s.id[:0], n)
			held, err := s.holdsChain(s.id)
			if err != nil {
				return 0, 0, false, err
			}
			if !held {
				continue
			}
		}
		if s.needScore && !s.scored {
			s.id = binary.BigEndian.AppendUint64(s.id[:0], n)
			var err error
			if s.score, err = s.scoreAt(ctx, s.id); err != nil {
				return 0, 0, false, err
			}
			s.scored = true
		}
		return n, s.score, true, nil
	}
	return 0, 0, false, nil
}

// scoreAt sums the scorers' scores at id, a match, as bleve's conjunction
// does.
func (s *chainSearcher) scoreAt(ctx *search.SearchContext, id index.IndexInternalID) (float64, error) {
	var sum float64
	for _, t := range s.scorers {
		dm, err := t.Advance(ctx, id)
		if err != nil {
			return 0, err
		}
		if dm == nil || !dm.IndexInternalID.Equals(id) {
			return 0, errors.New("chain: a term of the chain is missing at a match")
		}
		sum += dm.Score
		ctx.DocumentMatchPool.Put(dm)
	}
	return sum, nil
}

// holdsChain tells whether the candidate id holds the chain: whether, for
// some position of the cover's first term, every other term is at its
// offset from it in the same value of the field. Candidates come in order,
// so the readers only move forward.
func (s *chainSearcher) holdsChain(id index.IndexInternalID) (bool, error) {
	if s.zpos != nil {
		n, ok := docNum(id)
		if !ok {
			return false, fmt.Errorf("search: unexpected document number %x", []byte(id))
		}
		return s.holdsChainAt(n)
	}
	for k, r := range s.pos {
		if s.posAt[k] == nil || s.posAt[k].ID.Compare(id) < 0 {
			d, err := r.Advance(id, s.posDoc[k].Reset())
			if err != nil {
				return false, err
			}
			s.posAt[k] = d
		}
		if s.posAt[k] == nil || !s.posAt[k].ID.Equals(id) {
			return false, nil
		}
	}
	for _, a := range s.posAt[0].Vectors {
		found := true
		for i := 1; i < len(s.pos) && found; i++ {
			want := a.Pos + s.offsets[i]
			found = false
			for _, b := range s.posAt[i].Vectors {
				if b.Pos == want && slices.Equal(b.ArrayPositions, a.ArrayPositions) {
					found = true
					break
				}
			}
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// holdsChainAt is holdsChain on termPostings, at document number n.
func (s *chainSearcher) holdsChainAt(n uint64) (bool, error) {
	for _, p := range s.zpos {
		if _, _, ok, err := p.at(n); !ok || err != nil {
			return false, err
		}
	}
	first := s.zpos[0]
	for a, pos := range first.locPos {
		ap := first.arrayPositions(a)
		found := true
		for i := 1; i < len(s.zpos) && found; i++ {
			want := pos + s.offsets[i]
			found = false
			p := s.zpos[i]
			for b, bpos := range p.locPos {
				if bpos == want && slices.Equal(p.arrayPositions(b), ap) {
					found = true
					break
				}
			}
		}
		if found {
			return true, nil
		}
	}
	return false, nil
}

// holdsWord tells whether the passage id holds the word. Candidates come
// in order, so the word's postings only move forward.
func (s *chainSearcher) holdsWord(id index.IndexInternalID) (bool, error) {
	if s.word == nil || s.ended {
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
	for _, t := range s.scorers {
		errs = append(errs, t.Close())
	}
	if s.cands != nil {
		errs = append(errs, s.cands.Close())
	}
	if s.word != nil {
		errs = append(errs, s.word.Close())
	}
	for _, r := range s.pos {
		errs = append(errs, r.Close())
	}
	for _, p := range s.zpos {
		p.Close()
	}
	return errors.Join(errs...)
}

// Weight and SetQueryNorm are bleve's conjunction's: the sum of its terms'
// weights, and the norm set on each.
func (s *chainSearcher) Weight() float64 {
	if s.must != nil {
		return s.must.Weight()
	}
	var w float64
	for _, t := range s.scorers {
		w += t.Weight()
	}
	return w
}

func (s *chainSearcher) SetQueryNorm(qnorm float64) {
	if s.must != nil {
		s.must.SetQueryNorm(qnorm)
		return
	}
	for _, t := range s.scorers {
		t.SetQueryNorm(qnorm)
	}
}

// Count is the bigrams' intersection (the candidates) on the fast path,
// else bleve's worst case.
func (s *chainSearcher) Count() uint64 {
	if s.candBits != nil {
		return s.candBits.count
	}
	if s.cands != nil {
		return s.cands.Count()
	}
	return s.must.Count()
}

func (s *chainSearcher) Min() int { return 0 }

func (s *chainSearcher) Size() int {
	n := 64 + 256*len(s.pos)
	for _, t := range append([]search.Searcher{s.must, s.cands}, s.scorers...) {
		if t != nil {
			n += t.Size()
		}
	}
	return n
}

func (s *chainSearcher) DocumentMatchPoolSize() int {
	n := 1
	for _, t := range append([]search.Searcher{s.must, s.cands}, s.scorers...) {
		if t != nil {
			n += t.DocumentMatchPoolSize()
		}
	}
	return n
}

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
	s := &bareTermSearcher{scorer: scorer, needScore: options.Score != "none"}
	if is, ok := r.(*scorch.IndexSnapshot); ok && walkBitmaps {
		bits, ok, err := newPostingBits(is, q.field, []byte(q.term))
		if err != nil {
			scorer.Close()
			return nil, err
		}
		if ok {
			s.bits = bits
			return s, nil
		}
	}
	if s.r, err = r.TermFieldReader(ctx, []byte(q.term), q.field, false, false, false); err != nil {
		scorer.Close()
		return nil, err
	}
	return s, nil
}

type bareTermSearcher struct {
	// The postings: bits on a scorch snapshot, else r.
	bits      *postingBits
	id        index.IndexInternalID // the match's, with bits
	r         index.TermFieldReader
	tfd       index.TermFieldDoc
	scorer    search.Searcher // bleve's term searcher: weight, norm, the score
	needScore bool
	scored    bool
	score     float64
}

func (s *bareTermSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.bits != nil {
		n, ok := s.bits.next()
		if !ok {
			return nil, nil
		}
		s.id = binary.BigEndian.AppendUint64(s.id[:0], n)
		return s.match(ctx, s.id)
	}
	d, err := s.r.Next(s.tfd.Reset())
	if d == nil || err != nil {
		return nil, err
	}
	return s.match(ctx, d.ID)
}

// Advance moves to the first match at or after id, as bleve's term
// searcher does.
func (s *bareTermSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.bits != nil {
		target, ok := docNum(id)
		if !ok {
			return nil, fmt.Errorf("search: unexpected document number %x", []byte(id))
		}
		n, ok := s.bits.advance(target)
		if !ok {
			return nil, nil
		}
		s.id = binary.BigEndian.AppendUint64(s.id[:0], n)
		return s.match(ctx, s.id)
	}
	d, err := s.r.Advance(id, s.tfd.Reset())
	if d == nil || err != nil {
		return nil, err
	}
	return s.match(ctx, d.ID)
}

func (s *bareTermSearcher) match(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if err := s.scoreOnce(ctx, id); err != nil {
		return nil, err
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = append(dm.IndexInternalID[:0], id...)
	dm.Score = s.score
	return dm, nil
}

// scoreOnce takes the score every match has from bleve's term searcher,
// at the first match, id.
func (s *bareTermSearcher) scoreOnce(ctx *search.SearchContext, id index.IndexInternalID) error {
	if !s.needScore || s.scored {
		return nil
	}
	dm, err := s.scorer.Advance(ctx, id)
	if err != nil {
		return err
	}
	if dm != nil {
		if dm.IndexInternalID.Equals(id) {
			s.score = dm.Score
		}
		ctx.DocumentMatchPool.Put(dm)
	}
	s.scored = true
	return nil
}

// canStep and step make a bare term on bitmaps a docStepper (root.go).
func (s *bareTermSearcher) canStep() bool { return s.bits != nil }

func (s *bareTermSearcher) step(ctx *search.SearchContext, target uint64, next bool) (uint64, float64, bool, error) {
	n, ok := s.bits.step(target, next)
	if !ok {
		return 0, 0, false, nil
	}
	if s.needScore && !s.scored {
		s.id = binary.BigEndian.AppendUint64(s.id[:0], n)
		if err := s.scoreOnce(ctx, s.id); err != nil {
			return 0, 0, false, err
		}
	}
	return n, s.score, true, nil
}

func (s *bareTermSearcher) Close() error {
	if s.r == nil {
		return s.scorer.Close()
	}
	return errors.Join(s.r.Close(), s.scorer.Close())
}
func (s *bareTermSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *bareTermSearcher) SetQueryNorm(qnorm float64) { s.scorer.SetQueryNorm(qnorm) }
func (s *bareTermSearcher) Count() uint64 {
	if s.bits != nil {
		return s.bits.count
	}
	return s.r.Count()
}
func (s *bareTermSearcher) Min() int                   { return 0 }
func (s *bareTermSearcher) Size() int                  { return 128 + s.scorer.Size() }
func (s *bareTermSearcher) DocumentMatchPoolSize() int { return 1 + s.scorer.DocumentMatchPoolSize() }
