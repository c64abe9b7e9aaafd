package indexer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
)

// Suggestion is one completion for the search box.
type Suggestion struct {
	Text string `json:"text"`
	// Source says where it comes from: title, unit, problem, lexicon, word.
	Source string `json:"source"`
	weight float64
}

// suggester completes prefixes from a sorted list of candidates. It is
// immutable; the index builds a new one after a sync and swaps it in.
type suggester struct {
	keys  []string // normalised, sorted
	items []Suggestion
}

// Candidate weights by source: titles and units first, then the domain's
// terms, then words by how often they occur.
var suggestWeight = map[string]float64{"title": 1e6, "unit": 5e5, "problem": 4e5, "lexicon": 1e5}

const (
	maxSuggestScan  = 4000
	minWordDocCount = 5
	maxWordCands    = 50_000
)

// buildSuggester collects candidates from the index's keyword and word
// dictionaries and the domain lexicon.
func buildSuggester(b bleve.Index, lex *Lexicon) (*suggester, error) {
	seen := map[string]int{}
	var items []Suggestion
	add := func(text, source string, w float64) {
		text = strings.TrimSpace(text)
		if utf8.RuneCountInString(text) < 2 || utf8.RuneCountInString(text) > 40 {
			return
		}
		key := NormalizeString(text)
		if i, ok := seen[key]; ok {
			if w > items[i].weight {
				items[i].weight = w
			}
			return
		}
		seen[key] = len(items)
		items = append(items, Suggestion{Text: text, Source: source, weight: w})
	}
	for _, s := range []struct{ field, prefix, source string }{
		{fieldMeta, metaPrefix(metaWork), "title"},
		{fieldUnit, "", "unit"},
		{fieldProblem, "", "problem"},
	} {
		err := eachTermPrefix(b, s.field, s.prefix, func(term string, count uint64) {
			add(term, s.source, suggestWeight[s.source]+float64(count))
		})
		if err != nil {
			return nil, err
		}
	}
	if lex != nil {
		for _, e := range lex.Entries {
			add(e.Word, "lexicon", suggestWeight["lexicon"])
		}
	}
	words := 0
	err := eachTerm(b, fieldTextWord, func(term string, count uint64) {
		if count >= minWordDocCount && words < maxWordCands && isHanWord(term) {
			add(term, "word", float64(count))
			words++
		}
	})
	if err != nil {
		return nil, err
	}
	s := &suggester{items: items}
	sort.Slice(s.items, func(i, j int) bool {
		return NormalizeString(s.items[i].Text) < NormalizeString(s.items[j].Text)
	})
	s.keys = make([]string, len(s.items))
	for i, it := range s.items {
		s.keys[i] = NormalizeString(it.Text)
	}
	return s, nil
}

func isHanWord(s string) bool {
	n := 0
	for _, r := range s {
		if !isHan(r) {
			return false
		}
		n++
	}
	return n >= 2
}

func eachTerm(b bleve.Index, field string, fn func(term string, count uint64)) error {
	return eachTermPrefix(b, field, "", fn)
}

// eachTermPrefix calls fn with every term of field that begins with prefix,
// the prefix cut off, in order.
func eachTermPrefix(b bleve.Index, field, prefix string, fn func(term string, count uint64)) error {
	d, err := fieldDict(b, field, prefix)
	if err != nil {
		return fmt.Errorf("read %s dictionary: %w", field, err)
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil {
			return fmt.Errorf("read %s dictionary: %w", field, err)
		}
		if e == nil {
			return nil
		}
		fn(e.Term[len(prefix):], e.Count)
	}
}

// complete returns up to n candidates beginning with prefix, best first.
func (s *suggester) complete(prefix string, n int) []Suggestion {
	key := NormalizeString(strings.TrimSpace(prefix))
	if key == "" || s == nil {
		return nil
	}
	i := sort.SearchStrings(s.keys, key)
	var found []Suggestion
	for ; i < len(s.keys) && strings.HasPrefix(s.keys[i], key) && len(found) < maxSuggestScan; i++ {
		if s.keys[i] != key {
			found = append(found, s.items[i])
		}
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].weight > found[b].weight })
	if len(found) > n {
		found = found[:n]
	}
	return found
}

// MaxSuggestions bounds a suggestion request.
const MaxSuggestions = 20

// Suggest returns up to n completions of prefix (1 ≤ n ≤ 20) from titles,
// unit names, problem types, the domain lexicon and frequent words. The
// candidates are those of the last RefreshSuggestions.
func (ix *Index) Suggest(ctx context.Context, prefix string, n int) ([]Suggestion, error) {
	if n <= 0 || n > MaxSuggestions {
		return nil, fmt.Errorf("%w: the number of suggestions must be between 1 and %d", ErrRequest, MaxSuggestions)
	}
	if utf8.RuneCountInString(prefix) > MaxQueryRunes || !utf8.ValidString(prefix) {
		return nil, &QueryError{Pos: 1, Msg: "the prefix is not valid text of at most 256 characters"}
	}
	return ix.suggest.Load().complete(prefix, n), ctx.Err()
}

// RefreshSuggestions rebuilds the suggestion candidates from the index; call
// it after a sync.
func (ix *Index) RefreshSuggestions(ctx context.Context, lex *Lexicon) error {
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	s, err := buildSuggester(b, lex)
	if err != nil {
		return fmt.Errorf("refresh suggestions: %w", err)
	}
	ix.suggest.Store(s)
	return ctx.Err()
}
