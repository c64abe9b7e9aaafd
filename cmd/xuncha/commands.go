package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/xuncha/xuncha/api"
	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// withApp loads the configuration of a command, opens the app, and runs fn.
func withApp(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet), fn func(a *app, rest []string) error) error {
	cfg, rest, err := loadConfig(name, args, os.LookupEnv, stderr, extra)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer a.close()
	return fn(a, rest)
}

// withStore is withApp for commands that need only the store (no
// dictionary, no index): they start at once.
func withStore(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet), fn func(a *app, rest []string) error) error {
	cfg, rest, err := loadConfig(name, args, os.LookupEnv, stderr, extra)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("%s: data directory: %w", name, err)
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	a := &app{cfg: cfg, log: newLogger(cfg, stderr), store: store}
	defer a.close()
	return fn(a, rest)
}

// runImport imports files and directories, showing progress, then brings the
// index up to date and prints a summary.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withApp(ctx, "import", args, stderr, nil, func(a *app, paths []string) error {
		if len(paths) == 0 {
			return usageError{"import: name the files or directories to import"}
		}
		files, err := corpus.ListImportable(paths)
		if err != nil {
			return err
		}
		bar := progressbar.NewOptions(len(files), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("files"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		opts := a.parse
		opts.Who = "cli"
		sum, err := corpus.ImportFiles(ctx, a.store, files, opts, func(corpus.FileResult) { _ = bar.Add(1) }) // a progress bar's write error is not worth stopping for
		_ = bar.Finish()                                                                                      // as above
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		fmt.Fprintf(stdout, "imported %d, skipped as duplicates %d, rejected %d (of %d files)\n", sum.Imported, sum.Duplicates, sum.Rejected, len(files))
		for _, r := range sum.Results {
			if r.Outcome == corpus.Rejected {
				fmt.Fprintf(stdout, "  rejected %s: %s\n", r.Path, r.Reason)
			}
		}
		start := time.Now()
		n, err := a.sync(ctx, nil)
		if err != nil {
			return fmt.Errorf("import: index: %w", err)
		}
		fmt.Fprintf(stdout, "index updated with %d changes in %v\n", n, time.Since(start).Round(time.Millisecond))
		if sum.Rejected > 0 && sum.Imported == 0 && sum.Duplicates == 0 {
			return fmt.Errorf("import: every file was rejected")
		}
		return nil
	})
}

// runSearch searches from the terminal: highlighted matches and section
// paths, or the API's JSON with --json.
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var asJSON bool
	var size int
	return withApp(ctx, "search", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print the result as JSON, as the API returns it")
		fs.IntVar(&size, "n", 10, "number of hits")
	}, func(a *app, rest []string) error {
		if _, err := a.sync(ctx, nil); err != nil {
			return err
		}
		res, err := a.index.Search(ctx, indexer.Request{Query: strings.Join(rest, " "), Size: size})
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(searchJSON(res))
		}
		fmt.Fprintf(stdout, "%d hits (%v)\n", res.Total, res.Took.Round(time.Microsecond))
		for i, h := range res.Hits {
			meta := []string{corpus.KindLabel(h.Kind)}
			if h.Unit != "" {
				meta = append(meta, h.Unit)
			}
			if !h.Date.IsZero() {
				meta = append(meta, h.Date.Format("2006-01-02"))
			}
			fmt.Fprintf(stdout, "\n%d. \x1b[1m%s\x1b[0m  [%s]\n", i+1, h.Title, strings.Join(meta, " · "))
			if len(h.Path) > 0 {
				fmt.Fprintf(stdout, "   %s\n", strings.Join(h.Path, " › "))
			}
			fmt.Fprintf(stdout, "   %s\n", terminalHighlight(h.Text, h.Highlights, 160))
		}
		return nil
	})
}

// terminalHighlight shows up to max characters of text around its first
// match, matches in bold yellow.
func terminalHighlight(text string, spans []indexer.Span, max int) string {
	s := indexer.Snippet(text, spans, max)
	s = strings.NewReplacer("<mark>", "\x1b[1;33m", "</mark>", "\x1b[0m", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'").Replace(s)
	return s
}

func searchJSON(res *indexer.Result) api.SearchResponse {
	out := api.SearchResponse{Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000, Hits: []api.HitJSON{}}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, api.HitFromIndex(h))
	}
	return out
}

