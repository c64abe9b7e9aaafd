package indexer

import (
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Index field names. Each text is indexed three ways (see Analyzer).
const (
	fieldTextBigram  = "text_bigram"
	fieldTextUnigram = "text_unigram"
	fieldTextWord    = "text_word"
)

// Indexing options of the three representations. Only the bigram field keeps
// positions (bleve stores them with term vectors): phrases are chains of
// bigrams. One-character queries are single terms of the unigram field and
// words only rank, so neither needs positions.
const (
	bigramOptions  = index.IndexField | index.IncludeTermVectors | index.SkipFreqNorm
	unigramOptions = index.IndexField | index.SkipFreqNorm
	wordOptions    = index.IndexField
)

// newMapping returns the explicit index mapping: nothing dynamic, nothing
// indexed or stored that is not named here, BM25 scoring.
func newMapping() *mapping.IndexMappingImpl {
	text := func(analyzer string, vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	doc := mapping.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTextBigram, text(BigramAnalyzerName, true))
	doc.AddFieldMappingsAt(fieldTextUnigram, text(UnigramAnalyzerName, false))
	doc.AddFieldMappingsAt(fieldTextWord, text(WordAnalyzerName, false))

	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = WordAnalyzerName
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = index.BM25Scoring
	return m
}
