package indexer

import (
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Bulk indexing (a rebuild, or a sync of many changes) allocates about
// 20 bytes for every byte it indexes, nearly all of it garbage by the next
// batch: with Go's default collector (GOGC=100) the collector ran every
// few hundred megabytes and took about 15% of a rebuild's CPU. While bulk
// indexing runs, the collector instead runs only when the heap reaches a
// budget (debug.SetMemoryLimit with GOGC off), and the process's settings
// are put back when it ends, its memory returned to the system.
//
// Measured on all the laws (BenchmarkRebuildLaws): 9,179–9,809 paragraphs/s
// and a peak RSS of 1.1–1.2 GiB without the budget; 10,906–11,620 and
// 2.4 GiB with a 2 GiB budget.

// DefaultBulkMemory is the heap bulk indexing lets grow before the
// collector runs: 2 GiB.
const DefaultBulkMemory = 2 << 30

// MinBulkMemory is the smallest budget SetBulkMemory accepts: below the heap
// a rebuild keeps live (about 700 MiB on all the laws) the collector would
// run without pause.
const MinBulkMemory = 1 << 30

var bulkMemory atomic.Int64

func init() { bulkMemory.Store(DefaultBulkMemory) }

// SetBulkMemory sets the heap bulk indexing may grow to before the
// collector runs; 0 leaves the collector as it is. It is a setting of the
// process, like the collector's. Values from 1 to MinBulkMemory-1 are taken
// as MinBulkMemory. The collector is also left alone when the environment
// sets GOGC or GOMEMLIMIT: the operator has chosen.
func SetBulkMemory(bytes int64) {
	if bytes > 0 && bytes < MinBulkMemory {
		bytes = MinBulkMemory
	}
	bulkMemory.Store(max(bytes, 0))
}

// bulkIndexing counts the bulk indexing under way; the first to begin sets
// the collector, the last to end puts it back.
var bulkIndexing struct {
	mu          sync.Mutex
	n           int
	percent     int
	limit       int64
	overridden  bool
	environment func(string) (string, bool)
}

// beginBulk enters bulk indexing; the returned function leaves it (it may
// be called more than once).
func beginBulk() (end func()) {
	b := &bulkIndexing
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n == 0 {
		budget := bulkMemory.Load()
		lookup := b.environment
		if lookup == nil {
			lookup = os.LookupEnv
		}
		_, gogc := lookup("GOGC")
		_, limit := lookup("GOMEMLIMIT")
		b.overridden = budget > 0 && !gogc && !limit
		if b.overridden {
			b.limit = debug.SetMemoryLimit(budget)
			b.percent = debug.SetGCPercent(-1)
		}
	}
	b.n++
	return sync.OnceFunc(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.n--
		if b.n == 0 && b.overridden {
			debug.SetGCPercent(b.percent)
			debug.SetMemoryLimit(b.limit)
			b.overridden = false
			// The heap grew to the budget: give it back now rather
			// than over the next minutes.
			debug.FreeOSMemory()
		}
	})
}
