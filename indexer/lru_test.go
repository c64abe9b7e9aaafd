package indexer

import "testing"

// TestLRUCacheKeepsTheRecent: the cache reads a key once, keeps what was
// used last, and drops the least recently used beyond its size.
func TestLRUCacheKeepsTheRecent(t *testing.T) {
	c := lruCache[int, int]{max: 3}
	reads := 0
	read := func(k int) func() (int, error) { return func() (int, error) { reads++; return k * 10, nil } }
	for _, k := range []int{1, 2, 3, 1, 4} { // 2 is the least recent when 4 comes
		if v, _ := c.get(k, read(k)); v != k*10 {
			t.Fatalf("get %d = %d", k, v)
		}
	}
	if reads != 4 || c.len() != 3 {
		t.Fatalf("%d reads, %d kept; want 4 and 3", reads, c.len())
	}
	c.get(1, read(1))
	c.get(3, read(3))
	c.get(4, read(4))
	if reads != 4 {
		t.Fatalf("a kept key was read again (%d reads)", reads)
	}
	c.get(2, read(2))
	if reads != 5 {
		t.Fatalf("the dropped key was not read again (%d reads)", reads)
	}
}
