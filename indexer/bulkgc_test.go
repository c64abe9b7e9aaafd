package indexer

import (
	"context"
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's GOGC.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// memoryLimit reads the collector's memory limit.
func memoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// withBulkSettings runs a test with a budget and an environment, putting
// the package's settings back after it.
func withBulkSettings(t *testing.T, budget int64, env map[string]string) {
	t.Helper()
	old := bulkMemory.Load()
	SetBulkMemory(budget)
	bulkIndexing.environment = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	t.Cleanup(func() {
		bulkMemory.Store(old)
		bulkIndexing.environment = nil
	})
}

// TestBulkIndexingSetsAndRestoresTheCollector: the first bulk indexing
// to begin turns the collector to the budget, the last to end puts back
// what was there; with GOGC or GOMEMLIMIT in the environment, or no
// budget, nothing changes.
func TestBulkIndexingSetsAndRestoresTheCollector(t *testing.T) {
	percent, limit := gcPercent(), memoryLimit()
	withBulkSettings(t, MinBulkMemory+1, nil)
	end1 := beginBulk()
	if p, l := gcPercent(), memoryLimit(); p != -1 || l != MinBulkMemory+1 {
		t.Fatalf("in bulk indexing: GOGC %d, limit %d; want off and %d", p, l, MinBulkMemory+1)
	}
	end2 := beginBulk()
	end1()
	end1() // a second call does nothing
	if p, l := gcPercent(), memoryLimit(); p != -1 || l != MinBulkMemory+1 {
		t.Fatalf("one bulk indexing left: GOGC %d, limit %d; want off and %d", p, l, MinBulkMemory+1)
	}
	end2()
	if p, l := gcPercent(), memoryLimit(); p != percent || l != limit {
		t.Fatalf("after bulk indexing: GOGC %d, limit %d; want %d and %d back", p, l, percent, limit)
	}

	for name, set := range map[string]func(){
		"GOGC set":       func() { withBulkSettings(t, DefaultBulkMemory, map[string]string{"GOGC": "100"}) },
		"GOMEMLIMIT set": func() { withBulkSettings(t, DefaultBulkMemory, map[string]string{"GOMEMLIMIT": "1GiB"}) },
		"no budget":      func() { withBulkSettings(t, 0, nil) },
	} {
		set()
		end := beginBulk()
		if p, l := gcPercent(), memoryLimit(); p != percent || l != limit {
			t.Fatalf("%s: GOGC %d, limit %d; want them left at %d and %d", name, p, l, percent, limit)
		}
		end()
	}

	SetBulkMemory(1)
	if got := bulkMemory.Load(); got != MinBulkMemory {
		t.Fatalf("a budget of 1 byte is taken as %d, want %d", got, MinBulkMemory)
	}
}

// TestLongSyncIsBulkIndexing: a sync past bulkAfter passages, and a
// rebuild throughout, run with the budget, and the collector is put back
// when they return.
func TestLongSyncIsBulkIndexing(t *testing.T) {
	defer func(n int) { bulkAfter = n }(bulkAfter)
	bulkAfter = 1
	withBulkSettings(t, MinBulkMemory+2, nil)
	percent, limit := gcPercent(), memoryLimit()
	ctx := context.Background()
	s := demoStore(t)
	ix := storeIndex(t, s)
	inBulk := 0
	if _, err := ix.Sync(ctx, s, func(SyncProgress) {
		if memoryLimit() == MinBulkMemory+2 && gcPercent() == -1 {
			inBulk++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if inBulk == 0 {
		t.Fatal("the sync never ran as bulk indexing")
	}
	if p, l := gcPercent(), memoryLimit(); p != percent || l != limit {
		t.Fatalf("after the sync: GOGC %d, limit %d; want %d and %d back", p, l, percent, limit)
	}
	// A rebuild is bulk indexing from its first passage.
	bulkAfter = 1 << 30
	inBulk, calls := 0, 0
	if err := ix.Reindex(ctx, s, func(SyncProgress) {
		calls++
		if memoryLimit() == MinBulkMemory+2 && gcPercent() == -1 {
			inBulk++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if calls == 0 || inBulk != calls {
		t.Fatalf("%d of the rebuild's %d progress reports were in bulk indexing", inBulk, calls)
	}
	if p, l := gcPercent(), memoryLimit(); p != percent || l != limit {
		t.Fatalf("after the rebuild: GOGC %d, limit %d; want %d and %d back", p, l, percent, limit)
	}
}
