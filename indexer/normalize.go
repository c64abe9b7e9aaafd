package indexer

//go:generate go run ./internal/t2sgen t2s_table.go

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Normalized is a text after normalisation: one normalised rune for every rune
// of the original (an invalid UTF-8 byte counts as one rune and becomes
// U+FFFD), with the byte offset in the original where each rune starts.
// Because the correspondence is one-to-one, any span of normalised runes maps
// back to an exact span of the original bytes.
type Normalized struct {
	// Runes holds the normalised runes.
	Runes []rune
	// Offsets holds len(Runes)+1 byte offsets into the original text: rune i
	// came from original[Offsets[i]:Offsets[i+1]].
	Offsets []int
}

// String returns the normalised text.
func (n Normalized) String() string { return string(n.Runes) }

// Normalize folds text for matching: full-width ASCII, digits and punctuation
// to half-width, compatibility ideographs and Kangxi radicals to unified
// ideographs, traditional characters to simplified (OpenCC's t2s character
// table), Latin to lower case, every kind of space and control character to a
// plain space, and invalid UTF-8 to U+FFFD. It never fails and never changes
// the number of runes, so offsets stay exact.
func Normalize(text string) Normalized {
	runes := utf8.RuneCountInString(text)
	n := Normalized{
		Runes:   make([]rune, 0, runes),
		Offsets: make([]int, 0, runes+1),
	}
	normalizeInto(&n, text)
	return n
}

// normalizeInto is Normalize into n's slices, reused.
func normalizeInto(n *Normalized, text string) {
	n.Runes, n.Offsets = n.Runes[:0], n.Offsets[:0]
	tab := foldTable()
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		n.Offsets = append(n.Offsets, i)
		n.Runes = append(n.Runes, foldRune(tab, r))
		i += size
	}
	n.Offsets = append(n.Offsets, len(text))
}

// NormalizeString returns the normalised form of text as a string.
func NormalizeString(text string) string { return foldString(text) }

// foldString is NormalizeString without offsets; it returns text itself,
// without allocating, when normalisation changes nothing.
func foldString(text string) string {
	tab := foldTable()
	for i, r := range text {
		if f := foldRune(tab, r); f != r || r == utf8.RuneError {
			b := make([]rune, 0, len(text))
			b = append(b, []rune(text[:i])...)
			for _, r := range text[i:] {
				b = append(b, foldRune(tab, r))
			}
			return string(b)
		}
	}
	return text
}

// foldTable returns the dense fold table for the Basic Multilingual Plane,
// built once per process. It is read-only after construction.
var foldTable = sync.OnceValue(buildFoldTable)

// supplementaryT2S maps traditional characters outside the BMP, built once.
var supplementaryT2S = sync.OnceValue(func() map[rune]rune {
	m := make(map[rune]rune)
	for _, p := range t2sPairs {
		if p[0] > 0xFFFF {
			m[p[0]] = p[1]
		}
	}
	return m
})

func foldRune(tab *[0x10000]rune, r rune) rune {
	if r < 0x10000 {
		return tab[r]
	}
	return foldSupplementary(r)
}

func foldSupplementary(r rune) rune {
	if r > unicode.MaxRune {
		return utf8.RuneError
	}
	// CJK compatibility ideographs supplement.
	if r >= 0x2F800 && r <= 0x2FA1F {
		if c, ok := singleNFKC(r); ok {
			r = c
		}
	}
	if s, ok := supplementaryT2S()[r]; ok {
		return s
	}
	return r
}

func buildFoldTable() *[0x10000]rune {
	t2s := make(map[rune]rune, len(t2sPairs))
	for _, p := range t2sPairs {
		t2s[p[0]] = p[1]
	}
	var tab [0x10000]rune
	for i := range tab {
		tab[i] = foldOne(rune(i), t2s)
	}
	// OpenCC's table is applied once; make the whole fold idempotent so that
	// normalising normalised text (a query built from a snippet, say) is a
	// no-op.
	for i := range tab {
		r := tab[i]
		for k := 0; k < 4 && r < 0x10000 && tab[r] != r; k++ {
			r = tab[r]
		}
		tab[i] = r
	}
	return &tab
}

func foldOne(r rune, t2s map[rune]rune) rune {
	switch {
	case r >= 0xD800 && r <= 0xDFFF:
		return utf8.RuneError
	case r == '\uFEFF', r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060':
		// BOM and zero-width characters: invisible, so treat as space.
		return ' '
	case unicode.IsSpace(r), unicode.IsControl(r):
		return ' '
	}
	if p := width.LookupRune(r); p.Kind() == width.EastAsianFullwidth || p.Kind() == width.EastAsianHalfwidth {
		if f := p.Folded(); f != 0 {
			r = f
		}
	}
	// Kangxi radicals, CJK radicals supplement and compatibility ideographs
	// come out of PDF text layers in place of ordinary characters.
	if (r >= 0x2E80 && r <= 0x2FDF) || (r >= 0xF900 && r <= 0xFAFF) {
		if c, ok := singleNFKC(r); ok {
			r = c
		}
	}
	if s, ok := t2s[r]; ok {
		r = s
	}
	if unicode.IsUpper(r) || unicode.IsTitle(r) {
		r = unicode.ToLower(r)
	}
	if unicode.IsSpace(r) {
		return ' '
	}
	return r
}

// singleNFKC returns the NFKC form of r when it is a single rune.
func singleNFKC(r rune) (rune, bool) {
	s := norm.NFKC.String(string(r))
	c, size := utf8.DecodeRuneInString(s)
	if size != len(s) || c == utf8.RuneError {
		return r, false
	}
	return c, true
}
