package indexer

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// Facet columns: counting facets without bleve's per-hit doc-value reads.
//
// bleve counts a facet by reading, for every match, the match's doc values
// (chunked, snappy-compressed per segment): on the laws that was more than
// half the time of a search with facets, and broad queries match most of
// the 342,000 passages. Here, once per index snapshot, each facet field's
// postings are walked into a column (document number → value ordinal); a
// search then counts with one array read per match and field, as the
// searcher yields the match, in the same pass that ranks the hits. A
// snapshot's columns are built in the background the first time a search
// asks for them; until they are ready the search counts as bleve does.

// facetColumn is one facet field of one snapshot.
type facetColumn struct {
	field string
	terms []string // ordinal-1 → value
	ord   []uint32 // document number → ordinal of its first value (0: none)
	// more holds the further values of multi-valued documents (problem
	// types).
	more map[uint64][]uint32
}

// facetColumns are the facet fields of one snapshot.
type facetColumns struct {
	cols []facetColumn
}

// buildFacetColumns walks the postings of every facet field of r.
func buildFacetColumns(ctx context.Context, r index.IndexReader) (*facetColumns, error) {
	fc := &facetColumns{}
	for _, field := range FacetFields {
		col, err := buildColumn(ctx, r, field, "")
		if err != nil {
			return nil, err
		}
		fc.cols = append(fc.cols, col)
	}
	return fc, nil
}

// buildColumn walks the postings of a keyword field of r into a column: of
// its terms that begin with prefix, if prefix is not empty. The column's
// terms are whole (the prefix not cut off).
func buildColumn(ctx context.Context, r index.IndexReader, field, prefix string) (facetColumn, error) {
	col := facetColumn{field: field, more: map[uint64][]uint32{}}
	dict, err := fieldDict(r, field, prefix)
	if err != nil {
		return col, err
	}
	var terms []string
	for e, err := dict.Next(); e != nil || err != nil; e, err = dict.Next() {
		if err != nil {
			dict.Close()
			return col, err
		}
		terms = append(terms, e.Term)
	}
	if err := dict.Close(); err != nil {
		return col, err
	}
	for i, term := range terms {
		ord := uint32(i + 1)
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return col, err
		}
		var tfd index.TermFieldDoc
		for d, err := tfr.Next(&tfd); d != nil || err != nil; d, err = tfr.Next(d.Reset()) {
			if err != nil {
				tfr.Close()
				return col, err
			}
			num, ok := docNum(d.ID)
			if !ok {
				tfr.Close()
				return col, fmt.Errorf("facet columns: unexpected document number %x", []byte(d.ID))
			}
			if num >= uint64(len(col.ord)) {
				col.ord = append(col.ord, make([]uint32, int(num)+1-len(col.ord))...)
			}
			if col.ord[num] == 0 {
				col.ord[num] = ord
			} else {
				col.more[num] = append(col.more[num], ord)
			}
		}
		if err := tfr.Close(); err != nil {
			return col, err
		}
		if err := ctx.Err(); err != nil {
			return col, err
		}
	}
	col.terms = terms
	return col, nil
}

// fieldDicts are what read a field's dictionary: bleve's Index and
// IndexReader.
type fieldDicts interface {
	FieldDict(field string) (index.FieldDict, error)
	FieldDictPrefix(field string, prefix []byte) (index.FieldDict, error)
}

// fieldDict opens the dictionary of field in r, its terms that begin with
// prefix if prefix is not empty.
func fieldDict(r fieldDicts, field, prefix string) (index.FieldDict, error) {
	if prefix == "" {
		return r.FieldDict(field)
	}
	return r.FieldDictPrefix(field, []byte(prefix))
}

// docNum decodes scorch's internal ID: the document number, big-endian.
func docNum(id index.IndexInternalID) (uint64, bool) {
	if len(id) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(id), true
}

// facetTally counts one search's matches over the columns.
type facetTally struct {
	cols   *facetColumns
	counts [][]int // per column, per ordinal
	bad    bool    // a match without a document number: fall back
}

func newFacetTally(cols *facetColumns) *facetTally {
	t := &facetTally{cols: cols, counts: make([][]int, len(cols.cols))}
	for i, c := range cols.cols {
		t.counts[i] = make([]int, len(c.terms)+1)
	}
	return t
}

func (t *facetTally) add(id index.IndexInternalID) {
	num, ok := docNum(id)
	if !ok {
		t.bad = true
		return
	}
	t.addNum(num)
}

// addNum counts the match at document number num.
func (t *facetTally) addNum(num uint64) {
	for i := range t.cols.cols {
		c := &t.cols.cols[i]
		if num >= uint64(len(c.ord)) {
			continue
		}
		if o := c.ord[num]; o != 0 {
			t.counts[i][o]++
			if len(c.more) > 0 {
				for _, o := range c.more[num] {
					t.counts[i][o]++
				}
			}
		}
	}
}

// merge adds o's counts, over the same columns, to t's.
func (t *facetTally) merge(o *facetTally) {
	t.bad = t.bad || o.bad
	for i := range t.counts {
		for j, n := range o.counts[i] {
			t.counts[i][j] += n
		}
	}
}

// results returns the top size values of every facet, by count (ties by
// value), as bleve orders them.
func (t *facetTally) results(size int) map[string][]FacetCount {
	out := map[string][]FacetCount{}
	for i, c := range t.cols.cols {
		var counts []FacetCount
		for o, n := range t.counts[i] {
			if o > 0 && n > 0 {
				counts = append(counts, FacetCount{Value: c.terms[o-1], Count: n})
			}
		}
		sort.Slice(counts, func(a, b int) bool {
			if counts[a].Count != counts[b].Count {
				return counts[a].Count > counts[b].Count
			}
			return counts[a].Value < counts[b].Value
		})
		if len(counts) > size {
			counts = counts[:size]
		}
		out[c.field] = counts
	}
	return out
}

// facetCache holds the columns of the latest snapshot a search asked for,
// building a new snapshot's columns in the background, one at a time.
type facetCache struct {
	mu       sync.Mutex
	snap     index.IndexReader // the snapshot cols belong to
	cols     *facetColumns
	building bool
	// open returns a reader on the index's current snapshot (refcounted);
	// the build reads it and closes it.
	open func() (index.IndexReader, error)
}

// columns returns r's columns, or nil if they are not built yet (a build
// of the current snapshot is started).
func (c *facetCache) columns(r index.IndexReader) *facetColumns {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap == r && c.cols != nil {
		return c.cols
	}
	if !c.building && c.open != nil {
		c.building = true
		go c.build()
	}
	return nil
}

// warm builds the columns of the current snapshot now, unless a build
// is under way.
func (c *facetCache) warm() {
	c.mu.Lock()
	if c.building || c.open == nil {
		c.mu.Unlock()
		return
	}
	c.building = true
	c.mu.Unlock()
	c.build()
}

func (c *facetCache) build() {
	defer func() {
		c.mu.Lock()
		c.building = false
		c.mu.Unlock()
	}()
	r, err := c.open()
	if err != nil {
		return
	}
	defer r.Close()
	cols, err := buildFacetColumns(context.Background(), r)
	if err != nil {
		return
	}
	c.mu.Lock()
	c.snap, c.cols = r, cols
	c.mu.Unlock()
}
