package indexer

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xuncha/xuncha/corpus"
)

// demoLedgerIndex indexes the 32 findings of the demo ledger alone.
func demoLedgerIndex(t *testing.T) *Index {
	t.Helper()
	data, err := os.ReadFile("../corpus/demo/data/示例巡察问题台账.csv")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := corpus.ParseLedger(context.Background(), "ledger.csv", data, corpus.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var ps []Passage
	for _, f := range fs {
		ps = append(ps, FindingPassage(f))
	}
	return openTestIndex(t, ps)
}

// TestFormalismByUnit: "形式主义 by unit" over the demo ledger gives the
// counts a person gets by reading it. Reading the 32 rows, 10 are 形式主义
// cases (by type or text): 区委办公室 rows 1 and 16, 滨海旅游区管委会 4 and
// 23, 区人大常委会机关 7 and 18, 区委编办 15, 区人力资源和社会保障局 21,
// 区委党校 26, 区卫生健康局 30; by round: 第三轮 2, 第六轮 2, 第十轮 6.
func TestFormalismByUnit(t *testing.T) {
	ix := demoLedgerIndex(t)
	counts := func(field string) map[string]int {
		res, err := ix.Search(context.Background(), Request{Query: "形式主义", GroupBy: field, Size: 20})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 10 {
			t.Errorf("%d findings match 形式主义, want 10", res.Total)
		}
		m := map[string]int{}
		for _, g := range res.Groups {
			m[g.Value] = g.Count
			if len(g.Hits) == 0 || len(g.Hits) > 3 || len(g.Hits) > g.Count {
				t.Errorf("group %s: %d hits shown for %d", g.Value, len(g.Hits), g.Count)
			}
			for _, h := range g.Hits {
				if field == fieldUnit && h.Unit != "" && h.Unit != g.Value {
					t.Errorf("group %s shows a hit of %s", g.Value, h.Unit)
				}
			}
		}
		return m
	}
	wantUnits := map[string]int{
		"区委办公室": 2, "滨海旅游区管委会": 2, "区人大常委会机关": 2,
		"区委编办": 1, "区人力资源和社会保障局": 1, "区委党校": 1, "区卫生健康局": 1,
	}
	if diff := cmp.Diff(wantUnits, counts(fieldUnit)); diff != "" {
		t.Errorf("by unit (-read +searched):\n%s", diff)
	}
	wantRounds := map[string]int{"九届区委第三轮": 2, "九届区委第六轮": 2, "九届区委第十轮": 6}
	if diff := cmp.Diff(wantRounds, counts(fieldRound)); diff != "" {
		t.Errorf("by round (-read +searched):\n%s", diff)
	}
}

// TestSpeechCountsByUnitsItNames: grouped by unit, a speech counts for the
// units its paragraphs name. The reference speech names, by reading it:
// 区委办公室, 区人大常委会机关 and 区政协机关 in one paragraph, 滨海旅游区管委会
// in another, 区委党校 and 区委编办 in a third (its 人力资源和社会保障局 lacks
// the 区 of the ledger's name, so it is not matched).
func TestSpeechCountsByUnitsItNames(t *testing.T) {
	ix, _ := demoIndex(t)
	res, err := ix.Search(context.Background(), Request{Query: "类型:讲话", GroupBy: fieldUnit, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, g := range res.Groups {
		got[g.Value] = g.Count
	}
	want := map[string]int{"区委办公室": 1, "区人大常委会机关": 1, "区政协机关": 1, "滨海旅游区管委会": 1, "区委党校": 1, "区委编办": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("speech by unit (-read +searched):\n%s", diff)
	}
}
