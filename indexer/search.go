package indexer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/xuncha/xuncha/corpus"
)

// Request limits.
const (
	DefaultSize      = 10
	MaxSize          = 100
	MaxWindow        = 1000 // from + size
	MaxPrefixTerms   = 256
	defaultFacetSize = 20
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortOldest    = "oldest"
)

// FacetFields are the fields results can be counted and grouped by.
var FacetFields = []string{fieldUnit, fieldKind, fieldFocus, fieldProblem, fieldYear, fieldRound, fieldStatus}

// ErrRequest is wrapped by errors for a request with out-of-range options.
var ErrRequest = errors.New("invalid search request")

// Request is one search.
type Request struct {
	Query string
	// Size and From page through the hits (Size 0 means DefaultSize).
	Size, From int
	// Sort is SortRelevance (default), SortNewest or SortOldest.
	Sort string
	// Facets asks for counts by unit, kind, focus, problem type, year,
	// round and status.
	Facets bool
	// GroupBy groups the hits: "document" (best passages of each document)
	// or a facet field (unit, problem, round …: a count per value and each
	// value's top hits).
	GroupBy string
	// GroupSize is how many hits each group shows (default 3).
	GroupSize int
}

// Span is a half-open byte range [Start, End) of a hit's Text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hit is one passage found.
type Hit struct {
	Passage
	Score float64
	// Snippet is about 120 characters of the passage around its best match,
	// HTML-escaped, matches in <mark>.
	Snippet string
	// Highlights are the matches in Text.
	Highlights []Span
}

// FacetCount is one value of a facet and how many hits have it.
type FacetCount struct {
	Value string
	Count int
}

// Group is one group of a grouped search.
type Group struct {
	Value string
	Count int
	Hits  []Hit
}

// Result is what a search found.
type Result struct {
	Total  uint64
	Hits   []Hit
	Facets map[string][]FacetCount
	Groups []Group
	Took   time.Duration
	// facetsFromColumns: the facets were counted from the snapshot's
	// columns rather than by bleve (tests check both ways agree).
	facetsFromColumns bool
	// handed: how many matches of the second walker (root.go) reached
	// the collector, -1 if the search was not split (tests check it).
	handed int
	// stepped: a walker stepped through the matches (root.go; tests).
	stepped bool
	// unranked: matches counted but not ranked, as they could not reach
	// the page (bounds.go; tests).
	unranked uint64
}

// validate checks the request's paging, sort and grouping.
func (r *Request) validate() error {
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	switch {
	case r.Size < 0 || r.Size > MaxSize:
		return fmt.Errorf("%w: size must be between 1 and %d, not %d", ErrRequest, MaxSize, r.Size)
	case r.From < 0:
		return fmt.Errorf("%w: from must not be negative, not %d", ErrRequest, r.From)
	case r.From+r.Size > MaxWindow:
		return fmt.Errorf("%w: from + size must be at most %d (results beyond the first %d are not served; narrow the query)", ErrRequest, MaxWindow, MaxWindow)
	}
	switch r.Sort {
	case "", SortRelevance, SortNewest, SortOldest:
	default:
		return fmt.Errorf("%w: sort must be relevance, newest or oldest, not %q", ErrRequest, r.Sort)
	}
	if r.GroupBy != "" && r.GroupBy != "document" && !isFacetField(r.GroupBy) {
		return fmt.Errorf("%w: group_by must be document or one of %v, not %q", ErrRequest, FacetFields, r.GroupBy)
	}
	if r.GroupSize <= 0 {
		r.GroupSize = 3
	}
	if r.GroupSize > 10 {
		return fmt.Errorf("%w: group_size must be at most 10", ErrRequest)
	}
	return nil
}

func isFacetField(f string) bool {
	for _, x := range FacetFields {
		if x == f {
			return true
		}
	}
	return false
}

// Search runs a request. It returns a *QueryError for a malformed query and
// an error wrapping ErrRequest for out-of-range options.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	if err := r.validate(); err != nil {
		return nil, err
	}
	q, err := ParseQuery(r.Query)
	if err != nil {
		return nil, err
	}
	hit, gen, cacheable := ix.cached(r, start)
	if hit != nil {
		return hit, nil
	}
	bq, err := ix.buildQuery(ctx, q)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	switch {
	case r.GroupBy == "document":
		err = ix.searchByDocument(ctx, bq, q, r, res)
	case r.GroupBy != "":
		err = ix.searchByField(ctx, bq, q, r, res)
	default:
		err = ix.searchHits(ctx, bq, q, r, res)
	}
	if err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	if cacheable {
		ix.cache.put(r.cacheKey(), gen, res)
	}
	return res, nil
}

