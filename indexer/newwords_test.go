package indexer

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestNewWords: a term the segmenter splits, met often in varied contexts,
// is suggested first, with its current cut; a phrase always in the same
// context, a split met twice, and a word plus a particle are not.
func TestNewWords(t *testing.T) {
	a := testAnalyzer(t)
	if cut := a.Segment("数字形式主义"); len(cut) < 2 {
		t.Fatalf("数字形式主义 is one word already: %v", cut)
	}
	f := NewNewWordFinder(a)
	subjects := []string{"有的单位", "部分乡镇", "个别部门", "一些街道", "某局", "少数干部", "区委办", "有的学校"}
	tails := []string{"问题突出。", "屡禁不止。", "加重基层负担。", "必须纠治。", "仍然存在。", "有所反弹。", "亟待整改。", "表现多样。"}
	for i := range 8 {
		verbs := []string{"滋生", "存在", "出现", "纠治", "整治", "查处", "警惕", "反对"}
		f.Add(fmt.Sprintf("%s%s数字形式主义，%s", subjects[i], verbs[i], tails[(i+3)%8]))
		f.Add(fmt.Sprintf("%s的台账材料%s", subjects[i], tails[i]))
	}
	f.Add("巡察工作稳步推进。")
	f.Add("巡察工作稳步推进。")
	for i := range 30 { // ordinary text around it
		f.Add(fmt.Sprintf("第%d条 巡察组应当对被巡察党组织落实整改主体责任情况开展督促检查，及时报告发现的问题。", i+1))
	}
	top := f.Top(context.Background(), 5, 5)
	if len(top) == 0 || top[0].Word != "数字形式主义" || top[0].Count != 8 || strings.Join(top[0].Cut, "/") != "数字/形式主义" {
		t.Fatalf("top candidates: %+v", top)
	}
	for _, w := range top {
		if strings.Contains(w.Word, "稳步推进") || strings.HasPrefix(w.Word, "的") || strings.HasSuffix(w.Word, "的") {
			t.Errorf("%q should not be suggested: %+v", w.Word, top)
		}
	}
}
