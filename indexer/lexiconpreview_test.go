package indexer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreviewLexicon: adding a word the dictionary splits changes the cut of
// exactly the passages containing it, and the preview counts and shows
// them; the passages without it are not even candidates. Whatever the
// lexicon, the search finds the same passages (matching runs on bigrams).
func TestPreviewLexicon(t *testing.T) {
	ctx := context.Background()
	ps := staticPassages{}
	add := func(id, text string) { ps[id] = &Passage{ID: id, Title: id, Text: text} }
	add("a", "有的单位政务应用过多过滥，滋生数字形式主义，基层干部疲于应付。")
	add("b", "坚决纠治数字形式主义、重留痕轻实绩等问题。")
	add("c", "巡察组发现会议记录不规范。")
	add("d", "督查检查考核过多过频。")
	a := testAnalyzer(t)
	ix, err := Open(ctx, filepath.Join(t.TempDir(), "index"), a, Options{Passages: ps})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var list []Passage
	for _, p := range ps {
		list = append(list, *p)
	}
	if err := ix.Add(ctx, list); err != nil {
		t.Fatal(err)
	}
	if cut := a.Segment("数字形式主义"); len(cut) < 2 {
		t.Fatalf("the base dictionary already has 数字形式主义 as one word (%v); pick another", cut)
	}
	seg, err := NewSegmenter(ctx, SegmenterOptions{Lexicons: []*Lexicon{mustDomain(t), {Name: "store", Version: "v1", Entries: []LexiconEntry{{Word: "数字形式主义"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	next := NewAnalyzer(seg)
	if cut := next.Segment("数字形式主义"); len(cut) != 1 {
		t.Fatalf("with the word added, 数字形式主义 is cut %v", cut)
	}
	p, err := ix.PreviewLexicon(ctx, next, []string{"数字形式主义"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.Candidates != 2 || p.Changed != 2 || len(p.Samples) != 2 || p.Capped {
		t.Fatalf("preview: %+v", p)
	}
	for _, s := range p.Samples {
		if !strings.Contains(strings.Join(s.After, "/"), "数字形式主义") || strings.Contains(strings.Join(s.Before, "/"), "/数字形式主义/") {
			t.Errorf("sample %s: before %v, after %v", s.ID, s.Before, s.After)
		}
	}
	// A word no passage contains: no candidates, nothing changes.
	if p, err := ix.PreviewLexicon(ctx, next, []string{"新质生产力"}, 10); err != nil || p.Candidates != 0 || p.Changed != 0 {
		t.Errorf("absent word: %+v %v", p, err)
	}
}

func mustDomain(t *testing.T) *Lexicon {
	t.Helper()
	d, err := DomainLexicon()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
