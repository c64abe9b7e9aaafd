// Package demo holds the demo corpus embedded in the xuncha binary (the
// reference speech, a few regulations, the CCDI notices and a synthetic
// findings ledger marked 示例数据) and loads it into a store. See
// data/README.md for what is in it and where it came from.
package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/xuncha/xuncha/corpus"
)

//go:embed data
var files embed.FS

// Store is what Load writes to.
type Store interface {
	Apply(ctx context.Context, b corpus.Batch, who string) (corpus.BatchResult, error)
}

// Summary says what Load stored.
type Summary struct {
	Documents, Findings int
}

// Load parses every embedded file with opts and stores the documents, the
// findings of the notices and the sample ledger in one batch, attributed to
// "demo". Loading twice changes nothing (the IDs are derived from content).
func Load(ctx context.Context, s Store, opts corpus.ParseOptions) (Summary, error) {
	var b corpus.Batch
	err := fs.WalkDir(files, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) == "README.md" {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".csv") {
			fs, err := corpus.ParseLedger(ctx, p, data, opts.Limits)
			if err != nil {
				return err
			}
			b.Findings = append(b.Findings, fs...)
			return nil
		}
		doc, err := corpus.Parse(ctx, p, data, opts)
		if err != nil {
			return err
		}
		b.Documents = append(b.Documents, doc)
		if doc.Kind == corpus.KindNotice {
			b.Findings = append(b.Findings, corpus.NoticeFindings(doc)...)
		}
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("load demo corpus: %w", err)
	}
	if _, err := s.Apply(ctx, b, "demo"); err != nil {
		return Summary{}, fmt.Errorf("load demo corpus: %w", err)
	}
	return Summary{Documents: len(b.Documents), Findings: len(b.Findings)}, nil
}
