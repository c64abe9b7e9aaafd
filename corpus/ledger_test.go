package corpus

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const ledgerCSV = `序号,被巡察单位,轮次,问题类型,问题描述,整改状态,整改措施,责任人,整改时限
1,区委办公室,九届区委第十轮,形式主义、文山会海,会议文件瘦身不到位,整改中,严控会议数量,王某某,2025-08-31
2,区委编办,九届区委第十轮,选人用人不规范,借调人员管理不规范,未整改,清理借调人员,褚某某,2025年12月31日
`

func TestParseLedgerGBKCSV(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(ledgerCSV))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ParseLedger(context.Background(), "台账.csv", gbk, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("%d findings", len(fs))
	}
	f := fs[1]
	if f.Unit != "区委编办" || f.Rectification.Status != StatusNotStarted || f.Rectification.Deadline.Format("2006-01-02") != "2025-12-31" {
		t.Errorf("row 2 = %+v", f)
	}
	if diff := cmp.Diff([]string{"形式主义", "文山会海"}, fs[0].Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if fs[0].ID != FindingID("区委办公室", "九届区委第十轮", "会议文件瘦身不到位") {
		t.Error("ID is not derived from unit, round and description")
	}
}

func TestParseLedgerXLSXEnglishHeaders(t *testing.T) {
	x := excelize.NewFile()
	rows := [][]any{
		{"unit", "round", "focus", "problems", "description", "status", "deadline"},
		{"区卫生健康局", "九届区委第十轮", 2, "吃拿卡要", "执业登记审批中吃拿卡要问题反弹", "in_progress", "2026-06-30"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	fs, err := ParseLedger(context.Background(), "ledger.xlsx", buf.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Focus != FocusCorruption || fs[0].Rectification.Status != StatusInProgress {
		t.Errorf("%+v", fs)
	}
}

func TestParseLedgerReportsEveryBadValue(t *testing.T) {
	csv := "被巡察单位,问题描述,整改状态,整改时限,四个聚焦,颜色\n" +
		"区委办公室,问题甲,已整改,2025-02-30,1,\n" +
		",问题乙,半整改,2025-01-01,5,红\n"
	_, err := ParseLedger(context.Background(), "bad.csv", []byte(csv), Limits{})
	var le *LedgerError
	if !errors.As(err, &le) || !errors.Is(err, ErrLedger) {
		t.Fatalf("err = %v, want a LedgerError", err)
	}
	type cell struct {
		Row    int
		Column string
	}
	var got []cell
	for _, p := range le.Problems {
		if p.File != "bad.csv" {
			t.Errorf("problem names file %q", p.File)
		}
		got = append(got, cell{p.Row, p.Column})
	}
	want := []cell{{2, "整改时限"}, {3, "四个聚焦"}, {3, "整改状态"}, {3, "颜色"}, {3, "被巡察单位"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
}

func TestParseLedgerJSONLAndRoundTrip(t *testing.T) {
	jsonl := `{"unit":"区农业农村局","round":"九届区委第十轮","problems":["截留挪用","虚报冒领"],"description":"高标准农田建设项目虚报工程量","status":"未整改"}
{"被巡察单位":"区委党校","轮次":"九届区委第十轮","问题描述":"学员考勤走过场","整改状态":"已整改","完成日期":"2025-09-25"}`
	fs, err := ParseLedger(context.Background(), "x.jsonl", []byte(jsonl), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteLedgerCSV(&buf, fs); err != nil {
		t.Fatal(err)
	}
	back, err := ParseLedger(context.Background(), "x.csv", buf.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fs, back); diff != "" {
		t.Errorf("CSV round trip (-jsonl +csv):\n%s", diff)
	}
}

func TestParseLedgerDuplicateRows(t *testing.T) {
	csv := "被巡察单位,轮次,问题描述\n区委办公室,第十轮,问题甲\n区委办公室,第十轮,问题甲\n"
	_, err := ParseLedger(context.Background(), "dup.csv", []byte(csv), Limits{})
	var le *LedgerError
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Row != 3 {
		t.Errorf("duplicate row: %v", err)
	}
}
