package indexer

import (
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// Index field names. The passage text is indexed three ways (see Analyzer);
// titles as words, once per document, for ranking and the title filter
// (titles.go; section paths are
// shown from the store, never searched, so not indexed); unit and round also as
// bigrams, for filters that name part of them (单位:息县); everything a facet
// or a filter needs whole as a keyword with doc values.
const (
	fieldTextBigram  = "text_bigram"
	fieldTextUnigram = "text_unigram"
	fieldTextWord    = "text_word"
	fieldTitleWord   = "title_word"
	fieldUnitBigram  = "unit_bigram"
	fieldUnitUni     = "unit_unigram"
	fieldRoundBigram = "round_bigram"

	fieldKind    = "kind"
	fieldUnit    = "unit"
	fieldFocus   = "focus"
	fieldProblem = "problem"
	fieldRound   = "round"
	fieldStatus  = "status"
	fieldYear    = "year"
	fieldDate    = "date" // the day, 2006-01-02: sorts as it reads
	// fieldMeta holds the keywords that filters and lookups read but no
	// facet counts: each term is a metaKey, a colon and the value
	// ("issuer:国务院", see metaTerm).
	fieldMeta = "meta"
)

// metaKey names what a term of fieldMeta holds.
//
// These were keyword fields of their own until a rebuild of the laws showed
// what a field costs a passage of 55 characters: zap visits, maps and
// writes every field of every document, and six of them with one short
// term each took 7% of the rebuild's CPU. As terms of one field the same
// postings cost 3.5% less CPU in all (doc/analysis.md); a filter on one of
// them reads the same postings list as before.
type metaKey string

const (
	metaMonth    metaKey = "month"
	metaIssuer   metaKey = "issuer"
	metaDocument metaKey = "doc"
	metaWork     metaKey = "work"
	metaEdition  metaKey = "edition"
	metaSample   metaKey = "sample"
	// metaTitleKey is the key of a passage's document and title: the
	// title's words are indexed once per key (titles.go).
	metaTitleKey metaKey = "title_key"
)

// metaTerm is the term of fieldMeta that says a passage's k is value.
func metaTerm(k metaKey, value string) string { return metaPrefix(k) + value }

// metaPrefix begins every term of fieldMeta that holds a k.
func metaPrefix(k metaKey) string { return string(k) + ":" }

// Indexing options. Only the bigram field keeps positions (bleve stores them
// with term vectors): phrases are chains of bigrams. The fields that only
// decide whether a passage matches skip frequencies and norms; the word
// fields keep them, since they rank.
const (
	bigramOptions  = index.IndexField | index.IncludeTermVectors | index.SkipFreqNorm
	unigramOptions = index.IndexField | index.SkipFreqNorm
	wordOptions    = index.IndexField
	facetOptions   = index.IndexField | index.DocValues | index.SkipFreqNorm
	keywordOptions = index.IndexField | index.SkipFreqNorm
)

// keywordFields are indexed whole, for filters; those that are facets also
// keep doc values, which facet counting and grouping read.
var keywordFields = []string{fieldKind, fieldUnit, fieldFocus, fieldProblem, fieldRound, fieldStatus, fieldYear, fieldDate, fieldMeta}

func isFacet(field string) bool {
	for _, f := range []string{fieldUnit, fieldKind, fieldFocus, fieldProblem, fieldYear, fieldRound, fieldStatus, fieldDate} {
		if f == field {
			return true
		}
	}
	return false
}

// indexedField is a field of the index and its indexing options.
type indexedField struct {
	name    string
	options index.FieldIndexingOptions
}

// indexedFields lists every field a passage's document may have, in the
// order of their names, with the options it is indexed with: completeFields
// reads it, and TestEverySegmentNamesEveryField checks that the mapping and
// passageDocument agree with it.
var indexedFields = func() []indexedField {
	fs := []indexedField{
		{fieldTextBigram, bigramOptions},
		{fieldTextUnigram, unigramOptions},
		{fieldTextWord, wordOptions},
		{fieldTitleWord, wordOptions},
		{fieldUnitBigram, bigramOptions},
		{fieldUnitUni, unigramOptions},
		{fieldRoundBigram, bigramOptions},
	}
	for _, name := range keywordFields {
		fs = append(fs, indexedField{name, keywordOptionsOf(name)})
	}
	slices.SortFunc(fs, func(a, b indexedField) int { return strings.Compare(a.name, b.name) })
	return fs
}()

// keywordOptionsOf returns the options a keyword field is indexed with.
func keywordOptionsOf(name string) index.FieldIndexingOptions {
	if isFacet(name) {
		return facetOptions
	}
	return keywordOptions
}

// newMapping returns the explicit index mapping: nothing dynamic, nothing
// indexed or stored that is not named here, BM25 scoring. Documents are
// built field by field (Index.Add), so the mapping serves bleve's validation
// and query planning, and documents what the index holds.
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
	doc.AddFieldMappingsAt(fieldTitleWord, text(WordAnalyzerName, false))
	doc.AddFieldMappingsAt(fieldUnitBigram, text(BigramAnalyzerName, true))
	doc.AddFieldMappingsAt(fieldUnitUni, text(UnigramAnalyzerName, false))
	doc.AddFieldMappingsAt(fieldRoundBigram, text(BigramAnalyzerName, true))
	for _, name := range keywordFields {
		f := text(keyword.Name, false)
		f.DocValues = isFacet(name)
		doc.AddFieldMappingsAt(name, f)
	}

	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = keyword.Name
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	m.ScoringModel = index.BM25Scoring
	return m
}
