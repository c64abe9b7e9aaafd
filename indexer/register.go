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
		BigramAnalyzerName:  func() (*tokenizer, error) { return &tokenizer{fn: Bigrams}, nil },
		UnigramAnalyzerName: func() (*tokenizer, error) { return &tokenizer{fn: Unigrams}, nil },
		WordAnalyzerName:    func() (*tokenizer, error) { return &tokenizer{fn: defaultWords(IndexMode)}, nil },
		QueryAnalyzerName:   func() (*tokenizer, error) { return &tokenizer{fn: defaultWords(QueryMode)}, nil },
	} {
		must(registry.RegisterTokenizer(name, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
			return fn()
		}))
		must(registry.RegisterAnalyzer(name, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
			return fn()
		}))
	}
}

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

func defaultWords(mode Mode) func(string) []Token {
	return func(text string) []Token {
		a, err := defaultAnalyzer()
		if err != nil {
			// Only a corrupt embedded dictionary gets here, which tests rule out.
			panic(fmt.Sprintf("xuncha: default analyzer: %v", err))
		}
		return a.Words(text, mode)
	}
}

// tokenizer adapts one of xuncha's representations to bleve's Tokenizer and
// Analyzer interfaces.
type tokenizer struct {
	fn func(string) []Token
}

// Tokenize implements analysis.Tokenizer.
func (t *tokenizer) Tokenize(input []byte) analysis.TokenStream {
	toks := t.fn(string(input))
	out := make(analysis.TokenStream, len(toks))
	all := make([]analysis.Token, len(toks))
	for i, tk := range toks {
		typ := analysis.AlphaNumeric
		if r, _ := utf8.DecodeRuneInString(tk.Term); isHan(r) {
			typ = analysis.Ideographic
		}
		all[i] = analysis.Token{Term: []byte(tk.Term), Start: tk.Start, End: tk.End, Position: tk.Position, Type: typ}
		out[i] = &all[i]
	}
	return out
}

// Analyze implements analysis.Analyzer.
func (t *tokenizer) Analyze(input []byte) analysis.TokenStream { return t.Tokenize(input) }

// BleveAnalyzers returns bleve analyzers for the three representations that
// use a, for building documents with bleve's document package.
func (a *Analyzer) BleveAnalyzers() (bigram, unigram, word analysis.Analyzer) {
	return &tokenizer{fn: Bigrams}, &tokenizer{fn: Unigrams}, &tokenizer{fn: func(s string) []Token { return a.Words(s, IndexMode) }}
}
