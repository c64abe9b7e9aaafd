package indexer

import (
	"container/list"
	"sync"
)

// lruCache keeps up to max values, dropping the least recently used.
type lruCache[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	m   map[K]*list.Element
	lru list.List
}

type lruEntry[K comparable, V any] struct {
	key K
	v   V
}

// get returns the value for key, made by read at the first ask.
func (c *lruCache[K, V]) get(key K, read func() (V, error)) (V, error) {
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.lru.MoveToFront(e)
		v := e.Value.(*lruEntry[K, V]).v
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	v, err := read()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[K]*list.Element)
	}
	if e, ok := c.m[key]; ok {
		return e.Value.(*lruEntry[K, V]).v, nil
	}
	c.m[key] = c.lru.PushFront(&lruEntry[K, V]{key, v})
	for c.lru.Len() > c.max {
		e := c.lru.Back()
		c.lru.Remove(e)
		delete(c.m, e.Value.(*lruEntry[K, V]).key)
	}
	return v, nil
}

// len is how many values the cache holds.
func (c *lruCache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
