package indexer

import (
	"context"
	"testing"
)

// TestInForce: 现行:DATE keeps the edition in force on DATE. The demo has
// 监察法 of 2018-03-20 and 2024-12-25, and 纪律处分条例 of 2018 and 2023.
func TestInForce(t *testing.T) {
	ix, s := demoIndex(t)
	ctx := context.Background()
	editionsOf := func(q string) map[string]bool {
		res, err := ix.Search(ctx, Request{Query: q, Size: 100})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out := map[string]bool{}
		for _, h := range res.Hits {
			out[h.Work+" "+h.Edition] = true
		}
		return out
	}
	tests := []struct {
		q           string
		want, avoid string
	}{
		{"国家监察委员会 现行:2020-01-01", "中华人民共和国监察法 2018", "中华人民共和国监察法 2024"},
		{"国家监察委员会 现行:2025-06-01", "中华人民共和国监察法 2024", "中华人民共和国监察法 2018"},
		{"留党察看 现行:2020-06-30", "中国共产党纪律处分条例 2018", "中国共产党纪律处分条例 2023"},
		{"留党察看 现行:2024-01-01", "中国共产党纪律处分条例 2023", "中国共产党纪律处分条例 2018"},
	}
	for _, tt := range tests {
		got := editionsOf(tt.q)
		if !got[tt.want] || got[tt.avoid] {
			t.Errorf("%s: editions %v, want %s and not %s", tt.q, got, tt.want, tt.avoid)
		}
	}
	// Before the first edition the work is not found at all; without the
	// filter both editions are.
	if got := editionsOf("国家监察委员会 现行:2000-01-01"); got["中华人民共和国监察法 2018"] || got["中华人民共和国监察法 2024"] {
		t.Errorf("监察法 found in force in 2000: %v", got)
	}
	if got := editionsOf("国家监察委员会"); !got["中华人民共和国监察法 2018"] || !got["中华人民共和国监察法 2024"] {
		t.Errorf("without 现行, editions %v", got)
	}
	eds, err := s.Editions(ctx, "中华人民共和国监察法")
	if err != nil || len(eds) != 2 || eds[0].Edition != "2018" {
		t.Errorf("editions register: %+v %v", eds, err)
	}
}
