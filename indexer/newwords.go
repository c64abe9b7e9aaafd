package indexer

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// NewWord is a term that occurs often in the corpus but that the segmenter
// splits: a candidate for the lexicon.
type NewWord struct {
	Word string `json:"word"`
	// Count is how often it occurs; Entropy the lower of the entropies of
	// the characters before and after it (high: it stands free in varied
	// contexts, as a word does).
	Count   int     `json:"count"`
	Entropy float64 `json:"entropy"`
	// Cut is how the segmenter cuts it now.
	Cut []string `json:"cut"`
}

// stopChars rarely begin or end a word: a candidate with one at an edge is
// a word plus a particle (的问题, 和解决).
var stopChars = "的了和是在对与及等为把被将并或也就都而之其中上下有以于由从向个这那"

// stopWords join the words of a phrase; a candidate holding one is a
// phrase, not a word.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("应当 可以 根据 按照 依照 依法 负责 及时 组织 建立 提出 责令 不予 有关 各级 应 不得 予以 进行 实施 规定 办法 本条 本法 其他 以及 或者 并且 但是 如果 对于 关于 通过 由于 因此 所以 已经 没有 不是 还是 就是 这个 那个 我们 他们 一个 必须 需要 要求") {
		stopWords[w] = true
	}
}

// NewWordFinder collects candidates from texts, then ranks them.
type NewWordFinder struct {
	a      *Analyzer
	counts map[string]int
	pieces map[string][]string // a candidate's words in the current cut
	words  map[string]int      // how often each word of the cut occurs
	total  int
	texts  []string
}

// NewNewWordFinder starts a finder using a's segmenter.
func NewNewWordFinder(a *Analyzer) *NewWordFinder {
	return &NewWordFinder{a: a, counts: map[string]int{}, pieces: map[string][]string{}, words: map[string]int{}}
}

// minCohesion is the least PMI (natural log) a candidate's words need: they
// occur together e^2 ≈ 7 times more often than by chance.
const minCohesion = 2.0

// maxFinderTexts bounds what a finder keeps for its second pass.
const maxFinderTexts = 400_000

// Add counts the candidates of one text: runs of two to four adjacent
// words of the segmenter's cut, three to eight characters long, none of
// them longer than two characters (a long word is a known word, not a
// piece of an unknown one).
func (f *NewWordFinder) Add(text string) {
	if len(f.texts) >= maxFinderTexts {
		return
	}
	f.texts = append(f.texts, text)
	for _, t := range f.a.Segment(text) {
		f.words[t.Term]++
		f.total++
	}
	f.runs(text, func(w string, _, _ int) { f.counts[w]++ })
}

// runs calls fn with each candidate of text and its byte offsets: two or
// three adjacent words of the segmenter's cut, three to six characters in
// all, at most one of them longer than two characters (an unknown word
// falls into short pieces; two long known words side by side are a phrase)
// and none a function word (应当, 可以 … join phrases, not words).
func (f *NewWordFinder) runs(text string, fn func(w string, start, end int)) {
	toks := f.a.Segment(text)
	for i := range toks {
		n, long := 0, 0
		var b strings.Builder
		for j := i; j < len(toks) && j < i+3; j++ {
			t := toks[j].Term
			k := utf8.RuneCountInString(t)
			if k > 2 {
				long++
			}
			if k > 4 || long > 1 || !isHanWord(t) || stopWords[t] || (j > i && toks[j].Start != toks[j-1].End) {
				break
			}
			b.WriteString(t)
			n += k
			if j > i && n >= 3 && n <= 6 {
				w := b.String()
				if _, ok := f.pieces[w]; !ok {
					var ps []string
					for _, p := range toks[i : j+1] {
						ps = append(ps, p.Term)
					}
					f.pieces[w] = ps
				}
				fn(w, toks[i].Start, toks[j].End)
			}
		}
	}
}

// cohesion is the pointwise mutual information of a candidate's words: how
// much more often they occur together than chance would have them.
func (f *NewWordFinder) cohesion(w string) float64 {
	pmi := math.Log(float64(f.counts[w]) / float64(f.total))
	for _, p := range f.pieces[w] {
		pmi -= math.Log(float64(max(f.words[p], 1)) / float64(f.total))
	}
	return pmi
}

// Top ranks the candidates seen at least minCount times by how free they
// stand (the entropy of their neighbours) and how often they occur, and
// returns the best n, longer candidates absorbing shorter ones they
// contain as often.
func (f *NewWordFinder) Top(ctx context.Context, n, minCount int) []NewWord {
	var cands []string
	for w, c := range f.counts {
		if c >= minCount && !strings.ContainsRune(stopChars, firstRune(w)) && !strings.ContainsRune(stopChars, lastRune(w)) && f.cohesion(w) >= minCohesion {
			cands = append(cands, w)
		}
	}
	// Drop a candidate inside a longer one that occurs (almost) as often.
	sort.Slice(cands, func(i, j int) bool { return len(cands[i]) > len(cands[j]) })
	var kept []string
	for _, w := range cands {
		absorbed := false
		for _, long := range kept {
			if strings.Contains(long, w) && float64(f.counts[long]) >= 0.8*float64(f.counts[w]) {
				absorbed = true
				break
			}
		}
		if !absorbed {
			kept = append(kept, w)
		}
		if len(kept) > 5000 {
			break
		}
	}
	// Second pass: the characters around each kept candidate.
	left := map[string]map[rune]int{}
	right := map[string]map[rune]int{}
	for _, w := range kept {
		left[w], right[w] = map[rune]int{}, map[rune]int{}
	}
	boundary := rune(0)
	for _, t := range f.texts {
		if ctx.Err() != nil {
			return nil
		}
		f.runs(t, func(w string, start, end int) {
			if l, ok := left[w]; ok {
				// A boundary (punctuation, the text's edge) is a free
				// neighbour: each counts as a different one.
				r, _ := utf8.DecodeLastRuneInString(t[:start])
				if !isHan(r) {
					boundary--
					r = boundary
				}
				l[r]++
				r, _ = utf8.DecodeRuneInString(t[end:])
				if !isHan(r) {
					boundary--
					r = boundary
				}
				right[w][r]++
			}
		})
	}
	var out []NewWord
	for _, w := range kept {
		e := math.Min(entropy(left[w]), entropy(right[w]))
		if e < 1.0 {
			continue // always in the same context: part of a longer phrase
		}
		var cut []string
		for _, t := range f.a.Segment(w) {
			cut = append(cut, t.Term)
		}
		out = append(out, NewWord{Word: w, Count: f.counts[w], Entropy: math.Round(e*100) / 100, Cut: cut})
	}
	sort.Slice(out, func(i, j int) bool {
		si, sj := float64(out[i].Count)*out[i].Entropy, float64(out[j].Count)*out[j].Entropy
		if si != sj {
			return si > sj
		}
		return out[i].Word < out[j].Word
	})
	return out[:min(n, len(out))]
}

func entropy(m map[rune]int) float64 {
	total := 0
	for _, c := range m {
		total += c
	}
	e := 0.0
	for _, c := range m {
		p := float64(c) / float64(total)
		e -= p * math.Log2(p)
	}
	return e
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
