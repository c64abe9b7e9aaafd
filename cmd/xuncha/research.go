package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/xuncha/xuncha/corpus"
)

// runQuote checks a quotation against the corpus and prints its sources
// with their differences and citations.
func runQuote(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withApp(ctx, "quote", args, stderr, nil, func(a *app, rest []string) error {
		if _, err := a.sync(ctx, nil); err != nil {
			return err
		}
		ms, err := a.index.QuoteCheck(ctx, strings.Join(rest, " "), 5)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			fmt.Fprintln(stdout, "no source found")
			return nil
		}
		for i, m := range ms {
			kind := "near"
			if m.Exact {
				kind = "exact"
			}
			fmt.Fprintf(stdout, "%d. %.0f%% %s  %s\n   %s\n", i+1, 100*m.Similarity, kind, m.Title, terminalHighlight(m.Text, m.Highlights, 160))
			for _, d := range m.Diffs {
				fmt.Fprintf(stdout, "   quotation %q ≠ source %q\n", d.Quote, d.Source)
			}
			if d, err := a.store.GetDocument(ctx, m.DocumentID); err == nil && m.Kind != corpus.KindFinding {
				if c, err := corpus.Cite(d, m.ID, time.Now()); err == nil {
					fmt.Fprintf(stdout, "   %s %s\n", c.GBT7714, c.Plain)
				}
			}
		}
		return nil
	})
}

// runCite prints the citations of a paragraph (by its ID, the permalink).
func runCite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var format string
	return withApp(ctx, "cite", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "gbt7714", "gbt7714, plain or ris")
	}, func(a *app, rest []string) error {
		if len(rest) != 1 {
			return usageError{"cite [--format gbt7714|plain|ris] PARAGRAPH_ID"}
		}
		p, err := a.store.GetParagraph(ctx, rest[0])
		if err != nil {
			return err
		}
		d, err := a.store.GetDocument(ctx, p.DocumentID)
		if err != nil {
			return err
		}
		c, err := corpus.Cite(d, p.ID, time.Now())
		if err != nil {
			return err
		}
		switch format {
		case "gbt7714":
			fmt.Fprintln(stdout, c.GBT7714)
		case "plain":
			fmt.Fprintln(stdout, c.Plain)
		case "ris":
			fmt.Fprint(stdout, c.RIS)
		default:
			return usageError{fmt.Sprintf("cite: --format must be gbt7714, plain or ris, not %q", format)}
		}
		return nil
	})
}

// loadFindings returns every finding in the store.
func (a *app) loadFindings(ctx context.Context) ([]*corpus.Finding, error) {
	var fs []*corpus.Finding
	err := a.store.EachFinding(ctx, func(f *corpus.Finding) error { fs = append(fs, f); return nil })
	return fs, err
}

// runReport prints a round's report, or writes its 整改台账 as XLSX or CSV.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var xlsx, csvFile string
	return withApp(ctx, "report", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&xlsx, "xlsx", "", "write the round's 整改台账 to this XLSX file")
		fs.StringVar(&csvFile, "csv", "", "write the round's 整改台账 to this CSV file")
	}, func(a *app, rest []string) error {
		if len(rest) != 1 {
			return usageError{"report [--xlsx FILE] [--csv FILE] ROUND"}
		}
		fs, err := a.loadFindings(ctx)
		if err != nil {
			return err
		}
		rep := corpus.ReportOf(rest[0], fs, time.Now())
		if len(rep.Findings) == 0 {
			return fmt.Errorf("report: no findings in round %q", rest[0])
		}
		write := func(path string, fn func(io.Writer) error) error {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			if err := fn(f); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}
		if xlsx != "" {
			if err := write(xlsx, func(w io.Writer) error { return corpus.WriteLedgerXLSX(w, rep.Round, rep.Findings) }); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		}
		if csvFile != "" {
			if err := write(csvFile, func(w io.Writer) error { return corpus.WriteLedgerCSV(w, rep.Findings) }); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		}
		t := rep.Total
		fmt.Fprintf(stdout, "%s: %d found, %d rectified, %d in progress, %d not started, %d ongoing, %d overdue\n",
			rep.Round, t.Found, t.Done, t.InProgress, t.NotStarted, t.Ongoing, t.Overdue)
		for unit, c := range rep.ByUnit {
			fmt.Fprintf(stdout, "  %s: %d found, %d rectified, %d overdue\n", unit, c.Found, c.Done, c.Overdue)
		}
		return nil
	})
}

// runProfile prints a unit's profile as JSON.
func runProfile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return withApp(ctx, "profile", args, stderr, nil, func(a *app, rest []string) error {
		if len(rest) != 1 {
			return usageError{"profile UNIT"}
		}
		fs, err := a.loadFindings(ctx)
		if err != nil {
			return err
		}
		p := corpus.ProfileOf(rest[0], fs, time.Now())
		if len(p.Findings) == 0 {
			return fmt.Errorf("profile: no findings for unit %q", rest[0])
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	})
}
