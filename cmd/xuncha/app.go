package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuncha/xuncha/api"
	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
	"github.com/xuncha/xuncha/internal/atomicfile"
)

// Store is what the binary needs of a store. corpus.BoltStore (the
// embedded store in the data directory, the default) and corpus.PGStore
// (--store postgres://…, shared by several nodes) implement it.
type Store interface {
	api.Store
	indexer.Source
	indexer.Walker
	NotInForce(ctx context.Context, day time.Time) ([]string, error)
	LexiconAt(ctx context.Context, version uint64) ([]corpus.LexiconWord, []string, error)
	CreateToken(ctx context.Context, name string, role corpus.Role) (string, *corpus.Token, error)
	CreateTokenUntil(ctx context.Context, name string, role corpus.Role, expires time.Time) (string, *corpus.Token, error)
	ListTokens(ctx context.Context) ([]corpus.Token, error)
	RevokeToken(ctx context.Context, id string) error
	SynonymsVersion(ctx context.Context) (uint64, error)
	Check(ctx context.Context) error
	Close() error
}

var (
	_ Store = (*corpus.BoltStore)(nil)
	_ Store = (*corpus.PGStore)(nil)
)

// openStore opens the store the configuration names: a PostgreSQL database
// (--store postgres://…) or the embedded store file in the data directory.
func openStore(ctx context.Context, cfg *Config) (Store, error) {
	if cfg.Store != "" {
		return corpus.OpenPostgres(ctx, cfg.Store, corpus.StoreOptions{})
	}
	return corpus.OpenBolt(ctx, filepath.Join(cfg.DataDir, "store.db"), corpus.StoreOptions{})
}

// shared reports whether the store is shared with other nodes, which may
// write to it at any moment.
func (a *app) shared() bool { return a.cfg.Store != "" }

