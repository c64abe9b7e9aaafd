package indexer

import (
	"html"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// SnippetRunes is the length of a snippet, in characters.
const SnippetRunes = 120

// Highlight returns the spans of text (byte offsets into text) where any of
// terms occurs, matched as phrase queries match: after normalisation (width,
// script, case) and ignoring spaces. Overlapping and adjacent spans merge.
func Highlight(text string, terms []string) []Span {
	if text == "" || len(terms) == 0 {
		return nil
	}
	// The text's normalised runes, offsets and units are scratch, kept
	// for the next hit: they were a tenth of what the server allocated
	// under the HTTP benchmark.
	sc := highlightScratch.Get().(*highlightBuf)
	defer highlightScratch.Put(sc)
	normalizeInto(&sc.n, text)
	n := &sc.n
	u := sc.u[:0]
	for i, r := range n.Runes {
		if r != ' ' {
			u = append(u, i)
		}
	}
	sc.u = u
	hay := sc.hay[:0]
	for _, i := range u {
		hay = append(hay, n.Runes[i])
	}
	sc.hay = hay
	var spans []Span
	for _, t := range terms {
		tn := Normalize(t)
		var needle []rune
		for _, r := range tn.Runes {
			if r != ' ' {
				needle = append(needle, r)
			}
		}
		if len(needle) == 0 || len(needle) > len(hay) {
			continue
		}
		for i := 0; i+len(needle) <= len(hay); i++ {
			if runesEqual(hay[i:i+len(needle)], needle) {
				first, last := u[i], u[i+len(needle)-1]
				spans = append(spans, Span{Start: n.Offsets[first], End: n.Offsets[last+1]})
			}
		}
	}
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].Start < spans[b].Start })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

type highlightBuf struct {
	n   Normalized
	u   []int
	hay []rune
}

var highlightScratch = sync.Pool{New: func() any { return new(highlightBuf) }}

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Snippet returns about maxRunes characters of text around its first
// highlight, HTML-escaped, each highlight inside <mark>…</mark>, with … where
// text was cut. Text and highlights can never inject markup: everything but
// the <mark> tags is escaped.
func Snippet(text string, spans []Span, maxRunes int) string {
	total := utf8.RuneCountInString(text)
	start, end := 0, len(text)
	if total > maxRunes {
		center := 0
		if len(spans) > 0 {
			center = spans[0].Start
		}
		// Start about a third of the window before the first match.
		startRune := max(0, utf8.RuneCountInString(text[:center])-maxRunes/3)
		startRune = min(startRune, total-maxRunes)
		start = byteOffsetOfRune(text, startRune)
		end = byteOffsetOfRune(text, startRune+maxRunes)
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, s := range spans {
		if s.End <= start || s.Start >= end {
			continue
		}
		s.Start, s.End = max(s.Start, start), min(s.End, end)
		b.WriteString(html.EscapeString(strings.ToValidUTF8(text[pos:s.Start], "\uFFFD")))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(strings.ToValidUTF8(text[s.Start:s.End], "\uFFFD")))
		b.WriteString("</mark>")
		pos = s.End
	}
	b.WriteString(html.EscapeString(strings.ToValidUTF8(text[pos:end], "\uFFFD")))
	if end < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

func byteOffsetOfRune(s string, n int) int {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}
