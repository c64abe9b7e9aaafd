package indexer

import (
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/longbridgeapp/opencc"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full-width ASCII and digits", "ＧＢ／Ｔ　７７１４－２０１５", "gb/t 7714-2015"},
		{"full-width punctuation", "环境，保护；（一）！", "环境,保护;(一)!"},
		{"ideographic space and tabs", "第一条\u3000为了\t保护", "第一条 为了 保护"},
		{"traditional to simplified", "中華人民共和國監察法", "中华人民共和国监察法"},
		{"Latin lower-cased", "PD1728_A_1 CCDI", "pd1728_a_1 ccdi"},
		{"Kangxi radicals from PDF text", "\u2F00\u2F06\u2F08", "一二人"},
		{"compatibility ideograph", "\uF900", "岂"},
		{"BOM and zero-width", "\uFEFF形式\u200B主义", " 形式 主义"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"redaction marks kept", "*区_总书记", "*区_总书记"},
		{"simplified unchanged", "形式主义官僚主义层层加码", "形式主义官僚主义层层加码"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := Normalize(tt.in)
			if got := n.String(); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(n.Offsets) != len(n.Runes)+1 || n.Offsets[len(n.Runes)] != len(tt.in) {
				t.Fatalf("offsets %v do not cover %d bytes", n.Offsets, len(tt.in))
			}
			// Each normalised rune maps back to exactly one original rune
			// (or one invalid byte).
			for i := range n.Runes {
				orig := tt.in[n.Offsets[i]:n.Offsets[i+1]]
				if r, size := utf8.DecodeRuneInString(orig); size != len(orig) || (r == utf8.RuneError && size != 1) {
					t.Errorf("rune %d maps to %q, not one rune", i, orig)
				}
			}
			if again := NormalizeString(tt.want); again != tt.want {
				t.Errorf("not idempotent: Normalize(%q) = %q", tt.want, again)
			}
		})
	}
}

// TestT2STableMatchesOpenCC guards the generated table: it must be OpenCC's
// t2s conversion, character by character. After upgrading opencc, run
// `go generate ./indexer`.
func TestT2STableMatchesOpenCC(t *testing.T) {
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	if len(t2sPairs) < 2500 {
		t.Fatalf("t2s table has %d pairs; OpenCC's has about 4,000", len(t2sPairs))
	}
	for _, p := range t2sPairs {
		got, err := cc.Convert(string(p[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(p[1]) {
			t.Errorf("%c: table says %c, OpenCC %s", p[0], p[1], got)
		}
	}
	// And a sentence, through the normaliser.
	if diff := cmp.Diff("监察机关依法独立行使监察权", NormalizeString("監察機關依法獨立行使監察權")); diff != "" {
		t.Errorf("traditional sentence (-want +got):\n%s", diff)
	}
}

// TestFoldIsIdempotent checks every BMP code point: folding twice is folding once.
func TestFoldIsIdempotent(t *testing.T) {
	tab := foldTable()
	for r := rune(0); r < 0x10000; r++ {
		f := tab[r]
		if f < 0x10000 && tab[f] != f {
			t.Errorf("%U folds to %U which folds to %U", r, f, tab[f])
		}
	}
}
