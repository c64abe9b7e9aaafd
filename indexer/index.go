package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
)

// ErrAnalysisMismatch is wrapped by the error Open returns when the index
// was built with a different analysis (dictionary, lexicon or rules) than the
// analyzer it is opened with: queries would be cut differently from the text.
var ErrAnalysisMismatch = errors.New("index was built with a different analysis")

// AnalysisMismatchError names the two analysis versions; it wraps
// ErrAnalysisMismatch.
type AnalysisMismatchError struct {
	Index, Analyzer string
}

func (e *AnalysisMismatchError) Error() string {
	return fmt.Sprintf("index analysis %q differs from the running analysis %q: rebuild the index (xuncha reindex)", e.Index, e.Analyzer)
}

// Unwrap returns ErrAnalysisMismatch.
func (e *AnalysisMismatchError) Unwrap() error { return ErrAnalysisMismatch }

// internalAnalysisKey is where the index records the analysis it was built with.
var internalAnalysisKey = []byte("xuncha.analysis")

// Index is a bleve index of passages, analysed by one Analyzer.
type Index struct {
	bleve    bleve.Index
	analyzer *Analyzer
	bigram   analysis.Analyzer
	unigram  analysis.Analyzer
	word     analysis.Analyzer
}

// Passage is the unit of search: a paragraph, or one finding.
type Passage struct {
	ID   string
	Text string
}

// Open opens the index at path, creating it if there is none. It returns an
// *AnalysisMismatchError if the index was built with another analysis.
func Open(ctx context.Context, path string, a *Analyzer) (*Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var b bleve.Index
	var err error
	if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
		b, err = bleve.New(path, newMapping())
		if err == nil {
			err = b.SetInternal(internalAnalysisKey, []byte(a.Version()))
		}
	} else {
		b, err = bleve.Open(path)
	}
	if err != nil {
		if b != nil {
			b.Close()
		}
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	v, err := b.GetInternal(internalAnalysisKey)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open index %s: read analysis version: %w", path, err)
	}
	if string(v) != a.Version() {
		b.Close()
		return nil, fmt.Errorf("open index %s: %w", path, &AnalysisMismatchError{Index: string(v), Analyzer: a.Version()})
	}
	ix := &Index{bleve: b, analyzer: a}
	ix.bigram, ix.unigram, ix.word = a.indexAnalyzers()
	return ix, nil
}

// Close closes the index.
func (ix *Index) Close() error { return ix.bleve.Close() }

// Add indexes passages in one batch, replacing any with the same IDs.
func (ix *Index) Add(ctx context.Context, ps []Passage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	batch := ix.bleve.NewBatch()
	for _, p := range ps {
		doc := document.NewDocument(p.ID)
		v := []byte(p.Text)
		doc.AddField(document.NewTextFieldCustom(fieldTextBigram, nil, v, bigramOptions, ix.bigram))
		doc.AddField(document.NewTextFieldCustom(fieldTextUnigram, nil, v, unigramOptions, ix.unigram))
		doc.AddField(document.NewTextFieldCustom(fieldTextWord, nil, v, wordOptions, ix.word))
		if err := batch.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("index passage %s: %w", p.ID, err)
		}
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("index %d passages: %w", len(ps), err)
	}
	return nil
}

// PhraseQuery returns the bleve query that matches exactly the passages
// containing text as a substring (after normalisation, ignoring spaces), or
// ErrNothingToSearch.
func PhraseQuery(text string) (query.Query, error) {
	p, err := PhraseOf(text)
	if err != nil {
		return nil, err
	}
	if p.Unigram != "" {
		q := query.NewTermQuery(p.Unigram)
		q.SetField(fieldTextUnigram)
		return q, nil
	}
	if len(p.Bigrams) == 1 {
		q := query.NewTermQuery(p.Bigrams[0])
		q.SetField(fieldTextBigram)
		return q, nil
	}
	return query.NewPhraseQuery(p.Bigrams, fieldTextBigram), nil
}

// wordBoost weighs a match of the query's words against the character match
// that every hit has: enough that a passage where the query lines up with
// word boundaries ranks above one where its characters merely stand side by
// side, whatever their lengths.
const wordBoost = 4.0

// matchQuery returns the query for one search term: the exact phrase on the
// character fields decides whether a passage matches; the term's words, on
// the word field, add to the score of passages where they line up.
func (ix *Index) matchQuery(text string) (query.Query, error) {
	must, err := PhraseQuery(text)
	if err != nil {
		return nil, err
	}
	var should []query.Query
	seen := map[string]bool{}
	for _, w := range ix.analyzer.Words(text, QueryMode) {
		if seen[w.Term] {
			continue
		}
		seen[w.Term] = true
		q := query.NewTermQuery(w.Term)
		q.SetField(fieldTextWord)
		should = append(should, q)
	}
	if len(should) == 0 {
		return must, nil
	}
	words := query.NewConjunctionQuery(should)
	words.SetBoost(wordBoost)
	b := query.NewBooleanQuery([]query.Query{must}, []query.Query{words}, nil)
	return b, nil
}

// Hit is one search result.
type Hit struct {
	ID    string
	Score float64
}

// Search returns the passages containing text, best first: those where the
// text lines up with word boundaries before those where it does not.
func (ix *Index) Search(ctx context.Context, text string, limit int) ([]Hit, uint64, error) {
	q, err := ix.matchQuery(text)
	if err != nil {
		return nil, 0, err
	}
	res, err := ix.bleve.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, limit, 0, false))
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", text, err)
	}
	hits := make([]Hit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = Hit{ID: h.ID, Score: h.Score}
	}
	return hits, res.Total, nil
}

// SearchPhrase returns the IDs of all passages containing text, up to limit,
// and the total number of matches.
func (ix *Index) SearchPhrase(ctx context.Context, text string, limit int) ([]string, uint64, error) {
	q, err := PhraseQuery(text)
	if err != nil {
		return nil, 0, err
	}
	req := bleve.NewSearchRequestOptions(q, limit, 0, false)
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", text, err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, res.Total, nil
}
