package indexer

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	index "github.com/blevesearch/bleve_index_api"
)

// The result cache: a portal's searches repeat (a few popular queries make
// most of the traffic), and an index changes only when the store does. A
// search's whole result (hits with their snippets, facets, groups) is kept
// for the index snapshot, analysis and synonyms it was computed with, and
// served again while all three are unchanged; any write makes a new
// snapshot and empties the cache. It is Solr's queryResultCache and
// Elasticsearch's shard request cache, for whole results.

// DefaultCacheEntries is the result cache's default size.
const DefaultCacheEntries = 1024

// cacheGen is what a cached result depends on besides the request.
type cacheGen struct {
	snap     index.IndexReader
	analyzer *Analyzer
	synonyms *Synonyms
}

type resultCache struct {
	mu      sync.Mutex
	max     int
	gen     cacheGen
	entries map[string]*Result
	order   []string // insertion order, for eviction
	hits    atomic.Uint64
	misses  atomic.Uint64
}

// CacheStats counts the result cache's hits and misses.
type CacheStats struct {
	Entries      int
	Hits, Misses uint64
}

// get returns the cached result of key under gen, or nil.
func (c *resultCache) get(key string, gen cacheGen) *Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 {
		return nil
	}
	if c.gen != gen {
		c.gen, c.entries, c.order = gen, nil, nil
	}
	r := c.entries[key]
	if r == nil {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return r
}

// put keeps r as key's result under gen.
func (c *resultCache) put(key string, gen cacheGen, r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 || c.gen != gen {
		return // the index moved on while r was computed
	}
	if c.entries == nil {
		c.entries = map[string]*Result{}
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = r
	c.order = append(c.order, key)
}

// cacheKey names a validated request.
func (r Request) cacheKey() string {
	return fmt.Sprintf("%q|%d|%d|%s|%t|%s|%d", r.Query, r.Size, r.From, r.Sort, r.Facets, r.GroupBy, r.GroupSize)
}

// SetCacheEntries sets how many results the cache keeps (0 turns it off)
// and empties it.
func (ix *Index) SetCacheEntries(n int) {
	ix.cache.mu.Lock()
	defer ix.cache.mu.Unlock()
	ix.cache.max, ix.cache.entries, ix.cache.order = n, nil, nil
}

// CacheStats returns the result cache's counts.
func (ix *Index) CacheStats() CacheStats {
	ix.cache.mu.Lock()
	n := len(ix.cache.entries)
	ix.cache.mu.Unlock()
	return CacheStats{Entries: n, Hits: ix.cache.hits.Load(), Misses: ix.cache.misses.Load()}
}

// currentGen returns what results depend on now; ok is false if the index
// cannot say (closed), and then nothing is cached.
func (ix *Index) currentGen() (cacheGen, bool) {
	r, err := ix.snapshotReader()
	if err != nil {
		return cacheGen{}, false
	}
	// The snapshot stays alive as a key (its files are released on Close;
	// the key only compares pointers).
	r.Close()
	return cacheGen{snap: r, analyzer: ix.analyzer.Load(), synonyms: ix.synonyms.Load()}, true
}

// cached returns r's cached result, a copy with its own Took, or nil.
func (ix *Index) cached(r Request, start time.Time) (*Result, cacheGen, bool) {
	ix.cache.mu.Lock()
	off := ix.cache.max <= 0
	ix.cache.mu.Unlock()
	if off {
		return nil, cacheGen{}, false // no snapshot to look up for nothing
	}
	gen, ok := ix.currentGen()
	if !ok {
		return nil, gen, false
	}
	res := ix.cache.get(r.cacheKey(), gen)
	if res == nil {
		return nil, gen, true
	}
	cp := *res
	cp.Took = time.Since(start)
	return &cp, gen, true
}
