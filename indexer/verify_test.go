package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestDamagedIndexIsDetected: a flipped bit anywhere in a segment, a
// truncated segment and a truncated root.bolt are each reported as
// ErrDamaged when the index is opened, never served. (Without the checksum
// check, bleve opens an index with a flipped bit inside a segment and
// serves from it.)
func TestDamagedIndexIsDetected(t *testing.T) {
	a := testAnalyzer(t)
	var ps []Passage
	for i := range 200 {
		ps = append(ps, Passage{ID: fmt.Sprintf("p%d", i), Text: fmt.Sprintf("第%d条 巡察组应当对被巡察党组织的整改情况进行督促检查，编号%d。", i, i*7919)})
	}
	build := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "index")
		ix, err := Open(context.Background(), dir, a, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := ix.Add(context.Background(), ps); err != nil {
			t.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
		// An undamaged index opens and is whole.
		ix, err = Open(context.Background(), dir, a, Options{})
		if err != nil {
			t.Fatalf("an undamaged index does not open: %v", err)
		}
		if n, _ := ix.Count(); n != uint64(len(ps)) {
			t.Fatalf("reopened index holds %d passages, want %d", n, len(ps))
		}
		ix.Close()
		return dir
	}
	segment := func(t *testing.T, dir string) string {
		zaps, _ := filepath.Glob(filepath.Join(dir, "gen-1", "store", "*.zap"))
		if len(zaps) == 0 {
			t.Fatal("no segment file")
		}
		return zaps[0]
	}
	damage := map[string]func(t *testing.T, dir string){
		"bit flipped in the middle of a segment": func(t *testing.T, dir string) {
			p := segment(t, dir)
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x10
			os.WriteFile(p, b, 0o600)
		},
		"bit flipped in a segment's first byte": func(t *testing.T, dir string) {
			p := segment(t, dir)
			b, _ := os.ReadFile(p)
			b[0] ^= 0x01
			os.WriteFile(p, b, 0o600)
		},
		"segment truncated": func(t *testing.T, dir string) {
			p := segment(t, dir)
			st, _ := os.Stat(p)
			os.Truncate(p, st.Size()/2)
		},
		"root.bolt truncated": func(t *testing.T, dir string) {
			os.Truncate(filepath.Join(dir, "gen-1", "store", "root.bolt"), 100)
		},
	}
	for name, hurt := range damage {
		t.Run(name, func(t *testing.T) {
			dir := build(t)
			hurt(t, dir)
			ix, err := Open(context.Background(), dir, a, Options{})
			if err == nil {
				n, _ := ix.Count()
				ix.Close()
				t.Fatalf("a damaged index opened (%d passages)", n)
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("error %v does not say the index is damaged", err)
			}
			t.Log(err)
		})
	}
}
