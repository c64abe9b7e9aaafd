package indexer

import (
	"context"
	"math"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A one-character search (人, 罚, a letter or a digit) finds the passages
// that hold the character. Every unit of a text but its last begins a bigram
// (bigrams run over punctuation too), so those passages are the ones with a
// bigram that begins with the character, or whose last unit it is; the
// unigram fields hold only that last unit (lastUnigram). Indexing every
// character as a unigram, as before, made a rebuild of the laws 14% slower
// and the index 0.5 bytes per text byte larger, for a field that only
// decides whether a passage matches.
//
// charQuery reads, per segment, the postings of every bigram in the
// character's range of the dictionary and of its unigram, and walks their
// union (postingbits.go). The union of a persisted segment is kept (Index.chars):
// 的 has about 1,500 bigrams in the laws. Like a bare term (chain.go) the
// clause scores nothing itself, but its weight, which bleve's query norm
// counts, is that of a term found in the union's passages: what the
// unigram of every character had.
type charQuery struct {
	char                      string
	bigramField, unigramField string
	boost                     float64
	// cache keeps the unions of persisted segments; nil: none kept.
	cache *lruCache[charKey, *roaring.Bitmap]
}

func newCharQuery(char, bigramField, unigramField string) *charQuery {
	return &charQuery{char: char, bigramField: bigramField, unigramField: unigramField, boost: 1}
}

// SetBoost and Boost make charQuery a query.BoostableQuery.
func (q *charQuery) SetBoost(b float64) { q.boost = b }
func (q *charQuery) Boost() float64     { return q.boost }

// bleveQuery is the same match in bleve's own queries: the unigram, or any
// bigram that begins with the character. It answers where the bitmaps are
// not at hand and when a score is to be explained; bleve weighs a
// disjunction as the sum of its terms, so the other clauses' scores differ
// there by a factor (the passages found do not).
func (q *charQuery) bleveQuery() query.Query {
	t := fieldTerm(q.unigramField, q.char)
	p := query.NewPrefixQuery(q.char)
	p.SetField(q.bigramField)
	d := query.NewDisjunctionQuery([]query.Query{t, p})
	d.SetBoost(q.boost)
	return d
}

// Searcher implements query.Query.
func (q *charQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok || !walkBitmaps || options.Explain || options.IncludeTermVectors {
		return q.bleveQuery().Searcher(ctx, r, m, options)
	}
	bits, err := q.bits(is)
	if err != nil {
		return nil, err
	}
	sc, err := q.scorer(ctx, r, bits.count, options)
	if err != nil {
		return nil, err
	}
	return &bareTermSearcher{bits: bits, scorer: sc, needScore: options.Score != "none"}, nil
}

// bits returns the passages of every segment of is that hold the character.
func (q *charQuery) bits(is *scorch.IndexSnapshot) (*postingBits, error) {
	p := &postingBits{}
	var base uint64
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		end := base + seg.Count()
		bm, err := q.segmentBits(seg)
		if err != nil {
			return nil, err
		}
		if d := ss.Deleted(); d != nil && !d.IsEmpty() && !bm.IsEmpty() {
			bm = roaring.AndNot(bm, d)
		}
		if n := bm.GetCardinality(); n > 0 {
			p.segs = append(p.segs, segBits{base: base, end: end, bm: bm})
			p.count += n
		}
		base = end
	}
	return p, nil
}

// segmentBits returns the passages of seg that hold the character, deleted
// or not; the result is shared and must not be changed.
func (q *charQuery) segmentBits(seg segment.Segment) (*roaring.Bitmap, error) {
	zs, ok := readableZap(seg)
	if !ok || q.cache == nil {
		return charUnion(seg, q.char, q.bigramField, q.unigramField)
	}
	key := charKey{zs.Path(), len(zs.Data()), q.bigramField, q.char}
	return q.cache.get(key, func() (*roaring.Bitmap, error) {
		return charUnion(seg, q.char, q.bigramField, q.unigramField)
	})
}

