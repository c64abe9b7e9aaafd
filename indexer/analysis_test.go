package indexer

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tok is a literal token: term, start and end byte offsets into the
// original, position.
type tok struct {
	Term       string
	Start, End int
	Pos        int
}

func toks(ts []Token) []tok {
	out := make([]tok, len(ts))
	for i, t := range ts {
		out[i] = tok{t.Term, t.Start, t.End, t.Position}
	}
	return out
}

func TestWordsIndexMode(t *testing.T) {
	a := testAnalyzer(t)
	tests := []struct {
		name string
		text string
		want []tok
	}{
		{"repeated words keep their own offsets", "人民法院审理，人民法院判决", []tok{
			{"人民法院", 0, 12, 1}, {"人民", 0, 6, 1}, {"民法", 3, 9, 2}, {"法院", 6, 12, 3},
			{"审理", 12, 18, 5},
			{"人民法院", 21, 33, 8}, {"人民", 21, 27, 8}, {"民法", 24, 30, 9}, {"法院", 27, 33, 10},
			{"判决", 33, 39, 12},
		}},
		{"mixed scripts: codes, numbers with units", "PD1728_A_1号文件2023年", []tok{
			{"pd1728_a_1", 0, 10, 1}, {"pd1728", 0, 6, 1}, {"a", 7, 8, 8}, {"1", 9, 10, 10},
			{"号", 10, 13, 11}, {"文件", 13, 19, 12},
			{"2023", 19, 23, 14}, {"2023年", 19, 26, 14}, {"年", 23, 26, 18},
		}},
		{"full-width code and number", "ＧＢ／Ｔ　７７１４规定", []tok{
			{"gb/t", 0, 12, 1}, {"gb/t 7714", 0, 27, 1}, {"gb", 0, 6, 1}, {"t", 9, 12, 4},
			{"7714", 15, 27, 5},
			{"规定", 27, 33, 9},
		}},
		{"traditional text, offsets in the original", "監察機關", []tok{
			{"监察机关", 0, 12, 1}, {"监察", 0, 6, 1}, {"机关", 6, 12, 3},
		}},
		{"redaction marks make no tokens but keep positions", "*区_总书记", []tok{
			{"区", 1, 4, 2}, {"总书记", 5, 14, 4}, {"书记", 8, 14, 5},
		}},
		{"a conjunction is not 和解", "实施和解除", []tok{
			{"实施", 0, 6, 1}, {"和", 6, 9, 3}, {"解除", 9, 15, 4},
		}},
		{"punctuation and spaces only", " ，。！？ ", []tok{}},
		{"empty", "", []tok{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, toks(a.Words(tt.text, IndexMode))); diff != "" {
				t.Errorf("Words(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestWordsQueryModeHasNoSubWords(t *testing.T) {
	a := testAnalyzer(t)
	want := []tok{{"中华人民共和国", 0, 21, 1}, {"监察法", 21, 30, 8}}
	if diff := cmp.Diff(want, toks(a.Words("中華人民共和國監察法", QueryMode))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBigramsAndUnigrams(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		bigrams  []tok
		unigrams []tok
	}{
		{"repeated words, punctuation between", "人民法院审理，人民法院", []tok{
			{"人民", 0, 6, 1}, {"民法", 3, 9, 2}, {"法院", 6, 12, 3}, {"院审", 9, 15, 4}, {"审理", 12, 18, 5},
			{"理,", 15, 21, 6}, {",人", 18, 24, 7},
			{"人民", 21, 27, 8}, {"民法", 24, 30, 9}, {"法院", 27, 33, 10},
		}, []tok{
			{"人", 0, 3, 1}, {"民", 3, 6, 2}, {"法", 6, 9, 3}, {"院", 9, 12, 4}, {"审", 12, 15, 5}, {"理", 15, 18, 6},
			{"人", 21, 24, 8}, {"民", 24, 27, 9}, {"法", 27, 30, 10}, {"院", 30, 33, 11},
		}},
		{"spaces are not units", "ＧＢ／Ｔ　７７", []tok{
			{"gb", 0, 6, 1}, {"b/", 3, 9, 2}, {"/t", 6, 12, 3}, {"t7", 9, 18, 4}, {"77", 15, 21, 5},
		}, []tok{
			{"g", 0, 3, 1}, {"b", 3, 6, 2}, {"t", 9, 12, 4}, {"7", 15, 18, 5}, {"7", 18, 21, 6},
		}},
		{"redaction marks are units, not unigrams", "*区_总书记", []tok{
			{"*区", 0, 4, 1}, {"区_", 1, 5, 2}, {"_总", 4, 8, 3}, {"总书", 5, 11, 4}, {"书记", 8, 14, 5},
		}, []tok{
			{"区", 1, 4, 2}, {"总", 5, 8, 4}, {"书", 8, 11, 5}, {"记", 11, 14, 6},
		}},
		{"traditional", "監察", []tok{{"监察", 0, 6, 1}}, []tok{{"监", 0, 3, 1}, {"察", 3, 6, 2}}},
		{"invalid UTF-8 is a unit, never a panic", "a\xffb", []tok{
			{"a\uFFFD", 0, 2, 1}, {"\uFFFDb", 1, 3, 2},
		}, []tok{{"a", 0, 1, 1}, {"b", 2, 3, 3}}},
		{"one character", "人", []tok{}, []tok{{"人", 0, 3, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.bigrams, toks(Bigrams(tt.text))); diff != "" {
				t.Errorf("Bigrams(%q) (-want +got):\n%s", tt.text, diff)
			}
			if diff := cmp.Diff(tt.unigrams, toks(Unigrams(tt.text))); diff != "" {
				t.Errorf("Unigrams(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestPhraseOf(t *testing.T) {
	tests := []struct {
		in      string
		want    Phrase
		wantErr error
	}{
		{"人", Phrase{Unigram: "人"}, nil},
		{" 人 ", Phrase{Unigram: "人"}, nil},
		{"和解", Phrase{Bigrams: []string{"和解"}}, nil},
		{"抚养费", Phrase{Bigrams: []string{"抚养", "养费"}}, nil},
		{"環境，保護", Phrase{Bigrams: []string{"环境", "境,", ",保", "保护"}}, nil},
		{"第一条 为了", Phrase{Bigrams: []string{"第一", "一条", "条为", "为了"}}, nil},
		{"，。", Phrase{}, ErrNothingToSearch},
		{"", Phrase{}, ErrNothingToSearch},
		{"*", Phrase{}, ErrNothingToSearch},
	}
	for _, tt := range tests {
		got, err := PhraseOf(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("PhraseOf(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Phrase{})); diff != "" {
			t.Errorf("PhraseOf(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestSegment(t *testing.T) {
	a := testAnalyzer(t)
	text := "坚决反对形式主义、官僚主义，2023年落实一岗双责"
	var got []string
	for _, tk := range a.Segment(text) {
		got = append(got, text[tk.Start:tk.End])
	}
	want := []string{"坚决", "反对", "形式主义", "、", "官僚主义", "，", "2023年", "落实", "一岗双责"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Segment (-want +got):\n%s", diff)
	}
}