// Facets that every passage may have, and those only findings, notice cases
// and the unit mentions of speeches and reports have. Counting a facet walks
// the doc values of every match, so the second group is counted over the
// query restricted to those kinds: the same counts (no other passage has a
// value there; TestFacetsAreExact checks it), without walking the
// regulations, the bulk of a corpus of laws.
var (
	commonFacets  = []string{fieldKind, fieldYear}
	findingFacets = []string{fieldUnit, fieldFocus, fieldProblem, fieldRound, fieldStatus}
	unitKinds     = []corpus.Kind{corpus.KindFinding, corpus.KindNotice, corpus.KindSpeech, corpus.KindReport}
)

func (ix *Index) searchHits(ctx context.Context, bq query.Query, q *Query, r Request, res *Result) error {
	inflight := ix.searching.Add(1)
	defer ix.searching.Add(-1)
	rq := &rootQuery{Query: bq, keep: r.From + r.Size}
	if r.Facets && !ix.bleveFacets {
		// Counted from the snapshot's facet columns in the same pass,
		// when they are ready (facetcols.go).
		rq.cache = &ix.facets
	}
	// Two walkers at once when a core would otherwise idle (root.go).
	// They keep their best matches by score alone, so not when sorting
	// by date.
	switch ix.split {
	case splitWhenIdle:
		rq.split = spareCore(inflight)
	case splitAlways:
		rq.split, rq.minSplit = true, 1
	}
	rq.byScore = r.Sort == "" || r.Sort == SortRelevance
	rq.split = rq.split && rq.byScore
	req := bleve.NewSearchRequestOptions(rq, r.Size, r.From, false)
	applySort(req, r.Sort)
	sr, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	res.Total = sr.Total + rq.extra
	res.handed = rq.handed
	res.stepped = rq.stepped.Load()
	res.unranked = rq.unranked.Load()
	res.Hits, err = ix.hits(ctx, sr.Hits, q)
	if err != nil {
		return err
	}
	if !r.Facets {
		return nil
	}
	if rq.tally != nil && !rq.tally.bad {
		res.Facets, res.facetsFromColumns = rq.tally.results(defaultFacetSize), true
		return nil
	}
	return ix.bleveFacetCounts(ctx, bq, res)
}

// bleveFacetCounts counts the facets of bq's matches with bleve's facet
// builders (while a snapshot's columns are being built).
func (ix *Index) bleveFacetCounts(ctx context.Context, bq query.Query, res *Result) error {
	req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
	req.Score = "none"
	for _, f := range commonFacets {
		req.AddFacet(f, bleve.NewFacetRequest(f, defaultFacetSize))
	}
	sr, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search facets: %w", err)
	}
	res.Facets = facetCounts(sr.Facets)
	var kinds []query.Query
	for _, k := range unitKinds {
		kinds = append(kinds, fieldTerm(fieldKind, string(k)))
	}
	freq := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{bq, query.NewDisjunctionQuery(kinds)}), 0, 0, false)
	freq.Score = "none"
	for _, f := range findingFacets {
		freq.AddFacet(f, bleve.NewFacetRequest(f, defaultFacetSize))
	}
	fr, err := ix.alias.SearchInContext(ctx, freq)
	if err != nil {
		return fmt.Errorf("search facets: %w", err)
	}
	for name, counts := range facetCounts(fr.Facets) {
		res.Facets[name] = counts
	}
	return nil
}

func applySort(req *bleve.SearchRequest, s string) {
	switch s {
	case SortNewest:
		req.SortBy([]string{"-" + fieldDate, "-_score"})
	case SortOldest:
		req.SortBy([]string{fieldDate, "-_score"})
	}
}

func facetCounts(fr search.FacetResults) map[string][]FacetCount {
	out := map[string][]FacetCount{}
	for name, f := range fr {
		var counts []FacetCount
		if f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		out[name] = counts
	}
	return out
}

