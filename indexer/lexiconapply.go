package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
)

// internalPendingKey records a lexicon change being applied: the analysis
// it moves to and its words, so that a process killed midway resumes it.
var internalPendingKey = []byte("xuncha.pending-analysis")

type pendingAnalysis struct {
	Version string   `json:"version"`
	Words   []string `json:"words"`
}

// LexiconApplied says what ApplyLexicon did.
type LexiconApplied struct {
	Words      int `json:"words"`
	Candidates int `json:"candidates"`
	Reindexed  int `json:"reindexed"`
}

// ApplyLexicon moves the index to next, an analyzer whose dictionary
// differs from the current one in words: it re-indexes with next only the
// passages containing one of them (found by exact search; no other text is
// cut differently), then makes next the analyzer of queries and new
// passages and records its version. It holds off syncs meanwhile, so no
// passage is indexed with the old analysis after it starts.
//
// Searches are answered throughout and find the same passages: matching
// runs on character bigrams and unigrams, which no dictionary touches. The
// query side moves to next only once every affected passage has, so it
// never runs ahead of the index; until then a re-indexed passage may rank
// as if its words were cut the new way.
//
// A process killed midway resumes at the next Open with the same analyzer
// (PendingLexicon).
func (ix *Index) ApplyLexicon(ctx context.Context, src Source, next *Analyzer, words []string, progress func(done, total int)) (LexiconApplied, error) {
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	out := LexiconApplied{Words: len(words)}
	mark, err := json.Marshal(pendingAnalysis{Version: next.Version(), Words: words})
	if err != nil {
		return out, err
	}
	if err := b.SetInternal(internalPendingKey, mark); err != nil {
		return out, fmt.Errorf("apply lexicon: %w", err)
	}
	ids, err := passagesContaining(ctx, b, words)
	if err != nil {
		return out, fmt.Errorf("apply lexicon: %w", err)
	}
	out.Candidates = len(ids)
	// Rebuild the passages exactly as sync does: from their document or
	// finding in the store, with the units they mention.
	byDoc := map[string][]string{}
	var findings []string
	for _, id := range ids {
		if doc, _, ok := strings.Cut(id, "-p"); ok && strings.HasPrefix(id, "d") {
			byDoc[doc] = append(byDoc[doc], id)
		} else {
			findings = append(findings, id)
		}
	}
	units, err := knownUnits(b)
	if err != nil {
		return out, fmt.Errorf("apply lexicon: %w", err)
	}
	var batch []Passage
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		mentionUnits(batch, units)
		if err := applyTo(ctx, b, next, batch, nil, 0); err != nil {
			return fmt.Errorf("apply lexicon: %w", err)
		}
		out.Reindexed += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(out.Reindexed, len(ids))
		}
		return nil
	}
	docs := make([]string, 0, len(byDoc))
	for d := range byDoc {
		docs = append(docs, d)
	}
	sort.Strings(docs)
	for _, docID := range docs {
		d, err := src.GetDocument(ctx, docID)
		if err != nil {
			continue // deleted meanwhile: the next sync removes its passages
		}
		want := map[string]bool{}
		for _, id := range byDoc[docID] {
			want[id] = true
		}
		for _, p := range PassagesOf(d) {
			if want[p.ID] {
				batch = append(batch, p)
			}
		}
		if len(batch) >= passagesPerCommit {
			if err := flush(); err != nil {
				return out, err
			}
		}
	}
	for _, id := range findings {
		f, err := src.GetFinding(ctx, id)
		if err != nil {
			continue
		}
		batch = append(batch, FindingPassage(f))
		if len(batch) >= passagesPerCommit {
			if err := flush(); err != nil {
				return out, err
			}
		}
	}
	if err := flush(); err != nil {
		return out, err
	}
	// Every affected passage is cut the new way: the analysis version and
	// the query side move together.
	bt := b.NewBatch()
	bt.SetInternal(internalAnalysisKey, []byte(next.Version()))
	bt.DeleteInternal(internalPendingKey)
	if err := b.Batch(bt); err != nil {
		return out, fmt.Errorf("apply lexicon: %w", err)
	}
	ix.analyzer.Store(next)
	return out, ctx.Err()
}

// PendingLexicon returns the words of a lexicon change that was being
// applied when the process stopped, if the index was opened with the
// analyzer it was moving to; the caller resumes it with ApplyLexicon.
func (ix *Index) PendingLexicon() []string { return ix.pending }

// passagesContaining lists, sorted, the IDs of the passages that contain any
// of words, by exact phrase search over every match.
func passagesContaining(ctx context.Context, b bleve.Index, words []string) ([]string, error) {
	seen := map[string]bool{}
	for _, w := range words {
		q, err := PhraseQuery(w)
		if err != nil {
			continue // nothing searchable in it (punctuation): no text contains it as a word
		}
		if err := eachMatch(ctx, b, q, func(id string) { seen[id] = true }); err != nil {
			return nil, err
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}
