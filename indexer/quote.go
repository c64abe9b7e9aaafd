package indexer

import (
	"context"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Quote check limits.
const (
	MinQuoteRunes   = 4
	MaxQuoteRunes   = 500
	quoteCandidates = 40
	quoteProbeTerms = 12
)

// QuoteDiff is one difference between a quotation and its source: the
// quotation's text and the source's text (at Start..End bytes of the
// passage), either of which may be empty (a character left out or added).
type QuoteDiff struct {
	Quote      string `json:"quote"`
	Source     string `json:"source"`
	Start, End int    `json:"-"`
}

// QuoteMatch is a passage that contains a quotation exactly or nearly.
type QuoteMatch struct {
	Hit
	// Similarity is 1 minus the edit distance between the quotation and
	// the best-matching stretch of the passage, over the quotation's
	// length, both counted in letters, digits and Chinese characters (so
	// punctuation and spaces never count as differences).
	Similarity float64
	// Exact is set when the passage contains the quotation as it was
	// given, punctuation included (after normalisation).
	Exact bool
	// Match is the matching stretch of the passage (bytes of Text).
	Match Span
	Diffs []QuoteDiff
}

// QuoteCheck finds the passages that contain quote exactly or nearly, best
// first: a remembered quotation with its punctuation changed, a character or
// two wrong or left out, or in traditional characters finds its source. It
// returns an error wrapping ErrRequest for a quotation of fewer than 4 or
// more than 500 letters, digits and Chinese characters.
func (ix *Index) QuoteCheck(ctx context.Context, quote string, n int) ([]QuoteMatch, error) {
	if n <= 0 || n > MaxSize {
		return nil, fmt.Errorf("%w: size must be between 1 and %d", ErrRequest, MaxSize)
	}
	if !utf8.ValidString(quote) {
		return nil, fmt.Errorf("%w: the quotation is not valid UTF-8 text", ErrRequest)
	}
	core := coreRunes(Normalize(quote))
	if len(core.runes) < MinQuoteRunes || len(core.runes) > MaxQuoteRunes {
		return nil, fmt.Errorf("%w: a quotation needs %d to %d letters or Chinese characters, not %d", ErrRequest, MinQuoteRunes, MaxQuoteRunes, len(core.runes))
	}
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	// Candidates: the quotation's words, scored by BM25 on the word field
	// (rare words weigh most, and a wrong character spoils only the words
	// it is in), with its rarest bigrams as a net for passages the words
	// miss. The bigram field keeps no frequencies, so those score nothing
	// and only fill the list.
	probe, err := rareBigrams(ctx, b, core.runes, quoteProbeTerms)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, w := range ix.analyzer.Load().Words(string(core.runes), QueryMode) {
		if seen[w.Term] || len(seen) >= MaxPrefixTerms {
			continue
		}
		seen[w.Term] = true
		tq := fieldTerm(fieldTextWord, w.Term)
		probe = append(probe, tq)
	}
	if len(probe) == 0 {
		return nil, nil
	}
	res, err := ix.alias.SearchInContext(ctx, bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(probe), quoteCandidates, 0, false))
	if err != nil {
		return nil, fmt.Errorf("quote check: %w", err)
	}
	exactNeedle := squeezeSpaces(Normalize(quote))
	var out []QuoteMatch
	for _, m := range res.Hits {
		p, err := ix.lookup(ctx, m.ID)
		if err != nil {
			continue // the passage went away since it was indexed
		}
		text := coreRunes(Normalize(p.Text))
		dist, start, end, diffs := alignQuote(core.runes, text, p.Text)
		sim := 1 - float64(dist)/float64(len(core.runes))
		if sim < 0.5 {
			continue
		}
		qm := QuoteMatch{Hit: Hit{Passage: *p, Score: m.Score}, Similarity: sim, Diffs: diffs}
		qm.Exact = containsRunes(squeezeSpaces(Normalize(p.Text)), exactNeedle)
		qm.Match = Span{Start: text.offsets[start], End: text.ends[end-1]}
		qm.Highlights = []Span{qm.Match}
		qm.Snippet = Snippet(p.Text, qm.Highlights, SnippetRunes)
		out = append(out, qm)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Exact != out[j].Exact {
			return out[i].Exact
		}
		if out[i].Similarity != out[j].Similarity {
			return out[i].Similarity > out[j].Similarity
		}
		return out[i].Score > out[j].Score
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// cored is the letters, digits and Chinese characters of a normalised text,
// with the original byte range of each.
type cored struct {
	runes   []rune
	offsets []int // start byte of each rune in the original
	ends    []int // end byte
}

func coreRunes(n Normalized) cored {
	var c cored
	for i, r := range n.Runes {
		if isWordRune(r) {
			c.runes = append(c.runes, r)
			c.offsets = append(c.offsets, n.Offsets[i])
			c.ends = append(c.ends, n.Offsets[i+1])
		}
	}
	return c
}

func squeezeSpaces(n Normalized) []rune {
	out := make([]rune, 0, len(n.Runes))
	for _, r := range n.Runes {
		if r != ' ' {
			out = append(out, r)
		}
	}
	return out
}

func containsRunes(hay, needle []rune) bool {
	if len(needle) == 0 {
		return true
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		if runesEqual(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

// rareBigrams returns term queries for the k rarest bigrams of the
// quotation (by document frequency in the index): they find the candidates
// fast, and a misremembered character spoils only the bigrams it is in.
func rareBigrams(ctx context.Context, b bleve.Index, rs []rune, k int) ([]query.Query, error) {
	r, err := reader(b)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	type bg struct {
		term string
		df   uint64
	}
	seen := map[string]bool{}
	var bgs []bg
	for i := 0; i+1 < len(rs); i++ {
		t := string(rs[i : i+2])
		if seen[t] {
			continue
		}
		seen[t] = true
		tfr, err := r.TermFieldReader(ctx, []byte(t), fieldTextBigram, false, false, false)
		if err != nil {
			return nil, err
		}
		df := tfr.Count()
		tfr.Close()
		if df > 0 {
			bgs = append(bgs, bg{t, df})
		}
	}
	sort.Slice(bgs, func(i, j int) bool { return bgs[i].df < bgs[j].df })
	if len(bgs) > k {
		bgs = bgs[:k]
	}
	qs := make([]query.Query, len(bgs))
	for i, x := range bgs {
		tq := fieldTerm(fieldTextBigram, x.term)
		qs[i] = tq
	}
	return qs, nil
}

// alignQuote finds the stretch of text closest to q by edit distance
// (Sellers' algorithm: the match may start and end anywhere in text). It
// returns the distance, the stretch [start, end) in text's runes, and the
// differences with byte offsets into the original passage.
func alignQuote(q []rune, text cored, orig string) (dist, start, end int, diffs []QuoteDiff) {
	m, n := len(q), len(text.runes)
	if n == 0 {
		return m, 0, 0, nil
	}
	// d[i][j]: distance of q[:i] to the best stretch of text ending at j.
	d := make([][]int32, m+1)
	for i := range d {
		d[i] = make([]int32, n+1)
		d[i][0] = int32(i)
	}
	for i := 1; i <= m; i++ {
		for j := 1; j <= n; j++ {
			cost := int32(1)
			if q[i-1] == text.runes[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j-1]+cost, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	end = 1
	for j := 1; j <= n; j++ {
		if d[m][j] < d[m][end] {
			end = j
		}
	}
	dist = int(d[m][end])
	// Back-trace from the end of the best stretch.
	type op struct {
		kind   byte // '=' same, '~' substituted, '+' only in the quote, '-' only in the text
		qi, tj int
	}
	var ops []op
	i, j := m, end
	for i > 0 {
		switch {
		case j > 0 && q[i-1] == text.runes[j-1] && d[i][j] == d[i-1][j-1]:
			ops = append(ops, op{'=', i - 1, j - 1})
			i, j = i-1, j-1
		case j > 0 && d[i][j] == d[i-1][j-1]+1:
			ops = append(ops, op{'~', i - 1, j - 1})
			i, j = i-1, j-1
		case d[i][j] == d[i-1][j]+1:
			ops = append(ops, op{'+', i - 1, -1})
			i--
		default:
			ops = append(ops, op{'-', -1, j - 1})
			j--
		}
	}
	start = j
	// Walk forward, grouping neighbouring differences into one.
	var cur *QuoteDiff
	for k := len(ops) - 1; k >= 0; k-- {
		o := ops[k]
		if o.kind == '=' {
			if cur != nil {
				diffs = append(diffs, *cur)
				cur = nil
			}
			continue
		}
		if cur == nil {
			// Where the difference sits in the passage: at its text
			// character, or before the next matched one.
			at := text.offsets[min(max(o.tj, 0), n-1)]
			if o.tj < 0 && k > 0 {
				for l := k - 1; l >= 0; l-- {
					if ops[l].tj >= 0 {
						at = text.offsets[ops[l].tj]
						break
					}
				}
			}
			cur = &QuoteDiff{Start: at, End: at}
		}
		if o.qi >= 0 {
			cur.Quote += string(q[o.qi])
		}
		if o.tj >= 0 {
			cur.Source += orig[text.offsets[o.tj]:text.ends[o.tj]]
			cur.End = text.ends[o.tj]
		}
	}
	if cur != nil {
		diffs = append(diffs, *cur)
	}
	return dist, start, max(end, start+1), diffs
}
