package indexer

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/xuncha/xuncha/corpus"
)

// KeyTerm is a word of a text weighted by how characteristic it is.
type KeyTerm struct {
	Term   string
	Weight float64
}

const maxKeyTerms = 12

// KeyTerms returns the most characteristic words of text: TF-IDF, with the
// document frequencies of this index (a corpus of inspection texts, so 问题
// or 工作 weigh little and 虚报冒领 much). Words of one character and pure
// numbers are left out.
func (ix *Index) KeyTerms(ctx context.Context, text string, n int) ([]KeyTerm, error) {
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	total, err := b.DocCount()
	if err != nil {
		return nil, err
	}
	tf := map[string]int{}
	for _, w := range ix.analyzer.Load().Words(text, QueryMode) {
		if utf8.RuneCountInString(w.Term) >= 2 && strings.ContainsFunc(w.Term, isHan) {
			tf[w.Term]++
		}
	}
	r, err := reader(b)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var terms []KeyTerm
	for term, f := range tf {
		tfr, err := r.TermFieldReader(ctx, []byte(term), fieldTextWord, false, false, false)
		if err != nil {
			return nil, err
		}
		df := tfr.Count()
		tfr.Close()
		idf := math.Log(float64(total+1) / float64(df+1))
		terms = append(terms, KeyTerm{Term: term, Weight: float64(f) * idf})
	}
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].Weight != terms[j].Weight {
			return terms[i].Weight > terms[j].Weight
		}
		return terms[i].Term < terms[j].Term
	})
	if len(terms) > n {
		terms = terms[:n]
	}
	return terms, nil
}

// Similar returns the passages most like text among the given kinds
// (findings, notice cases …), best first, leaving out the passage exclude
// (the finding itself). Similarity is the weighted overlap of key terms, so
// two findings that describe one problem in different words rank high.
func (ix *Index) Similar(ctx context.Context, text, exclude string, kinds []corpus.Kind, n int) ([]Hit, []KeyTerm, error) {
	if n <= 0 || n > MaxSize {
		return nil, nil, fmt.Errorf("%w: size must be between 1 and %d", ErrRequest, MaxSize)
	}
	if utf8.RuneCountInString(text) > 20_000 {
		return nil, nil, fmt.Errorf("%w: the text is longer than 20,000 characters", ErrRequest)
	}
	keys, err := ix.KeyTerms(ctx, text, maxKeyTerms)
	if err != nil {
		return nil, nil, err
	}
	if len(keys) == 0 {
		return nil, nil, nil
	}
	var should []query.Query
	for _, k := range keys {
		tq := fieldTerm(fieldTextWord, k.Term)
		tq.SetBoost(k.Weight)
		should = append(should, tq)
	}
	dq := query.NewDisjunctionQuery(should)
	var kindQs []query.Query
	for _, k := range kinds {
		kq := fieldTerm(fieldKind, string(k))
		kindQs = append(kindQs, kq)
	}
	must := []query.Query{dq}
	if len(kindQs) > 0 {
		must = append(must, query.NewDisjunctionQuery(kindQs))
	}
	var mustNot []query.Query
	if exclude != "" {
		mustNot = append(mustNot, query.NewDocIDQuery([]string{exclude}))
	}
	req := bleve.NewSearchRequestOptions(query.NewBooleanQuery(must, nil, mustNot), n, 0, false)
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("similar: %w", err)
	}
	terms := make([]string, len(keys))
	for i, k := range keys {
		terms[i] = k.Term
	}
	hits, err := ix.hits(ctx, res.Hits, &Query{root: &andNode{xs: termNodes(terms)}})
	return hits, keys, err
}

func termNodes(ts []string) []node {
	out := make([]node, len(ts))
	for i, t := range ts {
		out[i] = &termNode{text: t}
	}
	return out
}
