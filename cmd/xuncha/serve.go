package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xuncha/xuncha/api"
	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/corpus/demo"
	"github.com/xuncha/xuncha/indexer"
)

// serveGCPercent is the server's GOGC when the environment sets none.
const serveGCPercent = 200

// runServe runs the HTTP service until ctx is cancelled. On an empty data
// directory it loads the embedded demo corpus first and prints a first admin
// token.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("serve", args, os.LookupEnv, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", rest[0])}
	}
	log := newLogger(cfg, stderr)
	// Searches come first: indexing (imports, syncs, a reindex) analyses
	// on one goroutine while serving.
	indexer.SetAnalysisWorkers(1)
	// The garbage collector runs half as often as by Go's default
	// (GOGC=100), unless GOGC says otherwise: a search allocates in
	// proportion to its matches over a small live heap, and under the HTTP
	// benchmark this took 1,095–1,115 to about 1,220 QPS for about 130 MiB
	// more resident memory.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serveGCPercent)
	}
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer a.close()
	// A damaged store is never served: every record's checksum and bbolt's
	// page structure are checked before the first request.
	checkStart := time.Now()
	if err := a.store.Check(ctx); err != nil {
		return fmt.Errorf("serve: %w\nthe store is not served: restore the last backup into an empty data directory (xuncha restore FILE) and import again what came after it", err)
	}
	log.Info("store checked", "took", time.Since(checkStart).Round(time.Millisecond))
	if err := a.firstRun(ctx, stdout); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	audit, err := os.OpenFile(filepath.Join(cfg.DataDir, "audit.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("serve: audit log: %w", err)
	}
	defer audit.Close()

	backup := func(ctx context.Context, w io.Writer) error {
		return writeBackup(ctx, w, a.store, a.index, cfg.DataDir)
	}
	if a.shared() {
		backup = nil // the admin backup route answers 501: PostgreSQL's own tools back it up
	}
	var ready atomic.Bool
	notify := make(chan struct{}, 1)
	srv := api.New(api.Options{
		Store: a.store, Index: a.index, Parse: a.parse, Logger: log,
		Audit:       slog.New(slog.NewJSONHandler(audit, nil)),
		PublicReads: cfg.PublicReads, MaxUploadBytes: cfg.MaxUploadBytes, CORSOrigins: cfg.CORSOrigins,
		RatePerSecond: cfg.RatePerSecond, Burst: cfg.Burst, Version: version,
		Changed: func() {
			select {
			case notify <- struct{}{}:
			default:
			}
		},
		Ready:          ready.Load,
		Backup:         backup,
		PreviewLexicon: a.previewLexicon,
		ApplyLexicon:   a.applyLexicon,
		ApplySynonyms:  a.applySynonyms,
		Reindex: func(ctx context.Context, progress func(done, total uint64)) error {
			return a.index.Reindex(ctx, a.store, func(p indexer.SyncProgress) { progress(p.AppliedSeq, p.LastSeq) })
		},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: --addr %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "xuncha listening on http://%s\n", ln.Addr())

	// The index follows the store: at once, after every write, and every
	// few seconds in case another process wrote; a shared store is written
	// by other nodes all the time, and is asked every half second.
	pollEvery := 3 * time.Second
	if a.shared() {
		pollEvery = 500 * time.Millisecond
	}
	loopCtx, stopLoop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			start := time.Now()
			n, err := a.sync(loopCtx, nil)
			switch {
			case errors.Is(err, context.Canceled):
				return
			case err != nil:
				log.Error("index sync", "err", err)
			case n > 0:
				log.Info("index synced", "changes", n, "took", time.Since(start).Round(time.Millisecond))
			}
			if !ready.Load() && a.caughtUp(loopCtx) {
				if err := a.index.Warm(loopCtx); err != nil && loopCtx.Err() == nil {
					log.Warn("build the facet and title columns", "err", err)
				}
				ready.Store(true)
				log.Info("ready")
			}
			if a.shared() && a.synonymsBehind(loopCtx) {
				if err := a.applySynonyms(loopCtx); err != nil && loopCtx.Err() == nil {
					log.Error("apply the synonyms changed on another node", "err", err)
				} else if err == nil {
					log.Info("applied the synonyms changed on another node")
				}
			}
			if a.lexiconBehind(loopCtx) {
				// Another node changed the lexicon: apply it here too.
				res, err := a.applyLexicon(loopCtx, nil)
				if err != nil && loopCtx.Err() == nil {
					log.Error("apply the lexicon changed on another node", "err", err)
				} else if err == nil {
					log.Info("applied the lexicon changed on another node", "words", res.Words, "passages", res.Reindexed)
				}
			}
			select {
			case <-loopCtx.Done():
				return
			case <-notify:
			case <-time.After(pollEvery):
			}
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		stopLoop()
		wg.Wait()
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdownCtx)
	stopLoop()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// firstRun loads the demo corpus into an empty store and makes a first
// admin token, printed once.
func (a *app) firstRun(ctx context.Context, stdout io.Writer) error {
	seq, err := a.store.LastSeq(ctx)
	if err != nil || seq > 0 {
		return err
	}
	tokens, err := a.store.ListTokens(ctx)
	if err != nil {
		return err
	}
	if !a.cfg.NoDemo {
		sum, err := demo.Load(ctx, a.store, a.parse)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "empty data directory: loaded the demo corpus (%d documents, %d findings, the ledger marked 示例数据)\n", sum.Documents, sum.Findings)
	}
	if len(tokens) == 0 {
		secret, _, err := a.store.CreateToken(ctx, "first-admin", corpus.RoleAdmin)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "first admin token (shown once; 'xuncha token create' makes more): %s\n", secret)
	}
	return nil
}