// searchByDocument groups the best passages by document: it reads a window
// of hits and keeps up to GroupSize passages per document.
func (ix *Index) searchByDocument(ctx context.Context, bq query.Query, q *Query, r Request, res *Result) error {
	window := min(MaxWindow, (r.From+r.Size)*r.GroupSize*4)
	req := bleve.NewSearchRequestOptions(bq, window, 0, false)
	applySort(req, r.Sort)
	req.Fields = nil
	sr, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	res.Total = sr.Total
	var order []string
	byDoc := map[string][]*search.DocumentMatch{}
	for _, h := range sr.Hits {
		doc := h.ID // a finding without a source document is its own group
		if p, err := ix.lookup(ctx, h.ID); err == nil && p.DocumentID != "" && p.Kind != corpus.KindFinding {
			doc = p.DocumentID
		}
		if _, ok := byDoc[doc]; !ok {
			order = append(order, doc)
		}
		if len(byDoc[doc]) < r.GroupSize {
			byDoc[doc] = append(byDoc[doc], h)
		}
	}
	for i := r.From; i < len(order) && i < r.From+r.Size; i++ {
		hits, err := ix.hits(ctx, byDoc[order[i]], q)
		if err != nil {
			return err
		}
		res.Groups = append(res.Groups, Group{Value: order[i], Count: len(byDoc[order[i]]), Hits: hits})
	}
	return nil
}

// searchByField counts hits per value of a facet field and shows each
// value's top hits: "形式主义 by unit".
func (ix *Index) searchByField(ctx context.Context, bq query.Query, q *Query, r Request, res *Result) error {
	req := bleve.NewSearchRequestOptions(bq, 0, 0, false)
	req.AddFacet(r.GroupBy, bleve.NewFacetRequest(r.GroupBy, r.From+r.Size))
	sr, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	res.Total = sr.Total
	counts := facetCounts(sr.Facets)[r.GroupBy]
	for i := r.From; i < len(counts) && i < r.From+r.Size; i++ {
		c := counts[i]
		filter := fieldTerm(r.GroupBy, c.Value)
		gq := query.NewConjunctionQuery([]query.Query{bq, filter})
		greq := bleve.NewSearchRequestOptions(gq, r.GroupSize, 0, false)
		applySort(greq, r.Sort)
		gr, err := ix.alias.SearchInContext(ctx, greq)
		if err != nil {
			return fmt.Errorf("search group %s: %w", c.Value, err)
		}
		hits, err := ix.hits(ctx, gr.Hits, q)
		if err != nil {
			return err
		}
		res.Groups = append(res.Groups, Group{Value: c.Value, Count: c.Count, Hits: hits})
	}
	return nil
}

func (ix *Index) lookup(ctx context.Context, id string) (*Passage, error) {
	if ix.passages == nil {
		return nil, fmt.Errorf("no passage source")
	}
	return ix.passages.Passage(ctx, id)
}

