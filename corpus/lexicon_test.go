package corpus

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestStoredLexicon: changes are validated, versioned and recorded with who
// and why; a removed word stays listed as removed; the records are sealed.
func TestStoredLexicon(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		if v, words, err := s.Lexicon(ctx); err != nil || v != 0 || len(words) != 0 {
			t.Fatalf("empty lexicon: %d %v %v", v, words, err)
		}
		for _, bad := range []struct {
			changes []LexiconChange
			why     string
			msg     string
		}{
			{[]LexiconChange{{Word: "过度留痕"}}, "", "say why"},
			{nil, "why", "no changes"},
			{[]LexiconChange{{Word: "  "}}, "why", "non-empty"},
			{[]LexiconChange{{Word: strings.Repeat("巡", 33)}}, "why", "at most 32"},
			{[]LexiconChange{{Word: "过度\t留痕"}}, "why", "space or a control"},
			{[]LexiconChange{{Word: "过度留痕", Freq: -1}}, "why", "frequency"},
		} {
			if _, err := s.ChangeLexicon(ctx, bad.changes, "alice", bad.why); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad.msg) {
				t.Errorf("%+v: %v, want ErrInvalid saying %q", bad.changes, err, bad.msg)
			}
		}
		v1, err := s.ChangeLexicon(ctx, []LexiconChange{{Word: "过度留痕"}, {Word: "一岗双责", Freq: 500, POS: "n"}}, "alice", "新提法")
		if err != nil || v1 != 1 {
			t.Fatalf("first change: %d %v", v1, err)
		}
		v2, err := s.ChangeLexicon(ctx, []LexiconChange{{Word: "过度留痕", Remove: true}}, "bob", "误加")
		if err != nil || v2 != 2 {
			t.Fatalf("second change: %d %v", v2, err)
		}
		v, words, err := s.Lexicon(ctx)
		if err != nil || v != 2 || len(words) != 2 {
			t.Fatalf("lexicon: %d %+v %v", v, words, err)
		}
		if words[0].Word != "一岗双责" || words[0].Freq != 500 || words[0].Version != 1 || words[1].Word != "过度留痕" || !words[1].Removed || words[1].Version != 2 {
			t.Errorf("words: %+v", words)
		}
		h, err := s.LexiconHistory(ctx, 10)
		if err != nil || len(h) != 2 || h[0].Version != 2 || h[0].Who != "bob" || h[0].Why != "误加" || h[1].Who != "alice" || len(h[1].Changes) != 2 {
			t.Errorf("history: %+v %v", h, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Errorf("check: %v", err)
		}
	})
}
