package indexer

import (
	"errors"
	"unicode"
	"unicode/utf8"

	index "github.com/blevesearch/bleve_index_api"
)

// Token is one term of an analysed text.
type Token struct {
	// Term is the normalised term.
	Term string
	// Start and End are byte offsets into the original text: the token came
	// from original[Start:End].
	Start, End int
	// Position is the 1-based index of the token's first unit. Units are the
	// non-space characters of the text, so positions of the character
	// representation are consecutive exactly where the text is.
	Position int
}

// Mode selects how much the word representation emits.
type Mode int

const (
	// QueryMode emits the words of the best cut only: what a query means.
	QueryMode Mode = iota
	// IndexMode adds every dictionary word inside a longer word, and the parts
	// of codes and numbers, so that queries cut more finely still meet words.
	IndexMode
)

// ErrNothingToSearch is returned for a query that has no searchable
// character: only spaces and punctuation, say.
var ErrNothingToSearch = errors.New("nothing to search: the query has no letters, digits or Chinese characters")

// Analyzer turns text into the terms of xuncha's three representations:
//
//   - characters: a bigram of every two adjacent units (non-space
//     characters, punctuation included), positioned by unit, so a phrase of
//     bigrams matches exactly the texts that contain it as a substring;
//   - a unigram of the last unit, if it is a letter, digit or Chinese
//     character: with the bigrams, whose first units are all the others,
//     it finds every passage holding a character (charquery.go);
//   - words: gse's dictionary words (plus their sub-words when indexing),
//     Latin words, numbers and codes kept whole, for ranking.
//
// An Analyzer is immutable and safe for concurrent use. A dictionary change
// builds a new Analyzer around a new Segmenter.
type Analyzer struct {
	seg *Segmenter
}

// NewAnalyzer returns an Analyzer that segments words with seg.
func NewAnalyzer(seg *Segmenter) *Analyzer { return &Analyzer{seg: seg} }

// Segmenter returns the analyzer's segmenter.
func (a *Analyzer) Segmenter() *Segmenter { return a.seg }

// Version returns the version of the analysis: it changes whenever any
// dictionary or rule that affects the terms changes.
func (a *Analyzer) Version() string { return analysisRulesVersion + "/" + a.seg.Version() }