// app is the wired service: store, analysis and index, opened from a Config.
type app struct {
	cfg      *Config
	log      *slog.Logger
	store    Store
	analyzer *indexer.Analyzer
	lexicon  *indexer.Lexicon
	index    *indexer.Index
	parse    corpus.ParseOptions

	// lexMu serialises lexicon changes; lexVersion is the stored lexicon
	// version the running analysis includes.
	lexMu      sync.Mutex
	lexVersion uint64
	// synMu guards synVersion, the stored synonym version queries expand
	// with (0: the embedded file).
	synMu      sync.Mutex
	synVersion uint64

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
	a.store, err = openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The working copies of backups a killed process left behind (the
	// embedded store is locked now: no other process is writing there).
	if !a.shared() {
		if err := os.RemoveAll(filepath.Join(cfg.DataDir, backupTmpDir)); err != nil {
			log.Warn("could not remove the backups' working copies", "err", err)
		}
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
	a.lexVersion = lexVersion
	seg, err := indexer.NewSegmenter(ctx, indexer.SegmenterOptions{Lexicons: lexicons})
	if err != nil {
		a.close()
		return nil, err
	}
	a.analyzer = indexer.NewAnalyzer(seg)
	log.Info("dictionary loaded", "words", seg.Words(), "took", time.Since(start).Round(time.Millisecond), "analysis", a.analyzer.Version())

	indexDir := filepath.Join(cfg.DataDir, "index")
	if err := a.checkStoreID(ctx, indexDir); err != nil {
		a.close()
		return nil, err
	}
	syn, synVersion, err := a.storedSynonyms(ctx)
	if err != nil {
		a.close()
		return nil, err
	}
	a.synVersion = synVersion
	indexer.SetBulkMemory(cfg.IndexMemory)
	opts := indexer.Options{Passages: indexer.StorePassages{Store: a.store}, InForce: a.store, Synonyms: syn}
	a.index, err = indexer.Open(ctx, indexDir, a.analyzer, opts)
	var mm *indexer.AnalysisMismatchError
	if errors.As(err, &mm) {
		// Only the stored lexicon changed since the index was built (xuncha
		// lexicon while the server was down): re-index just what it affects.
		if ix, res, ok := a.catchUpLexicon(ctx, indexDir, opts, mm.Index, lexicons[:len(lexicons)-boolToInt(lexVersion > 0)]); ok {
			a.index, err = ix, nil
			log.Info("applied the lexicon changes made since the index was built", "words", res.Words, "passages", res.Reindexed)
		}
	}
	switch {
	case err == nil:
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
	a.index.SetCacheEntries(cfg.QueryCache)
	if pending := a.index.PendingLexicon(); len(pending) > 0 {
		// Stopped while applying a lexicon change: finish it.
		res, err := a.index.ApplyLexicon(ctx, a.store, a.analyzer, pending, nil)
		if err != nil {
			a.close()
			return nil, err
		}
		log.Info("resumed a lexicon change", "words", res.Words, "passages", res.Reindexed)
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

// applyLexicon brings the running analysis to the stored lexicon: it
// builds the segmenter of the new version and re-indexes only the passages
// containing the words changed since the running version (see
// indexer.ApplyLexicon). It does nothing if the versions agree.
func (a *app) applyLexicon(ctx context.Context, progress func(done, total int)) (indexer.LexiconApplied, error) {
	a.lexMu.Lock()
	defer a.lexMu.Unlock()
	v, words, err := a.store.Lexicon(ctx)
	if err != nil || v == a.lexVersion {
		return indexer.LexiconApplied{}, err
	}
	events, err := a.store.LexiconHistory(ctx, int(v-a.lexVersion))
	if err != nil {
		return indexer.LexiconApplied{}, err
	}
	changed := map[string]bool{}
	for _, e := range events {
		if e.Version > a.lexVersion {
			for _, c := range e.Changes {
				changed[c.Word] = true
			}
		}
	}
	list := make([]string, 0, len(changed))
	for w := range changed {
		list = append(list, w)
	}
	sort.Strings(list)
	lexicons, err := a.baseLexicons()
	if err != nil {
		return indexer.LexiconApplied{}, err
	}
	seg, err := indexer.NewSegmenter(ctx, indexer.SegmenterOptions{Lexicons: append(lexicons, indexer.StoreLexicon(v, words))})
	if err != nil {
		return indexer.LexiconApplied{}, err
	}
	next := indexer.NewAnalyzer(seg)
	res, err := a.index.ApplyLexicon(ctx, a.store, next, list, progress)
	if err != nil {
		return res, err
	}
	a.analyzer, a.lexVersion = next, v
	return res, nil
}

// catchUpLexicon opens an index built with an earlier version of the stored
// lexicon (named in indexVersion) with the analysis of that version, then
// applies the words changed since. base are the lexicons before the stored
// one. ok is false if the index is not such an index.
func (a *app) catchUpLexicon(ctx context.Context, dir string, opts indexer.Options, indexVersion string, base []*indexer.Lexicon) (*indexer.Index, indexer.LexiconApplied, bool) {
	var res indexer.LexiconApplied
	var old uint64
	if m := regexp.MustCompile(`store@v(\d+)`).FindStringSubmatch(indexVersion); m != nil {
		n, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil || n >= a.lexVersion {
			return nil, res, false
		}
		old = n
	}
	words, changed, err := a.store.LexiconAt(ctx, old)
	if err != nil || len(changed) == 0 {
		return nil, res, false
	}
	lexicons := base
	if old > 0 {
		lexicons = append(append([]*indexer.Lexicon{}, base...), indexer.StoreLexicon(old, words))
	}
	seg, err := indexer.NewSegmenter(ctx, indexer.SegmenterOptions{Lexicons: lexicons})
	if err != nil {
		return nil, res, false
	}
	prev := indexer.NewAnalyzer(seg)
	if prev.Version() != indexVersion {
		return nil, res, false // built with other dictionaries too
	}
	ix, err := indexer.Open(ctx, dir, prev, opts)
	if err != nil {
		return nil, res, false
	}
	if res, err = ix.ApplyLexicon(ctx, a.store, a.analyzer, changed, nil); err != nil {
		ix.Close()
		return nil, res, false
	}
	return ix, res, true
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// baseLexicons are the lexicons applied before the stored one: the domain
// lexicon and the user dictionary, if any.
func (a *app) baseLexicons() ([]*indexer.Lexicon, error) {
	lexicons := []*indexer.Lexicon{a.lexicon}
	if a.cfg.UserDict != "" {
		user, err := indexer.LoadLexiconFile(a.cfg.UserDict)
		if err != nil {
			return nil, err
		}
		lexicons = append(lexicons, user)
	}
	return lexicons, nil
}

// checkStoreID makes sure the index in indexDir was built from this store.
// The data directory of a node with a PostgreSQL store holds only its
// index, recorded (in store-id) as following that database; pointed at
// another database, the index is deleted and rebuilt from it.
func (a *app) checkStoreID(ctx context.Context, indexDir string) error {
	pg, ok := a.store.(*corpus.PGStore)
	if !ok {
		return nil
	}
	id, err := pg.ID(ctx)
	if err != nil {
		return err
	}
	path := filepath.Join(a.cfg.DataDir, "store-id")
	if b, err := os.ReadFile(path); err == nil && string(b) == id {
		return nil
	}
	if _, err := os.Stat(indexDir); err == nil {
		a.log.Warn("the index was built from another store; rebuilding it from this one", "dir", indexDir)
		if err := os.RemoveAll(indexDir); err != nil {
			return err
		}
	}
	return atomicfile.Write(path, []byte(id))
}

// lexiconBehind reports whether another node changed the stored lexicon
// since this one's analysis was built (false while a change is being
// applied here).
func (a *app) lexiconBehind(ctx context.Context) bool {
	pg, ok := a.store.(*corpus.PGStore)
	if !ok || !a.lexMu.TryLock() {
		return false
	}
	defer a.lexMu.Unlock()
	v, err := pg.LexiconVersion(ctx)
	return err == nil && v != a.lexVersion
}

// storedSynonyms returns the synonym file stored by editors and its
// version, or nil and 0 if there is none (the embedded file applies). A
// stored file that no longer parses (checked when stored; possible only
// after a downgrade) is logged and the embedded one used.
func (a *app) storedSynonyms(ctx context.Context) (*indexer.Synonyms, uint64, error) {
	cur, err := a.store.Synonyms(ctx)
	if err != nil || cur.Version == 0 {
		return nil, 0, err
	}
	syn, err := indexer.ParseSynonyms(strings.NewReader(cur.Text), fmt.Sprintf("stored v%d", cur.Version))
	if err != nil {
		a.log.Error("the stored synonym file does not parse; using the embedded one", "err", err)
		return nil, cur.Version, nil
	}
	return syn, cur.Version, nil
}

// applySynonyms makes queries expand with the stored synonym file, from
// the next query on (nothing is re-indexed).
func (a *app) applySynonyms(ctx context.Context) error {
	a.synMu.Lock()
	defer a.synMu.Unlock()
	syn, v, err := a.storedSynonyms(ctx)
	if err != nil {
		return err
	}
	if syn == nil {
		if syn, err = indexer.DefaultSynonyms(); err != nil {
			return err
		}
	}
	a.index.SetSynonyms(syn)
	a.synVersion = v
	return nil
}

// synonymsBehind reports whether the stored synonym file changed since
// this node loaded it (another node's edit).
func (a *app) synonymsBehind(ctx context.Context) bool {
	v, err := a.store.SynonymsVersion(ctx)
	a.synMu.Lock()
	defer a.synMu.Unlock()
	return err == nil && v != a.synVersion
}
