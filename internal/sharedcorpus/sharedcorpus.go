// Package sharedcorpus locates the shared corpus of real documents
// (../shared next to the repository) for tests and benchmarks.
//
// The path comes from one environment variable, XUNCHA_SHARED, with the
// sibling directory ../shared of the repository root as default. Where the
// corpus is absent, tests skip with a message saying so, except under CI=true,
// where they fail: CI must run them.
package sharedcorpus

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// EnvVar names the environment variable that overrides the corpus location.
const EnvVar = "XUNCHA_SHARED"

// Dir returns the shared directory (holding corpus/ and eval/), or skips tb
// (fails it under CI=true) when there is none.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared corpus not found (%v); set %s", err, EnvVar)
		}
		tb.Skipf("shared corpus not found (%v); set %s to run this test", err, EnvVar)
	}
	return dir
}

// Path returns Dir(tb) joined with elem, skipping or failing like Dir when
// that path does not exist.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared corpus file missing: %v", err)
		}
		tb.Skipf("shared corpus file missing: %v", err)
	}
	return p
}

func find() (string, error) {
	if d := os.Getenv(EnvVar); d != "" {
		if _, err := os.Stat(d); err != nil {
			return "", err
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	// Walk up to the module root (the directory holding go.mod).
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared")
			if _, err := os.Stat(d); err != nil {
				return "", err
			}
			return filepath.Clean(d), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Files returns, sorted, every file under Path(tb, elem...) whose name ends
// in ext, searching subdirectories.
func Files(tb testing.TB, ext string, elem ...string) []string {
	tb.Helper()
	root := Path(tb, elem...)
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(p) == ext {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("list %s: %v", root, err)
	}
	sort.Strings(files)
	return files
}