// analysisRulesVersion is bumped whenever normalisation or tokenisation rules
// change, or what a passage's document holds, so that an index built the
// old way is reported on open (and rebuilt from the store by serve).
// rules-2: titles indexed once per document (titles.go).
// rules-3: the unigram field holds a value's last unit only (charquery.go).
// rules-4: the keywords no facet counts are terms of one field (fieldMeta).
const analysisRulesVersion = "rules-4"

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// isWordRune reports whether r (normalised) can be searched on its own.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z'
	}
	return isHan(r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isAlnum reports whether r belongs in a Latin (or other alphabetic) word or
// a number: a letter that is not Chinese, or a digit.
func isAlnum(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z'
	}
	return !isHan(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

// units returns, for a normalised text, the rune index of every unit (every
// non-space rune).
func units(n *Normalized) []int {
	u := make([]int, 0, len(n.Runes))
	for i, r := range n.Runes {
		if r != ' ' {
			u = append(u, i)
		}
	}
	return u
}

// tokenBuf collects the tokens of one representation of one text, their
// terms packed into a single byte arena, so that indexing allocates a handful
// of slices per field instead of one string per token.
type tokenBuf struct {
	arena []byte
	toks  []bufToken
	// tfs is frequencies' scratch: the term of each token.
	tfs []*index.TokenFreq
}

type bufToken struct {
	a, b            int // term is arena[a:b]
	start, end, pos int
}

func newTokenBuf(runes int) *tokenBuf {
	return &tokenBuf{arena: make([]byte, 0, runes*4), toks: make([]bufToken, 0, runes)}
}

func (t *tokenBuf) add2(r1, r2 rune, start, end, pos int) {
	a := len(t.arena)
	t.arena = utf8.AppendRune(t.arena, r1)
	t.arena = utf8.AppendRune(t.arena, r2)
	t.toks = append(t.toks, bufToken{a, len(t.arena), start, end, pos})
}

func (t *tokenBuf) add1(r rune, start, end, pos int) {
	a := len(t.arena)
	t.arena = utf8.AppendRune(t.arena, r)
	t.toks = append(t.toks, bufToken{a, len(t.arena), start, end, pos})
}

func (t *tokenBuf) addRunes(rs []rune, start, end, pos int) {
	a := len(t.arena)
	for _, r := range rs {
		t.arena = utf8.AppendRune(t.arena, r)
	}
	t.toks = append(t.toks, bufToken{a, len(t.arena), start, end, pos})
}

// tokens returns the collected tokens with string terms.
func (t *tokenBuf) tokens() []Token {
	out := make([]Token, len(t.toks))
	for i, k := range t.toks {
		out[i] = Token{Term: string(t.arena[k.a:k.b]), Start: k.start, End: k.end, Position: k.pos}
	}
	return out
}

// Bigrams returns the character representation of text: one token for every
// two adjacent units, at the position of the first.
func Bigrams(text string) []Token {
	n := Normalize(text)
	buf := newTokenBuf(len(n.Runes))
	bigrams(&n, units(&n), buf)
	return buf.tokens()
}

func bigrams(n *Normalized, u []int, buf *tokenBuf) {
	for k := 0; k+1 < len(u); k++ {
		i, j := u[k], u[k+1]
		buf.add2(n.Runes[i], n.Runes[j], n.Offsets[i], n.Offsets[j+1], k+1)
	}
}

// Unigrams returns one token for every letter, digit and Chinese character
// of text, positioned like Bigrams: the characters a one-character query
// finds text by (the index holds the last one only, see charquery.go).
func Unigrams(text string) []Token {
	n := Normalize(text)
	buf := newTokenBuf(len(n.Runes))
	unigrams(&n, units(&n), buf)
	return buf.tokens()
}

// lastUnigram adds the unigram of the last unit of n, if it is a letter,
// digit or Chinese character: the one unit that begins no bigram. It is what
// the unigram fields index (charquery.go).
func lastUnigram(n *Normalized, u []int, buf *tokenBuf) {
	if len(u) == 0 {
		return
	}
	i := u[len(u)-1]
	if r := n.Runes[i]; isWordRune(r) {
		buf.add1(r, n.Offsets[i], n.Offsets[i+1], len(u))
	}
}

func unigrams(n *Normalized, u []int, buf *tokenBuf) {
	for k, i := range u {
		if r := n.Runes[i]; isWordRune(r) {
			buf.add1(r, n.Offsets[i], n.Offsets[i+1], k+1)
		}
	}
}

// Phrase is the character-representation form of a phrase query: either a
// single unigram (a one-character query) or a chain of bigrams that must
// stand at consecutive positions.
type Phrase struct {
	// Unigram is set for a one-character phrase.
	Unigram string
	// Bigrams are the terms of a longer phrase, in order.
	Bigrams []string
}

// PhraseOf returns the terms that find exactly the passages containing text
// (after normalisation, ignoring spaces) as a substring. It returns
// ErrNothingToSearch when text has no letter, digit or Chinese character.
func PhraseOf(text string) (Phrase, error) {
	n := Normalize(text)
	u := units(&n)
	searchable := false
	for _, i := range u {
		if isWordRune(n.Runes[i]) {
			searchable = true
			break
		}
	}
	if !searchable {
		return Phrase{}, ErrNothingToSearch
	}
	if len(u) == 1 {
		return Phrase{Unigram: string(n.Runes[u[0]])}, nil
	}
	buf := newTokenBuf(len(u))
	bigrams(&n, u, buf)
	p := Phrase{Bigrams: make([]string, len(buf.toks))}
	for i, t := range buf.toks {
		p.Bigrams[i] = string(buf.arena[t.a:t.b])
	}
	return p, nil
}

// numberSuffixes are the characters that, right after a number, make one word
// with it: 2023年, 12月, 第3条 → 3条, 50万元 → 50万.
const numberSuffixes = "年月日号时分秒条款项章节编届次个名人件元万亿岁周天期批轮"

// Words returns the word representation of text.
func (a *Analyzer) Words(text string, mode Mode) []Token {
	n := Normalize(text)
	buf := newTokenBuf(len(n.Runes))
	a.words(&n, mode, buf)
	return buf.tokens()
}

func (a *Analyzer) words(n *Normalized, mode Mode, buf *tokenBuf) {
	rs := n.Runes
	// unitPos[i] is the 1-based position of rune i (spaces take none).
	unitPos := make([]int, len(rs))
	p := 0
	for i, r := range rs {
		if r != ' ' {
			p++
		}
		unitPos[i] = p
	}
	emit := func(start, end int) {
		if end-start > MaxWordRunes {
			return
		}
		buf.addRunes(rs[start:end], n.Offsets[start], n.Offsets[end], unitPos[start])
	}
	var spans, subs []RuneSpan
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isHan(r):
			j := i + 1
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			run := rs[i:j]
			spans = a.seg.Cut(run, spans[:0])
			for _, s := range spans {
				emit(i+s.Start, i+s.End)
				if mode == IndexMode {
					subs = a.seg.SubWords(run, s, subs[:0])
					for _, w := range subs {
						emit(i+w.Start, i+w.End)
					}
				}
			}
			i = j
		case isAlnum(r):
			j := alnumEnd(rs, i)
			emit(i, j)
			// 2023年, 3条: a number and its unit make one word too.
			if j < len(rs) && allDigits(rs[i:j]) && containsRune(numberSuffixes, rs[j]) {
				emit(i, j+1)
			}
			// GB/T 7714, ISO 9001: a code of letters and the number after it.
			if j+1 < len(rs) && rs[j] == ' ' && isASCIILetters(rs[i:j]) && rs[j+1] >= '0' && rs[j+1] <= '9' {
				k := alnumEnd(rs, j+1)
				if allDigitsOrConnectors(rs[j+1 : k]) {
					emit(i, k)
				}
			}
			if mode == IndexMode {
				emitParts(rs, i, j, emit)
			}
			i = j
		default:
			i++
		}
	}
}

