package indexer

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuncha/xuncha/corpus"
)

func demoIndex(t *testing.T) (*Index, *corpus.BoltStore) {
	t.Helper()
	ctx := context.Background()
	s := demoStore(t)
	ix, err := Open(ctx, filepath.Join(t.TempDir(), "index"), testAnalyzer(t), Options{Passages: StorePassages{s}, InForce: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	lex, err := DomainLexicon()
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.RefreshSuggestions(ctx, lex); err != nil {
		t.Fatal(err)
	}
	return ix, s
}

func TestSuggest(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	tests := []struct {
		prefix, want, source string
	}{
		{"区委", "区委办公室", "unit"},
		{"中国共产党纪", "中国共产党纪律处分条例", "title"},
		{"滨海", "滨海旅游区管委会", "unit"},
		{"形式", "形式主义", "problem"},
		{"屡查", "屡查屡犯", "lexicon"},
		{"監察", "监察法", ""}, // a traditional prefix completes simplified text
	}
	for _, tt := range tests {
		got, err := ix.Suggest(ctx, tt.prefix, 8)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range got {
			if s.Text == tt.want && (tt.source == "" || s.Source == tt.source) {
				found = true
			}
		}
		if !found {
			t.Errorf("Suggest(%q) = %v, want %s (%s) among them", tt.prefix, got, tt.want, tt.source)
		}
	}
	if _, err := ix.Suggest(ctx, "区", 0); !errors.Is(err, ErrRequest) {
		t.Errorf("n=0: %v", err)
	}
	if got, _ := ix.Suggest(ctx, "", 5); len(got) != 0 {
		t.Errorf("empty prefix: %v", got)
	}
}

// TestSimilarFindings: a new 虚报冒领 finding at the 人社局 brings up the
// earlier ones of the same kind first, not itself.
func TestSimilarFindings(t *testing.T) {
	ix, s := demoIndex(t)
	ctx := context.Background()
	var self *corpus.Finding
	s.EachFinding(ctx, func(f *corpus.Finding) error {
		if f.Description == "社保待遇资格认证把关不严，存在冒领养老金问题" {
			self = f
		}
		return nil
	})
	if self == nil {
		t.Fatal("demo finding not found")
	}
	hits, keys, err := ix.Similar(ctx, self.Description+"\n"+self.Rectification.Measures, self.ID, []corpus.Kind{corpus.KindFinding}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("no key terms")
	}
	var top []string
	for _, h := range hits {
		if h.ID == self.ID {
			t.Errorf("the finding itself is among its similar findings")
		}
		top = append(top, h.Title)
	}
	want := map[string]bool{"就业补贴发放中再次出现冒领问题，复核机制执行不到位": true, "就业补贴审核把关不严，存在虚报冒领就业补贴问题": true}
	hitsWanted := 0
	for _, title := range top[:min(3, len(top))] {
		if want[title] {
			hitsWanted++
		}
	}
	if hitsWanted == 0 {
		t.Errorf("top similar findings %q (key terms %v) include none of the earlier 冒领 findings", top, keys)
	}
}

// TestPrecedents: for a draft finding, the most similar past finding comes
// first with how it was characterised. Row 5 of the demo ledger (滨海旅游区
// 管委会, 第三轮) reads 以项目考察为名接受企业宴请, filed under 违规吃喝 and the
// second focus.
func TestPrecedents(t *testing.T) {
	ix, _ := demoIndex(t)
	hits, _, err := ix.Similar(context.Background(), "干部以项目考察为名接受企业宴请", "", []corpus.Kind{corpus.KindFinding, corpus.KindNotice}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Unit != "滨海旅游区管委会" || hits[0].Round != "九届区委第三轮" || hits[0].Focus != string(corpus.FocusCorruption) {
		t.Fatalf("first precedent %+v", hits)
	}
	found := false
	for _, p := range hits[0].Problems {
		found = found || p == "违规吃喝"
	}
	if !found || hits[0].Disposition != "" && !strings.Contains(hits[0].Text, hits[0].Disposition) {
		t.Errorf("characterisation %v, disposition %q", hits[0].Problems, hits[0].Disposition)
	}
}
