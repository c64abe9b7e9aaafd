package indexer

import (
	"context"
	"fmt"
	"slices"
)

// A lexicon change only changes how text containing one of the changed
// words is cut (the route through the dictionary DAG is chosen per run of
// Han characters, and only runs containing the word gain or lose a path).
// And it changes only the word representation, which ranks: exact matching
// runs on the character bigrams and unigrams, which no dictionary touches.
// So a search finds the same passages before and after a lexicon change;
// their order is what changes.

// LexiconPreview says how a lexicon change would cut the indexed text.
type LexiconPreview struct {
	// Candidates are the passages containing a changed word (at most
	// MaxWindow per word: Capped says some were left out).
	Candidates int  `json:"candidates"`
	Capped     bool `json:"capped"`
	// Changed are the candidates cut differently.
	Changed int             `json:"changed"`
	Samples []PreviewSample `json:"samples"`
}

// PreviewSample is one passage cut differently: the words around the first
// difference, before and after the change.
type PreviewSample struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Before []string `json:"before"`
	After  []string `json:"after"`
}

// PreviewLexicon finds the passages containing any of words (exact phrase
// search) and compares their cut by the index's analyzer with their cut by
// next, keeping up to samples examples.
func (ix *Index) PreviewLexicon(ctx context.Context, next *Analyzer, words []string, samples int) (LexiconPreview, error) {
	var p LexiconPreview
	seen := map[string]bool{}
	for _, w := range words {
		for from := 0; ; from += MaxSize {
			if from+MaxSize > MaxWindow {
				p.Capped = true
				break
			}
			res, err := ix.Search(ctx, Request{Query: `"` + w + `"`, Size: MaxSize, From: from})
			if err != nil {
				return p, fmt.Errorf("preview lexicon: %q: %w", w, err)
			}
			for _, h := range res.Hits {
				if seen[h.ID] {
					continue
				}
				seen[h.ID] = true
				p.Candidates++
				before, after, differ := cutDifference(ix.analyzer.Load().Segment(h.Text), next.Segment(h.Text))
				if !differ {
					continue
				}
				p.Changed++
				if len(p.Samples) < samples {
					p.Samples = append(p.Samples, PreviewSample{ID: h.ID, Title: h.Title, Before: before, After: after})
				}
			}
			if uint64(from+MaxSize) >= res.Total {
				break
			}
		}
	}
	if p.Samples == nil {
		p.Samples = []PreviewSample{}
	}
	return p, ctx.Err()
}

// cutDifference compares two cuts of one text and returns the words of
// each around their first difference (three words of context each side).
func cutDifference(a, b []Token) (before, after []string, differ bool) {
	i := 0
	for i < len(a) && i < len(b) && a[i].Term == b[i].Term {
		i++
	}
	if i == len(a) && i == len(b) {
		return nil, nil, false
	}
	// The cuts differ from token i; they realign where both end at the
	// same offset again.
	ja, jb := i, i
	for ja < len(a) && jb < len(b) {
		if a[ja].End == b[jb].End {
			break
		}
		if a[ja].End < b[jb].End {
			ja++
		} else {
			jb++
		}
	}
	lo := max(0, i-3)
	terms := func(ts []Token, end int) []string {
		var out []string
		for _, t := range ts[lo:min(len(ts), end+4)] {
			out = append(out, t.Term)
		}
		return out
	}
	return terms(a, ja), terms(b, jb), !slices.Equal(terms(a, ja), terms(b, jb)) || len(a) != len(b)
}