// hits turns bleve's matches into hits with text, snippet and highlights.
func (ix *Index) hits(ctx context.Context, ms search.DocumentMatchCollection, q *Query) ([]Hit, error) {
	terms := ix.highlightTerms(q)
	out := make([]Hit, 0, len(ms))
	var batch map[string]*Passage
	if b, ok := ix.passages.(PassageBatchSource); ok && len(ms) > 1 {
		ids := make([]string, len(ms))
		for i, m := range ms {
			ids[i] = m.ID
		}
		var err error
		if batch, err = b.Passages(ctx, ids); err != nil {
			return nil, fmt.Errorf("load hits: %w", err)
		}
	}
	for _, m := range ms {
		h := Hit{Passage: Passage{ID: m.ID}, Score: m.Score}
		if ix.passages != nil {
			var p *Passage
			var err error
			if batch != nil {
				p = batch[m.ID] // absent: deleted since it was indexed
			} else {
				p, err = ix.passages.Passage(ctx, m.ID)
			}
			if err != nil && !errors.Is(err, corpus.ErrNotFound) {
				return nil, fmt.Errorf("load hit %s: %w", m.ID, err)
			}
			if p != nil {
				h.Passage = *p
				h.Highlights = Highlight(h.Text, terms)
				h.Snippet = Snippet(h.Text, h.Highlights, SnippetRunes)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// highlightTerms returns the texts to mark: the query's positive terms and
// their synonyms.
func (ix *Index) highlightTerms(q *Query) []string {
	var out []string
	for _, t := range q.Terms() {
		out = append(out, t)
		out = append(out, ix.synonyms.Load().Expand(t)...)
	}
	return out
}

// buildQuery turns a parsed query into a bleve query.
func (ix *Index) buildQuery(ctx context.Context, q *Query) (query.Query, error) {
	if q.IsEmpty() {
		return query.NewMatchAllQuery(), nil
	}
	b := builder{ix: ix, ctx: ctx}
	return b.build(q.root)
}

// builder turns a query's nodes into bleve queries.
type builder struct {
	ix  *Index
	ctx context.Context
}

func (bd builder) build(n node) (query.Query, error) {
	ix := bd.ix
	switch t := n.(type) {
	case *termNode:
		return ix.termQuery(t)
	case *filterNode:
		if t.field == "inforce" {
			return ix.inForceQuery(bd.ctx, t)
		}
		return filterQuery(ix.analyzer.Load(), &ix.titles, t)
	case *notNode:
		x, err := bd.build(t.x)
		if err != nil {
			return nil, err
		}
		return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{x}), nil
	case *orNode:
		var xs []query.Query
		for _, c := range t.xs {
			x, err := bd.build(c)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		return query.NewDisjunctionQuery(xs), nil
	case *andNode:
		var must, mustNot []query.Query
		for _, c := range t.xs {
			if neg, ok := c.(*notNode); ok {
				x, err := bd.build(neg.x)
				if err != nil {
					return nil, err
				}
				mustNot = append(mustNot, x)
				continue
			}
			x, err := bd.build(c)
			if err != nil {
				return nil, err
			}
			must = append(must, x)
		}
		if len(must) == 0 {
			must = []query.Query{query.NewMatchAllQuery()}
		}
		if len(mustNot) == 0 && len(must) == 1 {
			return must[0], nil
		}
		if ix.bleveBoolean {
			return query.NewBooleanQuery(must, nil, mustNot), nil
		}
		return &andQuery{must: must, mustNot: mustNot}, nil // and.go
	}
	return nil, fmt.Errorf("unknown query node %T", n)
}

// inForceQuery keeps everything but the passages of regulations not in
// force on the filter's day.
func (ix *Index) inForceQuery(ctx context.Context, f *filterNode) (query.Query, error) {
	if ix.inForce == nil {
		return nil, &QueryError{Pos: f.at + 1, Msg: "this index does not know regulations' editions"}
	}
	ids, err := ix.inForce.NotInForce(ctx, f.from)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return query.NewMatchAllQuery(), nil
	}
	var out []query.Query
	for _, id := range ids {
		out = append(out, metaQuery(metaDocument, id))
	}
	return query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, []query.Query{query.NewDisjunctionQuery(out)}), nil
}

// Boosts: a word-aligned match and a title match add to the score of the
// exact character match every hit has; a synonym's match counts less than
// the literal term's. They are set on the term-level queries: bleve's
// Boolean, Conjunction and Disjunction queries keep a boost but ignore it
// when they search (see boostLeaves).
const (
	wordBoost    = 4.0
	titleBoost   = 2.0
	literalBoost = 3.0
)

// termQuery is one search term: the exact phrase decides whether a passage
// matches; its words on the word field and the title rank; synonyms widen it.
func (ix *Index) termQuery(t *termNode) (query.Query, error) {
	if t.prefix {
		return ix.prefixQuery(t)
	}
	base, err := ix.matchQuery(t.text)
	if err != nil {
		return nil, &QueryError{Pos: t.at + 1, Msg: err.Error()}
	}
	syns := ix.synonyms.Load().Expand(t.text)
	if t.phrase || len(syns) == 0 {
		return ix.ranked(base), nil
	}
	boostLeaves(base, literalBoost)
	alts := []query.Query{ix.ranked(base)}
	for _, s := range syns {
		q, err := ix.matchQuery(s)
		if err != nil {
			continue // a synonym with nothing searchable: skip it
		}
		alts = append(alts, ix.ranked(q))
	}
	return query.NewDisjunctionQuery(alts), nil
}

// ranked returns the search term b as a rankedQuery (ranked.go), or as
// bleve's boolean query if the index is set to compare the two.
func (ix *Index) ranked(b *query.BooleanQuery) query.Query {
	if ix.bleveBoolean {
		return b
	}
	return &rankedQuery{b: b, titles: &ix.titles, bounds: &ix.bounds}
}

// boostLeaves multiplies by b the boost of every term-level query in q (a
// boost set on a Boolean, Conjunction or Disjunction query is silently
// ignored by bleve v2.6: their searchers never read it).
func boostLeaves(q query.Query, b float64) {
	switch q := q.(type) {
	case *rankedQuery:
		boostLeaves(q.b, b)
	case *replayQuery:
		boostLeaves(q.Query, b)
	case *query.BooleanQuery:
		for _, sub := range []query.Query{q.Must, q.Should} {
			if sub != nil {
				boostLeaves(sub, b)
			}
		}
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			boostLeaves(c, b)
		}
	case *query.DisjunctionQuery:
		for _, d := range q.Disjuncts {
			boostLeaves(d, b)
		}
	case query.BoostableQuery:
		q.SetBoost(q.Boost() * b)
	}
}

// matchQuery is the exact phrase on the character fields, with the text's
// words on the word and title fields as optional boosts.
func (ix *Index) matchQuery(text string) (*query.BooleanQuery, error) {
	must, err := PhraseQuery(text)
	if err != nil {
		return nil, err
	}
	if cq, ok := must.(*charQuery); ok {
		cq.cache = &ix.chars
	}
	var words, titles []query.Query
	seen := map[string]bool{}
	for _, w := range ix.analyzer.Load().Words(text, QueryMode) {
		if seen[w.Term] {
			continue
		}
		seen[w.Term] = true
		tq := fieldTerm(fieldTextWord, w.Term)
		tq.SetBoost(wordBoost)
		words = append(words, tq)
		ttq := fieldTerm(fieldTitleWord, w.Term)
		ttq.SetBoost(titleBoost)
		titles = append(titles, ttq)
	}
	// A phrase that is one word: the passages holding the word hold the
	// phrase, and need not have its positions read (chain.go).
	if ch, ok := must.(*chainQuery); ok && len(words) == 1 && words[0].(*query.TermQuery).Term == ch.text() {
		ch.word, ch.wordField = ch.text(), fieldTextWord
	}
	var should []query.Query
	if len(words) > 0 {
		should = append(should, conjunction(words), conjunction(titles))
	}
	// The must clause stands alone rather than in a conjunction of one
	// (NewBooleanQuery would wrap it): a conjunction of one scores as its
	// clause, but costs a searcher more on every match.
	b := query.NewBooleanQuery(nil, should, nil)
	b.Must = must
	if b.Should != nil {
		b.Should = &replayQuery{b.Should} // replay.go
	}
	return b, nil
}

// conjunction is the conjunction of qs, or qs[0] alone if it is the only
// one (the same score, one searcher less on every match).
func conjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// prefixQuery matches words beginning with the term, expanding the prefix
// through the index's word dictionary with a cap.
func (ix *Index) prefixQuery(t *termNode) (query.Query, error) {
	prefix := NormalizeString(t.text)
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	dict, err := b.FieldDictPrefix(fieldTextWord, []byte(prefix))
	if err != nil {
		return nil, fmt.Errorf("expand %s*: %w", t.text, err)
	}
	defer dict.Close()
	var terms []query.Query
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("expand %s*: %w", t.text, err)
		}
		if e == nil {
			break
		}
		if len(terms) == MaxPrefixTerms {
			return nil, &QueryError{Pos: t.at + 1, Msg: fmt.Sprintf("more than %d words begin with %q; add characters before the *", MaxPrefixTerms, t.text)}
		}
		terms = append(terms, fieldTerm(fieldTextWord, e.Term))
	}
	if len(terms) == 0 {
		return query.NewMatchNoneQuery(), nil
	}
	return query.NewDisjunctionQuery(terms), nil
}

