package indexer

import (
	"context"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names under which xuncha's analysis is registered with bleve. An index
// mapping refers to them by name, and bleve looks them up again every time
// it reopens an index, so they are registered in init with no runtime state.
const (
	BigramAnalyzerName  = "xuncha_bigram"
	UnigramAnalyzerName = "xuncha_unigram"
	WordAnalyzerName    = "xuncha_word"
	QueryAnalyzerName   = "xuncha_word_query"
)

func init() {
	// Registration errors mean a duplicate name, a programming error that
	// every test would show at once.
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	for name, fn := range map[string]func() (*tokenizer, error){
		BigramAnalyzerName:  func() (*tokenizer, error) { return &tokenizer{fill: fillBigrams}, nil },
		UnigramAnalyzerName: func() (*tokenizer, error) { return &tokenizer{fill: fillUnigrams}, nil },
		WordAnalyzerName:    func() (*tokenizer, error) { return &tokenizer{fill: defaultWords(IndexMode)}, nil },
		QueryAnalyzerName:   func() (*tokenizer, error) { return &tokenizer{fill: defaultWords(QueryMode)}, nil },
	} {
		must(registry.RegisterTokenizer(name, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
			return fn()
		}))
		must(registry.RegisterAnalyzer(name, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
			return fn()
		}))
	}
}

func fillBigrams(n *Normalized, buf *tokenBuf)  { bigrams(n, units(n), buf) }
func fillUnigrams(n *Normalized, buf *tokenBuf) { lastUnigram(n, units(n), buf) }

// defaultAnalyzer is the analyzer of the embedded dictionaries, built on first
// use. It backs only the analyzers bleve builds from its registry (so that
// bleve's own query and highlighting paths, and tools built on bleve, see the
// same words); xuncha indexes and queries with the Analyzer it is given, which
// may carry a user dictionary.
var defaultAnalyzer = sync.OnceValues(func() (*Analyzer, error) {
	seg, err := NewSegmenter(context.Background(), SegmenterOptions{})
	if err != nil {
		return nil, err
	}
	return NewAnalyzer(seg), nil
})

func defaultWords(mode Mode) func(*Normalized, *tokenBuf) {
	return func(n *Normalized, buf *tokenBuf) {
		a, err := defaultAnalyzer()
		if err != nil {
			// Only a corrupt embedded dictionary gets here, which tests rule out.
			panic(fmt.Sprintf("xuncha: default analyzer: %v", err))
		}
		a.words(n, mode, buf)
	}
}

// tokenizer adapts one of xuncha's representations to bleve's Tokenizer and
// Analyzer interfaces.
type tokenizer struct {
	fill func(*Normalized, *tokenBuf)
	// positionsOnly zeroes the offsets: the index keeps positions for phrase
	// matching, and highlights are computed from the stored text, so
	// offsets in the index would only take space (about 4% of it).
	positionsOnly bool
}

// Tokenize implements analysis.Tokenizer. All terms share one byte arena.
func (t *tokenizer) Tokenize(input []byte) analysis.TokenStream {
	n := Normalize(string(input))
	buf := newTokenBuf(len(n.Runes))
	t.fill(&n, buf)
	out := make(analysis.TokenStream, len(buf.toks))
	all := make([]analysis.Token, len(buf.toks))
	for i, k := range buf.toks {
		term := buf.arena[k.a:k.b:k.b]
		typ := analysis.AlphaNumeric
		if r, _ := utf8.DecodeRune(term); isHan(r) {
			typ = analysis.Ideographic
		}
		all[i] = analysis.Token{Term: term, Position: k.pos, Type: typ}
		if !t.positionsOnly {
			all[i].Start, all[i].End = k.start, k.end
		}
		out[i] = &all[i]
	}
	return out
}

// Analyze implements analysis.Analyzer.
func (t *tokenizer) Analyze(input []byte) analysis.TokenStream { return t.Tokenize(input) }
