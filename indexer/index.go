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
	ix.bigram, ix.unigram, ix.word = a.BleveAnalyzers()
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