// runReindex rebuilds the index from the store beside the live one.
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withApp(ctx, "reindex", args, stderr, nil, func(a *app, _ []string) error {
		start := time.Now()
		last, err := a.store.LastSeq(ctx)
		if err != nil {
			return err
		}
		bar := progressbar.NewOptions64(int64(last), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("reindexing"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
		err = a.index.Reindex(ctx, a.store, func(p indexer.SyncProgress) { _ = bar.Set64(int64(p.AppliedSeq)) }) // display only
		_ = bar.Finish()                                                                                         // display only
		if err != nil {
			return err
		}
		n, _ := a.index.Count()
		fmt.Fprintf(stdout, "reindexed %d passages in %v\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	})
}

// runToken manages API tokens: create NAME ROLE, list, revoke ID.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withStore(ctx, "token", args, stderr, nil, func(a *app, rest []string) error {
		if len(rest) == 0 {
			return usageError{"token: create NAME ROLE | list | revoke ID"}
		}
		switch rest[0] {
		case "create":
			if len(rest) != 3 && len(rest) != 4 {
				return usageError{"token create NAME ROLE [VALIDITY] (role: reader, editor or admin; validity: 90d, 12h …, default: no expiry)"}
			}
			role, ok := corpus.ParseRole(rest[2])
			if !ok {
				return usageError{fmt.Sprintf("token create: role %q is not reader, editor or admin", rest[2])}
			}
			var expires time.Time
			if len(rest) == 4 {
				d, err := parseValidity(rest[3])
				if err != nil {
					return usageError{"token create: " + err.Error()}
				}
				expires = time.Now().Add(d)
			}
			secret, t, err := a.store.CreateTokenUntil(ctx, rest[1], role, expires)
			if err != nil {
				return err
			}
			until := "no expiry"
			if !t.ExpiresAt.IsZero() {
				until = "expires " + t.ExpiresAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "token %s (%s, %s, %s); the secret is shown once:\n%s\n", t.ID, t.Name, t.Role, until, secret)
		case "list":
			ts, err := a.store.ListTokens(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tEXPIRES\tREVOKED")
			stamp := func(t time.Time) string {
				if t.IsZero() {
					return "-"
				}
				return t.Format(time.RFC3339)
			}
			for _, t := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, stamp(t.CreatedAt), stamp(t.ExpiresAt), stamp(t.RevokedAt))
			}
			return tw.Flush()
		case "revoke":
			if len(rest) != 2 {
				return usageError{"token revoke ID"}
			}
			if err := a.store.RevokeToken(ctx, rest[1]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked %s\n", rest[1])
		default:
			return usageError{fmt.Sprintf("token: unknown subcommand %q (create, list, revoke)", rest[0])}
		}
		return nil
	})
}

// runStats prints counts and versions.
func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withApp(ctx, "stats", args, stderr, nil, func(a *app, _ []string) error {
		docs, findings, err := a.store.Counts(ctx)
		if err != nil {
			return err
		}
		last, _ := a.store.LastSeq(ctx)
		applied, _ := a.index.AppliedSeq()
		passages, _ := a.index.Count()
		fmt.Fprintf(stdout, "documents %d\nfindings %d\npassages indexed %d\nstore change seq %d\nindex applied seq %d\nanalysis %s\n",
			docs, findings, passages, last, applied, a.analyzer.Version())
		return nil
	})
}

// runPDFExtract is the child process of PDF extraction (hidden command).
func runPDFExtract(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	return corpus.RunPDFChild(ctx, stdin, stdout, 1<<30, 256<<20)
}

// runCheck verifies the data directory: the store's structure and every
// record's checksum, the index's segment checksums (a damaged index is
// rebuilt as it is opened), and that the index, once caught up, holds
// exactly the store's passages. It fails if anything is wrong.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withApp(ctx, "check", args, stderr, nil, func(a *app, _ []string) error {
		start := time.Now()
		if err := a.store.Check(ctx); err != nil {
			return fmt.Errorf("check: %w", err)
		}
		docs, findings, err := a.store.Counts(ctx)
		if err != nil {
			return fmt.Errorf("check: %w", err)
		}
		fmt.Fprintf(stdout, "store: sound (%d documents, %d findings; checked in %v)\n", docs, findings, time.Since(start).Round(time.Millisecond))
		if _, err := a.sync(ctx, nil); err != nil {
			return fmt.Errorf("check: %w", err)
		}
		c, err := a.index.Compare(ctx, a.store)
		if err != nil {
			return fmt.Errorf("check: %w", err)
		}
		if !c.OK() {
			return fmt.Errorf("check: the index holds %d passages, the store %d; missing %v; extra %v (run xuncha reindex)",
				c.IndexPassages, c.StorePassages, c.Missing, c.Extra)
		}
		fmt.Fprintf(stdout, "index: %d passages, the same as the store's\n", c.IndexPassages)
		return nil
	})
}

// parseValidity reads a token's validity: a Go duration (12h, 30m) or a
// number of days (90d), at least a second and at most ten years.
func parseValidity(v string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("validity %q is not a number of days (90d) or a duration (12h)", v)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, fmt.Errorf("validity %q is not a number of days (90d) or a duration (12h)", v)
		}
	}
	if d < time.Second || d > 10*365*24*time.Hour {
		return 0, fmt.Errorf("validity %q must be between 1s and 3650d", v)
	}
	return d, nil
}
