package corpus

import (
	"bytes"
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// demoLedger reads the demo ledger (corpus/demo/data).
func demoLedger(t *testing.T) []*Finding {
	t.Helper()
	data, err := os.ReadFile("demo/data/示例巡察问题台账.csv")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ParseLedger(context.Background(), "ledger.csv", data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

var reportDay = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// The expected values below were worked out by reading the 32 rows of the
// demo ledger, not by running this code.

func TestUnitProfile(t *testing.T) {
	p := ProfileOf("区委办公室", demoLedger(t), reportDay)
	// Rows 1, 2 (第三轮, both 已整改), 16 (第十轮, 整改中, due 2025-08-31) and
	// 17 (第十轮, 未整改, due 2025-09-30): both 第十轮 findings are overdue.
	want := StatusCounts{Found: 4, Done: 2, InProgress: 1, NotStarted: 1, Overdue: 2}
	if diff := cmp.Diff(want, p.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if p.Rate != 0.5 || len(p.Overdue) != 2 {
		t.Errorf("rate %v, %d overdue", p.Rate, len(p.Overdue))
	}
	if diff := cmp.Diff([]string{"九届区委第三轮", "九届区委第十轮"}, p.Rounds); diff != "" {
		t.Errorf("rounds (-want +got):\n%s", diff)
	}
	wantFocus := map[string]int{string(FocusPolicy): 2, string(FocusLeadership): 1, string(FocusRectify): 1}
	if diff := cmp.Diff(wantFocus, p.ByFocus); diff != "" {
		t.Errorf("by focus (-want +got):\n%s", diff)
	}
	wantProblems := map[string]int{"形式主义": 2, "文山会海": 2, "选人用人不规范": 1, "整改不到位": 1}
	if diff := cmp.Diff(wantProblems, p.ByProblem); diff != "" {
		t.Errorf("by problem (-want +got):\n%s", diff)
	}
	if len(p.Repeated) != 1 || p.Repeated[0].Problem != "形式主义、文山会海" || !p.Repeated[0].AfterRectified {
		t.Errorf("repeated %+v", p.Repeated)
	}
}

func TestRepeatedProblems(t *testing.T) {
	type rep struct {
		Unit, Problem string
		Rounds        int
		After         bool
	}
	var got []rep
	for _, r := range RepeatedProblems(demoLedger(t)) {
		got = append(got, rep{r.Unit, r.Problem, len(r.Rounds), r.AfterRectified})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Unit+got[i].Problem < got[j].Unit+got[j].Problem })
	want := []rep{
		{"区人力资源和社会保障局", "虚报冒领", 3, true},
		{"区人大常委会机关", "形式主义、督查检查考核过多过频", 2, true},
		{"区住房和城乡建设局", "官僚主义、不作为", 2, false},
		{"区农业农村局", "截留挪用", 2, true},
		{"区卫生健康局", "吃拿卡要", 2, true},
		{"区委办公室", "形式主义、文山会海", 2, true},
		{"滨海旅游区管委会", "形式主义", 2, true},
		{"滨海旅游区管委会", "违反中央八项规定精神、违规吃喝", 2, true},
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Unit+want[i].Problem < want[j].Unit+want[j].Problem })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("repeated problems (-want +got):\n%s", diff)
	}
	// Alike in text, not by type.
	a := &Finding{ID: "a", Unit: "区教育局", Round: "第一轮", Problems: []string{"违规收费"}, Description: "学校违规收取教辅资料费用", Date: reportDay.AddDate(-2, 0, 0), Rectification: Rectification{Status: StatusDone}}
	b := &Finding{ID: "b", Unit: "区教育局", Round: "第二轮", Problems: []string{"乱收费"}, Description: "部分学校违规收取教辅资料费", Date: reportDay}
	rs := RepeatedProblems([]*Finding{a, b})
	if len(rs) != 1 || !rs[0].ByText || !rs[0].AfterRectified {
		t.Errorf("text repeat: %+v", rs)
	}
}

func TestRoundReport(t *testing.T) {
	rep := ReportOf("九届区委第十轮", demoLedger(t), reportDay)
	// Rows 16–32: 5 已整改, 6 整改中, 4 未整改, 2 长期坚持; overdue: rows 16, 17,
	// 19, 21, 23, 27, 28, 29.
	want := StatusCounts{Found: 17, Done: 5, InProgress: 6, NotStarted: 4, Ongoing: 2, Overdue: 8}
	if diff := cmp.Diff(want, rep.Total); diff != "" {
		t.Errorf("total (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(StatusCounts{Found: 3, Done: 1, InProgress: 1, Ongoing: 1, Overdue: 1}, rep.ByUnit["滨海旅游区管委会"]); diff != "" {
		t.Errorf("滨海旅游区管委会 (-want +got):\n%s", diff)
	}
	byFocus := map[string]int{}
	for f, c := range rep.ByFocus {
		byFocus[f] = c.Found
	}
	wantFocus := map[string]int{string(FocusPolicy): 8, string(FocusCorruption): 5, string(FocusLeadership): 2, string(FocusRectify): 2}
	if diff := cmp.Diff(wantFocus, byFocus); diff != "" {
		t.Errorf("by focus (-want +got):\n%s", diff)
	}
	// The XLSX ledger reads back as the same findings.
	var buf bytes.Buffer
	if err := WriteLedgerXLSX(&buf, rep.Round, rep.Findings); err != nil {
		t.Fatal(err)
	}
	back, err := ParseLedger(context.Background(), "back.xlsx", buf.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 17 || back[0].Unit != rep.Findings[0].Unit || back[0].Rectification.Status != rep.Findings[0].Rectification.Status {
		t.Errorf("XLSX round trip: %d findings, first %+v", len(back), back[0])
	}
}
