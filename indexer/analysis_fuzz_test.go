package indexer

import (
	"testing"
	"unicode/utf8"
)

// runeStarts returns the set of byte offsets where a rune (or an invalid
// byte) of s starts, plus len(s).
func runeStarts(s string) map[int]bool {
	m := make(map[int]bool, len(s)+1)
	for i := 0; i < len(s); {
		m[i] = true
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	m[len(s)] = true
	return m
}

var fuzzSeeds = []string{
	"人民法院审理，人民法院判决",
	"PD1728_A_1号文件2023年",
	"ＧＢ／Ｔ　７７１４－２０１５规定",
	"監察機關依法獨立行使監察權",
	"*区_总书记强调，坚决反对形式主义、官僚主义",
	"a\xffb\xc0\x80\xed\xa0\x80c",
	"\x00\x00第一条\r\n为了",
	"⼀⼆⼈\uF900\U0002F800",
	"",
	"...---///___",
	"1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3.4.5",
}

// FuzzAnalyze checks every representation on arbitrary input: no panic,
// offsets inside the text and on rune boundaries, start before end, and
// starts and positions never decreasing, indexed terms no longer than
// MaxWordRunes (Segment, a display partition, keeps long runs whole).
func FuzzAnalyze(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	a := testAnalyzer(f)
	f.Fuzz(func(t *testing.T, s string) {
		starts := runeStarts(s)
		for name, ts := range map[string][]Token{
			"bigrams":  Bigrams(s),
			"unigrams": Unigrams(s),
			"index":    a.Words(s, IndexMode),
			"query":    a.Words(s, QueryMode),
			"segment":  a.Segment(s),
		} {
			prevStart, prevPos := 0, 0
			for i, tk := range ts {
				if tk.Start < 0 || tk.End > len(s) || tk.Start >= tk.End {
					t.Fatalf("%s token %d %+v: offsets outside [0,%d] or empty", name, i, tk, len(s))
				}
				if !starts[tk.Start] || !starts[tk.End] {
					t.Fatalf("%s token %d %+v: offsets not on rune boundaries", name, i, tk)
				}
				if tk.Start < prevStart || tk.Position < prevPos {
					t.Fatalf("%s token %d %+v: start or position decreased (previous %d, %d)", name, i, tk, prevStart, prevPos)
				}
				if tk.Position < 1 || tk.Term == "" || !utf8.ValidString(tk.Term) {
					t.Fatalf("%s token %d %+v: bad position or term", name, i, tk)
				}
				if name != "segment" && utf8.RuneCountInString(tk.Term) > MaxWordRunes {
					t.Fatalf("%s token %d: term of %d runes exceeds the cap", name, i, utf8.RuneCountInString(tk.Term))
				}
				prevStart, prevPos = tk.Start, tk.Position
			}
		}
	})
}

// FuzzPhraseOf checks that a phrase either has something to search or says
// so, and that its bigram chain has one term per adjacent pair of units.
func FuzzPhraseOf(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := PhraseOf(s)
		if err != nil {
			return
		}
		n := Normalize(s)
		u := units(&n)
		if p.Unigram != "" {
			if len(u) != 1 || len(p.Bigrams) != 0 {
				t.Fatalf("unigram phrase for %d units", len(u))
			}
			return
		}
		if len(p.Bigrams) != len(u)-1 {
			t.Fatalf("%d bigrams for %d units", len(p.Bigrams), len(u))
		}
	})
}
