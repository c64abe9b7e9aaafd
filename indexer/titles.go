package indexer

import (
	"context"
	"encoding/hex"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// Titles, indexed once per document.
//
// A passage ranks higher when its document's title holds the query's words,
// and 标题: filters by the title. The title is the same for every passage of
// a document, so its words are indexed on one passage only, the title's
// carrier (the first paragraph, or the finding itself). Every passage
// carries, as a keyword, its title key: a hash of its document and title.
// Indexing the title on all 342,000 paragraphs of the laws cost 0.22 index
// bytes per text byte and, when searching 人民, a third of the time: the
// title's postings (32,943 for 人民) were advanced for every match.
//
// A search reads the title words' postings on the carriers only (a few
// hundred documents), scores them with bleve's term scorer, and gives every
// passage the score of its title key, found in the snapshot's title column
// (document number → key ordinal). The column is built once per snapshot,
// on the first search that needs it.

// isTitleCarrier reports whether p's title words are indexed on it: a
// document's first paragraph (paragraphs count from 1), or a finding (0).
func isTitleCarrier(p *Passage) bool { return p.N <= 1 }

// titleKey is the key passages with the same document and title share, or
// "" if p has no title.
func titleKey(p *Passage) string {
	if p.Title == "" {
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(p.DocumentID))
	h.Write([]byte{0})
	h.Write([]byte(p.Title))
	return hex.EncodeToString(h.Sum(nil))
}

// titleCache holds the title column of the latest snapshot searched. The
// first search on a new snapshot builds it, on its own goroutine (the
// snapshot stays open for as long as that search runs), while the searches
// on the same snapshot after it wait.
type titleCache struct {
	mu    sync.Mutex
	snap  index.IndexReader // the snapshot col belongs to (identity only)
	col   *facetColumn
	build *titleBuild // in progress, or nil
}

type titleBuild struct {
	snap index.IndexReader
	done chan struct{}
	col  *facetColumn
	err  error
}

// column returns r's title column, building it if need be. r must stay
// open until it returns.
func (c *titleCache) column(ctx context.Context, r index.IndexReader) (*facetColumn, error) {
	c.mu.Lock()
	if c.snap == r && c.col != nil {
		col := c.col
		c.mu.Unlock()
		return col, nil
	}
	if b := c.build; b != nil && b.snap == r {
		c.mu.Unlock()
		select {
		case <-b.done:
			return b.col, b.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b := &titleBuild{snap: r, done: make(chan struct{})}
	c.build = b
	c.mu.Unlock()
	// Not the search's context: the searches waiting for this build
	// must not fail because this one was cancelled (a build takes a few
	// milliseconds).
	col, err := buildColumn(context.Background(), r, fieldMeta, metaPrefix(metaTitleKey))
	b.col, b.err = &col, err
	c.mu.Lock()
	if err == nil {
		c.snap, c.col = r, b.col
	}
	if c.build == b {
		c.build = nil
	}
	c.mu.Unlock()
	close(b.done)
	return b.col, b.err
}

// titleScores are the title group's scores per title key ordinal.
type titleScores struct {
	col   *facetColumn
	score []float64
	has   []bool
}

// titleScoresPool keeps titleScores for the next search: one per title
// group and search, of a value per title (about 31 KB on the laws), was a
// fifth of what the server allocated under the HTTP benchmark.
var titleScoresPool sync.Pool

func newTitleScores(col *facetColumn) *titleScores {
	ts, _ := titleScoresPool.Get().(*titleScores)
	if ts == nil {
		ts = &titleScores{}
	}
	n := len(col.terms) + 1
	if cap(ts.score) < n {
		ts.score, ts.has = make([]float64, n), make([]bool, n)
	} else {
		ts.score, ts.has = ts.score[:n], ts.has[:n]
		clear(ts.score)
		clear(ts.has)
	}
	ts.col = col
	return ts
}

// release gives ts back for another search; it must not be used after.
func (ts *titleScores) release() {
	ts.col = nil
	titleScoresPool.Put(ts)
}

// scoreTitles walks the title group g (term searchers on the carriers'
// title words) and scores every title key whose carrier holds them all:
// the members' scores summed in order, as bleve's conjunction searcher
// would.
func scoreTitles(ctx *search.SearchContext, col *facetColumn, g *rankedGroup) (*titleScores, error) {
	ts := newTitleScores(col)
	for {
		first, err := g.members[0].Next(ctx)
		if err != nil {
			ts.release()
			return nil, err
		}
		if first == nil {
			return ts, nil
		}
		if c := g.curs[0]; c != nil {
			ctx.DocumentMatchPool.Put(c)
		}
		g.curs[0] = first
		id := first.IndexInternalID
		sum, all, err := g.at(ctx, id)
		if err != nil {
			ts.release()
			return nil, err
		}
		if all {
			// Carriers of one key share the title: the same score.
			if n, ok := docNum(id); ok && n < uint64(len(col.ord)) {
				if o := col.ord[n]; o != 0 {
					ts.score[o], ts.has[o] = sum, true
				}
			}
		}
		if slices.Contains(g.ended, true) {
			return ts, nil // a member has no more carriers
		}
	}
}

// of returns the title score of the passage at document number n.
func (ts *titleScores) of(n uint64) (float64, bool) {
	if n >= uint64(len(ts.col.ord)) {
		return 0, false
	}
	o := ts.col.ord[n]
	return ts.score[o], o != 0 && ts.has[o]
}

// titleFilterQuery matches the passages whose title holds every word:
// those whose title key is one of the carriers' that match.
type titleFilterQuery struct {
	words  []string
	titles *titleCache
}

func (q *titleFilterQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o search.SearcherOptions) (search.Searcher, error) {
	col, err := q.titles.column(ctx, r)
	if err != nil {
		return nil, err
	}
	var members []search.Searcher
	defer func() {
		for _, s := range members {
			s.Close()
		}
	}()
	for _, w := range q.words {
		s, err := searcher.NewTermSearcher(ctx, r, w, fieldTitleWord, 1, search.SearcherOptions{})
		if err != nil {
			return nil, err
		}
		members = append(members, s)
	}
	if len(members) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(len(members)+2, 0)}
	ts, err := scoreTitles(sctx, col, newRankedGroup(members))
	if err != nil {
		return nil, err
	}
	defer ts.release()
	var keys []query.Query
	for o, ok := range ts.has {
		if ok {
			keys = append(keys, fieldTerm(fieldMeta, col.terms[o-1]))
		}
	}
	if len(keys) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	return query.NewDisjunctionQuery(keys).Searcher(ctx, r, m, o)
}