// PhraseQuery returns the bleve query that matches exactly the passages
// containing text as a substring (after normalisation, ignoring spaces), or
// ErrNothingToSearch.
func PhraseQuery(text string) (query.Query, error) {
	return phraseOn(text, fieldTextBigram, fieldTextUnigram)
}

func phraseOn(text, bigramField, unigramField string) (query.Query, error) {
	p, err := PhraseOf(text)
	if err != nil {
		return nil, err
	}
	if p.Unigram != "" {
		return newCharQuery(p.Unigram, bigramField, unigramField), nil
	}
	if len(p.Bigrams) == 1 {
		return newBareTermQuery(p.Bigrams[0], bigramField), nil
	}
	return newChainQuery(p.Bigrams, bigramField), nil
}

// coverBigrams keeps the bigrams at even offsets and the last one, leaving
// the others as gaps (""), which bleve's phrase search skips. Every
// character of the phrase is still covered by a bigram at a fixed offset, so
// the phrase matches exactly the same passages, with about half the terms to
// intersect and half the positions to read: 人民法院 is 人民 at p and 法院 at
// p+2.
func coverBigrams(bg []string) []string {
	out := make([]string, len(bg))
	for i := range bg {
		if i%2 == 0 || i == len(bg)-1 {
			out[i] = bg[i]
		}
	}
	return out
}

