package indexer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/xuncha/xuncha/corpus"
)

// TestMain doubles as the child process of the crash test: with
// XUNCHA_SYNC_CHILD=dir it syncs dir/store.db into dir/index, printing each
// sequence it commits, until killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("XUNCHA_SYNC_CHILD"); dir != "" {
		os.Exit(syncChild(dir))
	}
	os.Exit(m.Run())
}

func syncChild(dir string) int {
	ctx := context.Background()
	s, err := corpus.OpenBolt(ctx, filepath.Join(dir, "store.db"), corpus.StoreOptions{ReadOnly: true})
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	a, err := defaultAnalyzer()
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	ix, err := Open(ctx, filepath.Join(dir, "index"), a, Options{})
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	_, err = ix.Sync(ctx, s, func(p SyncProgress) { fmt.Printf("SEQ %d\n", p.AppliedSeq) })
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	ix.Close()
	fmt.Println("DONE")
	return 0
}

// compact merges a test index's segments as far as one pass of scorch's
// single-segment plan goes (ten segments to a task): one segment for the
// small indexes of the tests.
func compact(ctx context.Context, b bleve.Index) error { return forceMerge(ctx, b, nil) }
