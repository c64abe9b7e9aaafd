package indexer

import (
	"context"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/xuncha/xuncha/corpus"
)

// TestRankedQueryAgreesWithBleve: search terms searched by rankedQuery find
// the same passages with the same scores as with bleve's boolean searcher,
// alone, in conjunctions, negations, disjunctions, with synonyms and with
// filters.
func TestRankedQueryAgreesWithBleve(t *testing.T) {
	ps := lawParagraphs(t, 40)
	for i := range ps {
		// Titles, so that the title group has postings, and not on
		// every passage.
		if i%3 != 0 {
			ps[i].Title = []string{"中华人民共和国行政处罚法", "人民法院组织法", "国家赔偿法", "劳动合同法"}[i%4]
		}
		ps[i].Kind = corpus.KindRegulation
	}
	ps = append(ps,
		Passage{ID: "f1", Kind: corpus.KindFinding, Text: "存在形式主义、官僚主义问题，文山会海", Unit: "息县县委办公室", Problems: []string{"形式主义"}},
		Passage{ID: "f2", Kind: corpus.KindFinding, Text: "违反中央八项规定精神，公款吃喝", Unit: "光山县教育局", Problems: []string{"享乐主义"}},
	)
	ix := openTestIndex(t, ps)
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	queries := append([]string{}, BenchQueries...)
	queries = append(queries, "四风", "八项规定", "中华人民共和国", "人民 法院 判决", "县级以上人民政府 -国务院",
		"(合同 OR 协议) 解除", "单位:息县 形式主义", "类型:regulation 罚款", "\"人民法院\" 审理", "赔偿 -\"国家赔偿\"")
	build := func(q string, bleveBoolean bool) query.Query {
		t.Helper()
		pq, err := ParseQuery(q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		ix.bleveBoolean = bleveBoolean
		bq, err := ix.buildQuery(context.Background(), pq)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return bq
	}
	compared := 0
	for _, q := range queries {
		rq, bq := build(q, false), build(q, true)
		gotTotal, got := ranked(t, ix, rq)
		wantTotal, want := ranked(t, ix, bq)
		if gotTotal != wantTotal || !sameRanking(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Logf("first difference at %d: %s, bleve %s", i, got[i], want[i])
					break
				}
			}
			t.Fatalf("%q: %d hits %v\nbleve's boolean searcher: %d hits %v", q, gotTotal, head(got), wantTotal, head(want))
		}
		if gotTotal > 0 {
			compared++
		}
	}
	if compared < 50 {
		t.Fatalf("only %d queries with hits: the sample is too small to mean anything", compared)
	}
	// The queries above did go through andQuery's and rankedQuery's own
	// searchers.
	for _, q := range []string{"人民 法院 判决", "处罚 -罚款"} {
		if got := build(q, false); fmt.Sprintf("%T", got) != "*indexer.andQuery" {
			t.Fatalf("%s is searched as a %T", q, got)
		}
	}
	rq, ok := build("人民", false).(*rankedQuery)
	if !ok {
		t.Fatalf("人民 is searched as a %T", build("人民", false))
	}
	if g, ok := rq.shouldGroups(); !ok || len(g) != 2 {
		t.Fatalf("人民: should groups %v, %v", g, ok)
	}
	t.Logf("%d queries compared", compared)

}