// charUnion reads the union of the postings of char's unigram and of every
// bigram that begins with char, in seg.
func charUnion(seg segment.Segment, char, bigramField, unigramField string) (*roaring.Bitmap, error) {
	if char == "" {
		return roaring.New(), nil
	}
	var bms []*roaring.Bitmap
	add := func(d segment.TermDictionary, term []byte) error {
		pl, err := d.PostingsList(term, nil, nil)
		if err != nil {
			return err
		}
		it := pl.Iterator(false, false, false, nil)
		if o, ok := it.(segment.OptimizablePostingsIterator); ok {
			if bm := o.ActualBitmap(); bm != nil {
				bms = append(bms, bm)
			} else if n, ok := o.DocNum1Hit(); ok {
				bms = append(bms, roaring.BitmapOf(uint32(n)))
			}
			return nil
		}
		bm := roaring.New()
		for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
			if err != nil {
				return err
			}
			bm.Add(uint32(p.Number()))
		}
		bms = append(bms, bm)
		return nil
	}
	ud, err := seg.Dictionary(unigramField)
	if err != nil {
		return nil, err
	}
	if err := add(ud, []byte(char)); err != nil {
		return nil, err
	}
	bd, err := seg.Dictionary(bigramField)
	if err != nil {
		return nil, err
	}
	// The terms that begin with char's bytes: up to its bytes with the
	// last one raised (a UTF-8 byte is never 0xFF).
	end := []byte(char)
	end[len(end)-1]++
	it := bd.AutomatonIterator(nil, []byte(char), end)
	for e, err := it.Next(); e != nil || err != nil; e, err = it.Next() {
		if err != nil {
			return nil, err
		}
		if err := add(bd, []byte(e.Term)); err != nil {
			return nil, err
		}
	}
	switch len(bms) {
	case 0:
		return roaring.New(), nil
	case 1:
		// zap's bitmap reads the segment's bytes: keep a copy.
		return bms[0].Clone(), nil
	}
	return roaring.FastOr(bms...), nil
}

// scorer scores the clause as bleve's term searcher scores a term found in
// docs passages of a field without frequencies or norms.
func (q *charQuery) scorer(ctx context.Context, r index.IndexReader, docs uint64, options search.SearcherOptions) (search.Searcher, error) {
	total, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	if stats, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats); ok {
		total = uint64(stats.DocCount)
	}
	// BM25's idf, as bleve's term searcher takes it when the field has
	// any term (its average length is then positive; nothing else of it
	// counts where no frequency is kept).
	avg := 0.0
	if model, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn); ok && model() == index.BM25Scoring {
		avg = 1
	}
	return &charScorer{s: scorer.NewTermQueryScorer([]byte(q.char), q.unigramField, q.boost, total, docs, avg, options)}, nil
}

// charScorer gives bareTermSearcher a char clause's weight and score.
type charScorer struct {
	s   *scorer.TermQueryScorer
	tfd index.TermFieldDoc
}

func (c *charScorer) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	c.tfd.Reset()
	c.tfd.ID = append(c.tfd.ID[:0], id...)
	c.tfd.Norm = math.Inf(1) // as zap reads a field without norms
	return c.s.Score(ctx, &c.tfd), nil
}

func (c *charScorer) Next(*search.SearchContext) (*search.DocumentMatch, error) { return nil, nil }
func (c *charScorer) Close() error                                              { return nil }
func (c *charScorer) Weight() float64                                           { return c.s.Weight() }
func (c *charScorer) SetQueryNorm(qnorm float64)                                { c.s.SetQueryNorm(qnorm) }
func (c *charScorer) Count() uint64                                             { return 0 }
func (c *charScorer) Min() int                                                  { return 0 }
func (c *charScorer) Size() int                                                 { return 64 + c.s.Size() }
func (c *charScorer) DocumentMatchPoolSize() int                                { return 1 }

// charKey names a character's union in a persisted segment of an index:
// the segment's file and size (as boundKey), the bigram field and the
// character.
type charKey struct {
	seg         string
	size        int
	field, char string
}

// charEntries is how many unions an Index keeps: a common character's is
// about 40 KB on the laws.
const charEntries = 512
