package corpus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Outcome is what happened to one imported file.
type Outcome string

// Import outcomes.
const (
	Imported  Outcome = "imported"
	Duplicate Outcome = "duplicate" // same content already stored
	Rejected  Outcome = "rejected"
)

// FileResult reports one file of an import.
type FileResult struct {
	Path       string  `json:"path"`
	Outcome    Outcome `json:"outcome"`
	DocumentID string  `json:"document_id,omitempty"`
	Findings   int     `json:"findings,omitempty"`
	// Reason says why a file was rejected.
	Reason string `json:"reason,omitempty"`
	// Seq is the change sequence of the commit that stored the file.
	Seq uint64 `json:"seq,omitempty"`
}

// ImportSummary counts an import's outcomes.
type ImportSummary struct {
	Imported, Duplicates, Rejected int
	Results                        []FileResult
}

// Applier stores a batch in one transaction; the stores implement it.
type Applier interface {
	Apply(ctx context.Context, b Batch, who string) (BatchResult, error)
}

// ledgerExts are the extensions of findings ledgers.
var ledgerExts = map[string]bool{".jsonl": true, ".ndjson": true, ".csv": true, ".xlsx": true}

// ListImportable returns the files under paths (recursively) that xuncha
// imports, sorted, skipping hidden files and directories. A path that does
// not exist is an error.
func ListImportable(paths []string) ([]string, error) {
	var out []string
	readable := map[string]bool{}
	for _, f := range Formats {
		readable[f] = true
	}
	for ext := range ledgerExts {
		readable[ext] = true
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if !info.IsDir() {
			out = append(out, root)
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != root {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && readable[strings.ToLower(filepath.Ext(p))] {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ImportFile parses one file and stores it (a document, with the findings of
// a notice; or the findings of a ledger) in one transaction. The file is
// acknowledged (Outcome Imported, with Seq) only once that transaction has
// committed. A file that cannot be read or stored is Rejected with the
// reason, and the store is left as it was.
func ImportFile(ctx context.Context, s Applier, path string, opts ParseOptions) FileResult {
	res := FileResult{Path: path}
	reject := func(err error) FileResult {
		res.Outcome, res.Reason = Rejected, err.Error()
		if errors.Is(err, syscall.ENOSPC) {
			res.Reason = ErrDiskFull.Error() + ": nothing of this file was stored; free space and import it again"
		}
		return res
	}
	info, err := os.Stat(path)
	if err != nil {
		return reject(err)
	}
	lim := opts.Limits
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	if info.Size() > lim.MaxFileBytes {
		return reject(&ParseError{File: filepath.Base(path), Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, info.Size(), lim.MaxFileBytes)})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return reject(err)
	}
	var b Batch
	if ledgerExts[strings.ToLower(filepath.Ext(path))] {
		fs, err := ParseLedger(ctx, path, data, lim)
		if err != nil {
			return reject(err)
		}
		b.Findings = fs
	} else {
		d, err := Parse(ctx, path, data, opts)
		if err != nil {
			return reject(err)
		}
		b.Documents = []*Document{d}
		res.DocumentID = d.ID
		if d.Kind == KindNotice {
			b.Findings = NoticeFindings(d)
		}
	}
	r, err := s.Apply(ctx, b, opts.Who)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return reject(err)
		}
		return reject(fmt.Errorf("store: %w", err))
	}
	res.Findings = len(b.Findings)
	res.Seq = r.LastSeq
	if len(r.Added) == 0 && len(r.Updated) == 0 {
		res.Outcome = Duplicate
	} else {
		res.Outcome = Imported
	}
	return res
}

// ImportFiles imports every file, calling progress after each one, and
// returns the summary. It stops early only if ctx is cancelled.
func ImportFiles(ctx context.Context, s Applier, files []string, opts ParseOptions, progress func(FileResult)) (ImportSummary, error) {
	var sum ImportSummary
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		r := ImportFile(ctx, s, p, opts)
		switch r.Outcome {
		case Imported:
			sum.Imported++
		case Duplicate:
			sum.Duplicates++
		default:
			sum.Rejected++
		}
		sum.Results = append(sum.Results, r)
		if progress != nil {
			progress(r)
		}
	}
	return sum, nil
}
