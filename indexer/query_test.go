package indexer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
)

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "AND()"},
		{"形式主义", "AND(形式主义)"},
		{"形式主义 官僚主义", "AND(形式主义 官僚主义)"},
		{"形式主义 OR 官僚主义", "AND(OR(形式主义 官僚主义))"},
		{"违规吃喝 形式主义 OR 官僚主义", "AND(违规吃喝 OR(形式主义 官僚主义))"},
		{`"国家赔偿" -刑事`, `AND("国家赔偿" -刑事)`},
		{"“环境，保护”", `AND("环境，保护")`},
		{"单位:息县 类别:形式主义", "AND(unit:息县 category:形式主义)"},
		{"unit：区委办公室 类型:讲话 状态:已整改 年份:2023", "AND(unit:区委办公室 kind:speech status:已整改 year:2023)"},
		{"轮次:第十轮 聚焦:2", "AND(round:第十轮 focus:群众身边腐败问题和不正之风)"},
		{"日期:2023-01-01..2023-12-31", "AND(date:2023-01-01..2023-12-31)"},
		{`单位:"区人大常委会 机关"`, "AND(unit:区人大常委会 机关)"},
		{"(形式主义 OR 官僚主义) 单位:息县", "AND(AND(OR(形式主义 官僚主义)) unit:息县)"},
		{"形式* 巡察", "AND(形式* 巡察)"},
		{"COVID-19 GB/T 7714", "AND(COVID-19 GB/T 7714)"},
		{"形式主义 ， 官僚主义", "AND(形式主义 官僚主义)"},
		{"通知：内容", "AND(通知：内容)"},
		{"OR形式", "AND(OR形式)"},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.in, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("ParseQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		in   string
		pos  int
		want string
	}{
		{`"形式主义`, 1, "never closed"},
		{`形式主义 “官僚`, 6, "never closed"},
		{"(形式主义", 1, "never closed"},
		{"形式主义)", 5, "without a matching ("},
		{"OR 形式主义", 1, "before it"},
		{"形式主义 OR", 5, "after it"},
		{"- 形式主义", 1, "followed by"},
		{"类型:报表", 4, "not a kind"},
		{"状态:完成了吗", 4, "not a status"},
		{"年份:两千", 4, "not a year"},
		{"日期:2023-13-01..2023-12-31", 4, "not a date"},
		{"日期:2023-12-31..2023-01-01", 4, "ends before"},
		{"单位:", 3, "needs a value"},
		{"形*", 1, "at least 2"},
		{"形*式", 2, "only at the end"},
		{"/形式.*主义/", 1, "regular expressions"},
		{"，。！", 1, "nothing to search"},
		{`""`, 1, "empty phrase"},
		{strings.Repeat("巡", 257), 257, "limit is 256"},
		{strings.Repeat("a ", 33), 65, "limit is 32"},
		{strings.Repeat("(", 9) + "a" + strings.Repeat(")", 9), 9, "nested deeper"},
		{"形式\xff主义", 3, "not valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := ParseQuery(tt.in)
		var qe *QueryError
		if !errors.As(err, &qe) || !errors.Is(err, ErrQuery) {
			t.Errorf("ParseQuery(%q) = %v, want a QueryError", tt.in, err)
			continue
		}
		if qe.Pos != tt.pos || !strings.Contains(qe.Msg, tt.want) {
			t.Errorf("ParseQuery(%q) error at %d %q, want at %d containing %q", tt.in, qe.Pos, qe.Msg, tt.pos, tt.want)
		}
	}
}

// TestHostileQueries: pathological queries are refused quickly with a clear
// error (the test would time out, not just fail, if they were not).
func TestHostileQueries(t *testing.T) {
	for name, q := range map[string]string{
		"10,000 ORs":         strings.Repeat("a OR ", 10_000) + "a",
		"5,000-deep nesting": strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000),
		"unbalanced quotes":  strings.Repeat(`"`, 101),
		"huge word":          strings.Repeat("巡察", 100_000),
		"invalid UTF-8":      "\xc3\x28\xa0\xa1",
		"only operators":     "OR OR OR",
		"nul bytes":          "形式\x00主义",
		"deep minus":         strings.Repeat("-", 200) + "a",
	} {
		_, err := ParseQuery(q)
		if !errors.Is(err, ErrQuery) && name != "nul bytes" && name != "deep minus" {
			t.Errorf("%s: %v, want a QueryError", name, err)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"形式主义 OR 官僚主义 -刑事", `单位:"区委办公室" 日期:2023..2024`, "((a))", `“环境，保护`, "形式* 年份:2023", "-(-(-a))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("error is not a QueryError: %v", err)
			}
			if qe.Pos < 1 || qe.Pos > len([]rune(s))+1 {
				t.Fatalf("error position %d outside the query of %d characters", qe.Pos, len([]rune(s)))
			}
			return
		}
		if len(q.Terms()) > MaxQueryTerms {
			t.Fatalf("%d terms passed the limit", len(q.Terms()))
		}
	})
}

func TestDateRangeDecomposition(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	tests := []struct {
		from, to string
		terms    int
	}{
		{"2023-01-01", "2023-12-31", 1},  // one year
		{"2023-03-01", "2023-04-30", 2},  // two months
		{"2023-03-30", "2023-04-02", 4},  // four days
		{"2022-12-30", "2024-01-02", 5},  // 2 days, 1 year, 2 days
		{"2023-02-15", "2023-12-31", 24}, // 14 days, 10 months
	}
	for _, tt := range tests {
		q := dateRangeQuery(d(tt.from), d(tt.to))
		dq, ok := q.(*query.DisjunctionQuery)
		if !ok || len(dq.Disjuncts) != tt.terms {
			t.Errorf("%s..%s: %d terms, want %d", tt.from, tt.to, len(dq.Disjuncts), tt.terms)
		}
	}
	if q := dateRangeQuery(time.Time{}, time.Time{}); len(q.(*query.DisjunctionQuery).Disjuncts) != 201 {
		t.Error("an open range is not 201 years")
	}
}
