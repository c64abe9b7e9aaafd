package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// app is the wired service: store, analysis and index, opened from a Config.
type app struct {
	cfg      *Config
	log      *slog.Logger
	store    *corpus.BoltStore
	analyzer *indexer.Analyzer
	lexicon  *indexer.Lexicon
	index    *indexer.Index
	parse    corpus.ParseOptions

	suggestionsBuilt bool
	// suggestionsDirty: the index changed since the suggestions were
	// built at suggestionsAt.
	suggestionsDirty bool
	suggestionsAt    time.Time
}

// suggestRefreshEvery spaces out rebuilding the suggestions, which reads
// every term of the index: an import over HTTP syncs after every upload,
// and rebuilding each time took CPU from searches.
const suggestRefreshEvery = 10 * time.Second

// openApp opens the store and the index in cfg.DataDir. An index built with
// another analysis (a changed lexicon, a new xuncha) is deleted and rebuilt
// from the store on the next sync: it is derived data, and serving it would
// give wrong results.
func openApp(ctx context.Context, cfg *Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	var err error
	a.store, err = corpus.OpenBolt(ctx, filepath.Join(cfg.DataDir, "store.db"), corpus.StoreOptions{})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	domain, err := indexer.DomainLexicon()
	if err != nil {
		a.close()
		return nil, err
	}
	a.lexicon = domain
	lexicons := []*indexer.Lexicon{domain}
	if cfg.UserDict != "" {
		user, err := indexer.LoadLexiconFile(cfg.UserDict)
		if err != nil {
			a.close()
			return nil, fmt.Errorf("--user-dict: %w", err)
		}
		lexicons = append(lexicons, user)
	}
	// The words editors changed through xuncha lexicon or the API, last.
	lexVersion, words, err := a.store.Lexicon(ctx)
	if err != nil {
		a.close()
		return nil, err
	}
	if lexVersion > 0 {
		lexicons = append(lexicons, indexer.StoreLexicon(lexVersion, words))
	}
	seg, err := indexer.NewSegmenter(ctx, indexer.SegmenterOptions{Lexicons: lexicons})
	if err != nil {
		a.close()
		return nil, err
	}
	a.analyzer = indexer.NewAnalyzer(seg)
	log.Info("dictionary loaded", "words", seg.Words(), "took", time.Since(start).Round(time.Millisecond), "analysis", a.analyzer.Version())

	indexDir := filepath.Join(cfg.DataDir, "index")
	opts := indexer.Options{Passages: indexer.StorePassages{Store: a.store}, InForce: a.store}
	a.index, err = indexer.Open(ctx, indexDir, a.analyzer, opts)
	var mm *indexer.AnalysisMismatchError
	switch {
	case errors.As(err, &mm):
		log.Warn("the index was built with another analysis; rebuilding it from the store", "index", mm.Index, "now", mm.Analyzer)
	case err != nil && ctx.Err() == nil:
		log.Error("the index cannot be opened; rebuilding it from the store", "err", err)
	}
	if err != nil && ctx.Err() == nil {
		if err := os.RemoveAll(indexDir); err != nil {
			a.close()
			return nil, err
		}
		a.index, err = indexer.Open(ctx, indexDir, a.analyzer, opts)
	}
	if err != nil {
		a.close()
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		a.close()
		return nil, err
	}
	a.parse = corpus.ParseOptions{PDF: corpus.ChildPDFExtractor{Command: []string{exe, "pdf-extract"}, Timeout: cfg.PDFTimeout}}
	return a, nil
}

func (a *app) close() {
	if a.index != nil {
		if err := a.index.Close(); err != nil {
			a.log.Error("close index", "err", err)
		}
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close store", "err", err)
		}
	}
}

// sync brings the index up to date with the store and refreshes the
// suggestions if anything changed.
func (a *app) sync(ctx context.Context, progress func(indexer.SyncProgress)) (int, error) {
	n, err := a.index.Sync(ctx, a.store, progress)
	if err != nil {
		return n, err
	}
	a.suggestionsDirty = a.suggestionsDirty || n > 0
	if !a.suggestionsBuilt || (a.suggestionsDirty && time.Since(a.suggestionsAt) >= suggestRefreshEvery) {
		if err := a.index.RefreshSuggestions(ctx, a.lexicon); err != nil {
			return n, err
		}
		a.suggestionsBuilt, a.suggestionsDirty, a.suggestionsAt = true, false, time.Now()
	}
	return n, nil
}

// caughtUp reports whether the index has applied every change of the store.
func (a *app) caughtUp(ctx context.Context) bool {
	last, err := a.store.LastSeq(ctx)
	if err != nil {
		return false
	}
	applied, err := a.index.AppliedSeq()
	return err == nil && applied >= last
}

func newLogger(cfg *Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
