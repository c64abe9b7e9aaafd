package indexer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/go-ego/gse/hmm"
	"github.com/vcaesar/cedar"
)

// baseDictionary is gse's simplified Chinese dictionary (data/dict/zh/s_1.txt
// of github.com/go-ego/gse v0.80.3, itself derived from jieba), gzipped. gse
// embeds it too, but unexported and behind a slow fmt.Fscanln parser.
//
//go:embed dict/gse_zh_s.txt.gz
var baseDictionary []byte

// loadHMM loads gse's HMM emission model into gse's package variables. It
// must run exactly once, before any cut: gse's Segmenter.Init would reload it
// on every new segmenter, writing maps that concurrent cuts are reading.
var loadHMM = sync.OnceFunc(func() { hmm.LoadModel() })

// SegmenterOptions configures NewSegmenter.
type SegmenterOptions struct {
	// Lexicons are applied in order over gse's base dictionary: the domain
	// lexicon first, then any user dictionaries. Nil means the embedded
	// domain lexicon alone.
	Lexicons []*Lexicon
	// NoDomainLexicon leaves out the embedded domain lexicon when Lexicons is
	// nil (for measuring what the lexicon contributes).
	NoDomainLexicon bool
	// NoHMM turns off gse's HMM for runs of characters the dictionary does
	// not know.
	NoHMM bool
}

// Segmenter cuts runs of Han characters into words: gse's dictionary (every
// word normalised like the text it will meet), jieba's maximum-probability
// route over the dictionary DAG, and gse's HMM for unknown runs. It is
// immutable once built and safe for concurrent use; a dictionary change means
// building a new Segmenter and swapping it in.
type Segmenter struct {
	// trie is gse's double-array trie of the words, as gse's Dictionary
	// builds it; a word's value indexes freqs. gse's Dictionary also
	// keeps a Token per word (its text as a slice of byte slices): about
	// 55 MiB of pointers that the garbage collector scanned on every cycle,
	// most of a cycle's 45 ms under the HTTP benchmark. The trie's arrays
	// hold no pointers.
	trie  *cedar.Cedar
	freqs []float64
	// logProbs[v] is math.Log(freqs[v]) - logTotal, as Cut adds it up
	// (computed once: the logarithm took 8% of a cut).
	logProbs []float64
	logTotal float64
	// first[r-firstHan] is the trie node of the CJK Unified Ideograph r
	// from the root, -1 if no word starts with it: every position of a run
	// starts with that step, and the table saves a third of the trie's
	// work.
	first   []int32
	hmm     bool
	version string
	words   int
}

// The CJK Unified Ideographs, the block Segmenter.first covers.
const (
	firstHan = 0x4E00
	lastHan  = 0x9FFF
)

// RuneSpan is a half-open range [Start, End) of rune indices.
type RuneSpan struct{ Start, End int }