// alnumEnd returns the end of the alphanumeric run starting at i, with the
// connectors _ - . / kept inside it when they stand between two alphanumeric
// characters (PD1728_A_1, GB/T, 3.14, COVID-19).
func alnumEnd(rs []rune, i int) int {
	j := i + 1
	for j < len(rs) {
		switch {
		case isAlnum(rs[j]):
			j++
		case isConnector(rs[j]) && j+1 < len(rs) && isAlnum(rs[j+1]):
			j += 2
		default:
			return j
		}
	}
	return j
}

func isConnector(r rune) bool { return r == '_' || r == '-' || r == '.' || r == '/' }

// emitParts emits the pieces of a run between its connectors, when it has any.
func emitParts(rs []rune, i, j int, emit func(start, end int)) {
	start := i
	split := false
	for k := i; k < j; k++ {
		if isConnector(rs[k]) {
			emit(start, k)
			start, split = k+1, true
		}
	}
	if split {
		emit(start, j)
	}
}

func allDigits(rs []rune) bool {
	for _, r := range rs {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(rs) > 0
}

func allDigitsOrConnectors(rs []rune) bool {
	for _, r := range rs {
		if (r < '0' || r > '9') && !isConnector(r) {
			return false
		}
	}
	return len(rs) > 0
}

func isASCIILetters(rs []rune) bool {
	letters := 0
	for _, r := range rs {
		switch {
		case r >= 'a' && r <= 'z':
			letters++
		case r == '/':
		default:
			return false
		}
	}
	return letters > 0
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// Segment returns the plain cut of text as a partition of its non-space
// characters: dictionary words, whole Latin words, numbers and codes (a number
// with its unit, 2023年, is one word), and every punctuation mark on its own.
// It is what a person reading the segmentation wants to see: `xuncha
// analyze` prints it, and segmentation accuracy is measured on it.
func (a *Analyzer) Segment(text string) []Token {
	n := Normalize(text)
	rs := n.Runes
	var toks []Token
	pos := 0
	emit := func(start, end int) {
		toks = append(toks, Token{Term: string(rs[start:end]), Start: n.Offsets[start], End: n.Offsets[end], Position: pos + 1})
		for k := start; k < end; k++ {
			if rs[k] != ' ' {
				pos++
			}
		}
	}
	var spans []RuneSpan
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == ' ':
			i++
		case isHan(r):
			j := i + 1
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			spans = a.seg.Cut(rs[i:j], spans[:0])
			for _, s := range spans {
				emit(i+s.Start, i+s.End)
			}
			i = j
		case isAlnum(r):
			j := alnumEnd(rs, i)
			if j < len(rs) && allDigits(rs[i:j]) && containsRune(numberSuffixes, rs[j]) {
				j++
			}
			emit(i, j)
			i = j
		default:
			emit(i, i+1)
			i++
		}
	}
	return toks
}