// fieldTerm matches the passages whose field holds the term value.
func fieldTerm(field, value string) *query.TermQuery {
	q := query.NewTermQuery(value)
	q.SetField(field)
	return q
}

// metaQuery matches the passages whose k is value (fieldMeta).
func metaQuery(k metaKey, value string) *query.TermQuery {
	return fieldTerm(fieldMeta, metaTerm(k, value))
}

// filterQuery is a field:value filter.
func filterQuery(a *Analyzer, titles *titleCache, f *filterNode) (query.Query, error) {
	switch f.field {
	case "unit":
		return phraseOn(f.value, fieldUnitBigram, fieldUnitUni)
	case "round":
		q, err := phraseOn(f.value, fieldRoundBigram, fieldRoundBigram)
		if err != nil {
			return nil, &QueryError{Pos: f.at + 1, Msg: "a round needs at least two characters (第十轮)"}
		}
		return q, nil
	case "category":
		return fieldTerm(fieldProblem, f.value), nil
	case "kind":
		return fieldTerm(fieldKind, f.value), nil
	case "status":
		return fieldTerm(fieldStatus, f.value), nil
	case "focus":
		return fieldTerm(fieldFocus, f.value), nil
	case "year":
		return fieldTerm(fieldYear, f.value), nil
	case "edition":
		return metaQuery(metaEdition, f.value), nil
	case "issuer":
		return metaQuery(metaIssuer, f.value), nil
	case "title":
		q := &titleFilterQuery{titles: titles}
		for _, w := range a.Words(f.value, QueryMode) {
			q.words = append(q.words, w.Term)
		}
		if len(q.words) == 0 {
			return nil, &QueryError{Pos: f.at + 1, Msg: "nothing to search in this title"}
		}
		return q, nil
	case "date":
		return dateRangeQuery(f.from, f.to), nil
	}
	return nil, fmt.Errorf("unknown filter field %q", f.field)
}

// Bounds of open date ranges.
var (
	minDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

// dateRangeQuery matches passages dated from..to (inclusive; a zero bound is
// open) as a disjunction of whole years, whole months and single days: at
// most a few dozen terms for any range.
func dateRangeQuery(from, to time.Time) query.Query {
	if from.IsZero() || from.Before(minDate) {
		from = minDate
	}
	if to.IsZero() || to.After(maxDate) {
		to = maxDate
	}
	var qs []query.Query
	for d := from; !d.After(to); {
		yearEnd := time.Date(d.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
		monthEnd := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		switch {
		case d.YearDay() == 1 && !yearEnd.After(to):
			qs = append(qs, fieldTerm(fieldYear, strconv.Itoa(d.Year())))
			d = yearEnd.AddDate(0, 0, 1)
		case d.Day() == 1 && !monthEnd.After(to):
			qs = append(qs, metaQuery(metaMonth, d.Format("2006-01")))
			d = monthEnd.AddDate(0, 0, 1)
		default:
			qs = append(qs, fieldTerm(fieldDate, d.Format("2006-01-02")))
			d = d.AddDate(0, 0, 1)
		}
	}
	if len(qs) == 0 {
		return query.NewMatchNoneQuery()
	}
	return query.NewDisjunctionQuery(qs)
}

// SearchWithHits returns the top n hits of a query, for callers that need
// only the hits.
func (ix *Index) SearchWithHits(ctx context.Context, q string, n int) ([]Hit, error) {
	res, err := ix.Search(ctx, Request{Query: q, Size: n})
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}