// NewSegmenter builds a segmenter. Building takes a few hundred milliseconds
// and about 100 MiB; share one per process. It returns an error if ctx is
// cancelled or the embedded base dictionary cannot be read.
func NewSegmenter(ctx context.Context, opts SegmenterOptions) (*Segmenter, error) {
	loadHMM()
	lexicons := opts.Lexicons
	if lexicons == nil && !opts.NoDomainLexicon {
		d, err := DomainLexicon()
		if err != nil {
			return nil, fmt.Errorf("new segmenter: %w", err)
		}
		lexicons = []*Lexicon{d}
	}
	entries, err := readBaseDictionary(ctx)
	if err != nil {
		return nil, fmt.Errorf("new segmenter: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "base:gse-v0.80.3-s_1;hmm:%v", !opts.NoHMM)
	names := []string{"gse"}
	for _, lex := range lexicons {
		entries.apply(lex)
		fmt.Fprintf(h, ";%s@%s", lex.Name, lex.Version)
		names = append(names, lex.Name+"@"+lex.Version)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("new segmenter: %w", err)
	}
	var g gse.Segmenter
	g.SkipLog, g.NotLoadHMM = true, true
	// As gse's Dictionary.AddToken adds them: the word's key as gse
	// splits and joins it, the first of equal keys kept.
	trie := cedar.New()
	freqs := make([]float64, 0, len(entries.list))
	var total float64
	for i := range entries.list {
		e := &entries.list[i]
		if e.freq <= 0 {
			continue
		}
		tok := g.ToToken(e.word, e.freq, e.pos)
		key := []byte(tok.Text())
		if v, err := trie.Get(key); err == nil || v > 0 {
			continue
		}
		if err := trie.Insert(key, len(freqs)); err != nil {
			return nil, fmt.Errorf("new segmenter: add %q: %w", e.word, err)
		}
		freqs = append(freqs, tok.Freq())
		total += tok.Freq()
	}
	s := &Segmenter{
		trie:     trie,
		freqs:    freqs,
		logTotal: math.Log(total),
		hmm:      !opts.NoHMM,
		words:    len(freqs),
	}
	s.logProbs = make([]float64, len(freqs))
	for v, f := range freqs {
		s.logProbs[v] = math.Log(f) - s.logTotal
	}
	s.first = make([]int32, lastHan-firstHan+1)
	var rb [utf8.UTFMax]byte
	for r := rune(firstHan); r <= lastHan; r++ {
		id, err := trie.Jump(rb[:utf8.EncodeRune(rb[:], r)], 0)
		if err != nil {
			id = -1
		}
		s.first[r-firstHan] = int32(id)
	}
	s.version = strings.Join(names, ",") + "#" + hex.EncodeToString(h.Sum(nil))[:12]
	return s, nil
}

// Version identifies the dictionaries and settings the segmenter was built
// from. An index records it; a different version means the index was cut
// differently from the queries that will meet it.
func (s *Segmenter) Version() string { return s.version }

// Words returns the number of words in the dictionary.
func (s *Segmenter) Words() int { return s.words }

// Freq returns the dictionary frequency of a normalised word, 0 if unknown.
func (s *Segmenter) Freq(word string) float64 {
	id, err := s.trie.Jump([]byte(word), 0)
	if err != nil {
		return 0
	}
	return s.freqAt(id)
}

// freqAt is the frequency of the word that ends at trie node id, 0 if none
// does (the node is a prefix of words only).
func (s *Segmenter) freqAt(id int) float64 {
	v, err := s.trie.Value(id)
	if err != nil || v < 0 || v >= len(s.freqs) {
		return 0
	}
	return s.freqs[v]
}

// Cut appends to dst the words of run, a sequence of normalised Han runes,
// as spans that cover run exactly, in order.
func (s *Segmenter) Cut(run []rune, dst []RuneSpan) []RuneSpan {
	n := len(run)
	if n == 0 {
		return dst
	}
	if n == 1 {
		return append(dst, RuneSpan{0, 1})
	}
	// jieba's route: best[i] is the log probability of the best cut of
	// run[i:], next[i] the end of its first word. Most runs are short
	// enough for arrays on the stack.
	var bestArr [cutOnStack]float64
	var nextArr [cutOnStack]int
	var best []float64
	var next []int
	if n < cutOnStack {
		best, next = bestArr[:n+1], nextArr[:n+1]
	} else {
		best, next = make([]float64, n+1), make([]int, n+1)
	}
	var rb [utf8.UTFMax]byte
	for i := n - 1; i >= 0; i-- {
		best[i], next[i] = math.Inf(-1), i+1
		found := false
		// Each longer candidate goes one character further down the
		// trie from the last, rather than from its root.
		node := 0
		for j := i + 1; j <= n && j-i <= MaxWordRunes; j++ {
			id, ok := s.step(node, run[j-1], &rb)
			if !ok {
				break // no word starts with run[i:j]
			}
			node = id
			lp, ok := s.logProbAt(id)
			if !ok {
				continue
			}
			found = true
			if p := lp + best[j]; p >= best[i] {
				best[i], next[i] = p, j
			}
		}
		if !found {
			best[i], next[i] = -s.logTotal+best[i+1], i+1
		}
	}

	// Runs of single characters are handed to the HMM unless they form a
	// dictionary word, as gse and jieba do.
	pending := -1
	flush := func(end int) {
		if pending < 0 {
			return
		}
		start := pending
		pending = -1
		if end-start == 1 || !s.hmm || s.isWord(run[start:end]) {
			for k := start; k < end; k++ {
				dst = append(dst, RuneSpan{k, k + 1})
			}
			return
		}
		dst = appendHMM(dst, run, start, end)
	}
	for i := 0; i < n; {
		j := next[i]
		if j-i == 1 {
			if pending < 0 {
				pending = i
			}
		} else {
			flush(i)
			dst = append(dst, RuneSpan{i, j})
		}
		i = j
	}
	flush(n)
	return dst
}

// cutOnStack is the longest run, less one, whose route Cut keeps on the
// stack.
const cutOnStack = 64

// step follows r from trie node node: the node reached, or false if no word
// continues that way. From the root, a CJK Unified Ideograph is looked up in
// s.first.
func (s *Segmenter) step(node int, r rune, rb *[utf8.UTFMax]byte) (int, bool) {
	if node == 0 && r >= firstHan && r < firstHan+rune(len(s.first)) {
		id := s.first[r-firstHan]
		return int(id), id >= 0
	}
	id, err := s.trie.Jump(rb[:utf8.EncodeRune(rb[:], r)], node)
	return id, err == nil
}

// isWord reports whether run is a dictionary word.
func (s *Segmenter) isWord(run []rune) bool {
	var rb [utf8.UTFMax]byte
	node := 0
	for _, r := range run {
		id, ok := s.step(node, r, &rb)
		if !ok {
			return false
		}
		node = id
	}
	_, ok := s.logProbAt(node)
	return ok
}

// logProbAt is the log probability, log(freq/total), of the word that ends
// at trie node id, or false if none does.
func (s *Segmenter) logProbAt(id int) (float64, bool) {
	v, err := s.trie.Value(id)
	if err != nil || v < 0 || v >= len(s.logProbs) {
		return 0, false
	}
	return s.logProbs[v], true
}

// appendHMM cuts run[start:end] with gse's HMM and appends the pieces,
// falling back to single characters should the pieces not cover the run.
func appendHMM(dst []RuneSpan, run []rune, start, end int) []RuneSpan {
	pieces := hmm.Cut(string(run[start:end]))
	mark := len(dst)
	k := start
	for _, p := range pieces {
		l := utf8.RuneCountInString(p)
		if l == 0 || k+l > end || p != string(run[k:k+l]) {
			dst = dst[:mark]
			for k := start; k < end; k++ {
				dst = append(dst, RuneSpan{k, k + 1})
			}
			return dst
		}
		dst = append(dst, RuneSpan{k, k + l})
		k += l
	}
	if k != end {
		dst = dst[:mark]
		for k := start; k < end; k++ {
			dst = append(dst, RuneSpan{k, k + 1})
		}
	}
	return dst
}

// SubWords appends the dictionary words strictly inside run[w.Start:w.End]
// (search-engine mode: 中华人民共和国 → 中华, 华人, 人民, 共和, 共和国, …).
func (s *Segmenter) SubWords(run []rune, w RuneSpan, dst []RuneSpan) []RuneSpan {
	if w.End-w.Start <= 2 {
		return dst
	}
	var rb [utf8.UTFMax]byte
	for i := w.Start; i < w.End; i++ {
		node := 0
		for j := i; j < w.End; j++ {
			id, ok := s.step(node, run[j], &rb)
			if !ok {
				break // no word starts with run[i:j+1]
			}
			node = id
			if j == i || (i == w.Start && j == w.End-1) {
				continue
			}
			if s.freqAt(id) > 0 {
				dst = append(dst, RuneSpan{i, j + 1})
			}
		}
	}
	return dst
}

// dictEntries is the dictionary being assembled: words in first-seen order,
// merged by normalised form.
type dictEntries struct {
	list  []dictEntry
	index map[string]int
	total float64
}

type dictEntry struct {
	word string
	freq float64
	pos  string
}

func readBaseDictionary(ctx context.Context) (*dictEntries, error) {
	zr, err := gzip.NewReader(bytes.NewReader(baseDictionary))
	if err != nil {
		return nil, fmt.Errorf("read base dictionary: %w", err)
	}
	d := &dictEntries{index: make(map[string]int, 360_000), list: make([]dictEntry, 0, 360_000)}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		if line%50_000 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		word, rest, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		freqText, pos, _ := strings.Cut(rest, " ")
		freq, err := strconv.ParseFloat(freqText, 64)
		if err != nil || freq < 2 {
			// gse skips words rarer than 2 (MinTokenFreq); so do we.
			continue
		}
		d.add(foldString(word), freq, strings.TrimSpace(pos))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read base dictionary line %d: %w", line, err)
	}
	return d, nil
}

func (d *dictEntries) add(word string, freq float64, pos string) {
	if word == "" || strings.ContainsRune(word, ' ') {
		return
	}
	if i, ok := d.index[word]; ok {
		d.list[i].freq += freq
	} else {
		d.index[word] = len(d.list)
		d.list = append(d.list, dictEntry{word, freq, pos})
	}
	d.total += freq
}

// apply merges a lexicon. A word without a frequency gets the one jieba's
// suggest_freq would give it: just enough to beat the best cut of the word
// into words already known.
func (d *dictEntries) apply(lex *Lexicon) {
	for _, e := range lex.Entries {
		w := foldString(e.Word)
		if w == "" || strings.ContainsRune(w, ' ') {
			continue
		}
		if e.Remove {
			if i, ok := d.index[w]; ok {
				d.total -= d.list[i].freq
				d.list[i].freq = 0 // left out when the dictionary is built
			}
			continue
		}
		freq := e.Freq
		if freq == 0 {
			freq = d.suggest(w)
		}
		if i, ok := d.index[w]; ok {
			old := d.list[i].freq
			if freq > old || (old == 0 && freq > 0) {
				d.list[i].freq = freq
				d.total += freq - old
			}
			if e.POS != "" {
				d.list[i].pos = e.POS
			}
			continue
		}
		d.add(w, freq, e.POS)
	}
}

// suggest returns a frequency that makes w win over its best split.
func (d *dictEntries) suggest(w string) float64 {
	r := []rune(w)
	n := len(r)
	if n < 2 || d.total == 0 {
		return 2
	}
	// best[i]: highest probability of a cut of r[i:] into known words
	// (unknown single characters count as frequency 1).
	best := make([]float64, n+1)
	best[n] = 1
	for i := n - 1; i >= 0; i-- {
		best[i] = best[i+1] / d.total
		for j := i + 1; j <= n; j++ {
			if j-i == n {
				continue // the whole word is not its own split
			}
			if k, ok := d.index[string(r[i:j])]; ok {
				if p := d.list[k].freq / d.total * best[j]; p > best[i] {
					best[i] = p
				}
			}
		}
	}
	return math.Floor(best[0]*d.total) + 1
}
