package corpus

import (
	"fmt"
	"strings"
)

// DiffOp is one piece of a text diff: "=" kept, "-" only in the old text,
// "+" only in the new.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// maxDiffRunes bounds the texts DiffText compares (its table is n×m).
const maxDiffRunes = 4000

// DiffText returns the character diff of two texts (longest common
// subsequence), neighbouring pieces of the same kind merged. Texts longer
// than 4,000 characters are compared as one replacement.
func DiffText(a, b string) []DiffOp {
	x, y := []rune(a), []rune(b)
	if len(x) > maxDiffRunes || len(y) > maxDiffRunes {
		return mergeOps([]DiffOp{{"-", a}, {"+", b}})
	}
	n, m := len(x), len(y)
	// l[i][j]: length of the LCS of x[i:] and y[j:].
	l := make([][]uint16, n+1)
	for i := range l {
		l[i] = make([]uint16, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var ops []DiffOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, DiffOp{"=", string(x[i])})
			i, j = i+1, j+1
		case i < n && (j == m || l[i+1][j] >= l[i][j+1]):
			ops = append(ops, DiffOp{"-", string(x[i])}) // deletions first, as diffs read
			i++
		default:
			ops = append(ops, DiffOp{"+", string(y[j])})
			j++
		}
	}
	return mergeOps(ops)
}

func mergeOps(ops []DiffOp) []DiffOp {
	var out []DiffOp
	for _, o := range ops {
		if o.Text == "" {
			continue
		}
		if len(out) > 0 && out[len(out)-1].Op == o.Op {
			out[len(out)-1].Text += o.Text
			continue
		}
		out = append(out, o)
	}
	return out
}

// ArticleComparison compares an article (or paragraph) of one edition with
// its counterpart in another.
type ArticleComparison struct {
	FromEdition string   `json:"from_edition"`
	ToEdition   string   `json:"to_edition"`
	FromArticle string   `json:"from_article,omitempty"`
	ToArticle   string   `json:"to_article,omitempty"`
	FromText    string   `json:"from_text"`
	ToText      string   `json:"to_text"`
	Diff        []DiffOp `json:"diff"`
}

// articles groups a document's paragraphs by article, in order (paragraphs
// outside any article stand alone, keyed by their ID).
func articles(d *Document) (keys []string, texts map[string]string) {
	texts = map[string]string{}
	for _, p := range d.Paragraphs() {
		k := p.Article
		if k == "" {
			k = p.ID
		}
		if _, ok := texts[k]; !ok {
			keys = append(keys, k)
			texts[k] = p.Text
		} else {
			texts[k] += "\n" + p.Text
		}
	}
	return keys, texts
}

// CompareArticle compares the article holding paragraphID in from with its
// counterpart in to: the article of the same number if it is recognisably
// the same provision, else the most similar one (articles are renumbered
// between editions). It returns an error wrapping ErrNotFound if the
// paragraph is not in from.
func CompareArticle(from *Document, paragraphID string, to *Document) (ArticleComparison, error) {
	var key string
	for _, p := range from.Paragraphs() {
		if p.ID == paragraphID {
			key = p.Article
			if key == "" {
				key = p.ID
			}
		}
	}
	if key == "" {
		return ArticleComparison{}, fmt.Errorf("compare %s: %w", paragraphID, ErrNotFound)
	}
	_, fromTexts := articles(from)
	toKeys, toTexts := articles(to)
	src := fromTexts[key]
	best, bestScore := "", -1.0
	if t, ok := toTexts[key]; ok && dice(src, t) >= 0.3 {
		best = key
	} else {
		for _, k := range toKeys {
			if s := dice(src, toTexts[k]); s > bestScore {
				best, bestScore = k, s
			}
		}
	}
	c := ArticleComparison{FromEdition: from.Edition, ToEdition: to.Edition, FromText: src, ToText: toTexts[best]}
	if !strings.HasPrefix(key, from.ID) {
		c.FromArticle = key
	}
	if !strings.HasPrefix(best, to.ID) {
		c.ToArticle = best
	}
	c.Diff = DiffText(c.FromText, c.ToText)
	return c, nil
}

// dice is the Dice coefficient of two texts' character bigrams.
func dice(a, b string) float64 {
	bg := func(s string) map[string]int {
		rs := []rune(s)
		m := map[string]int{}
		for i := 0; i+1 < len(rs); i++ {
			m[string(rs[i:i+2])]++
		}
		return m
	}
	x, y := bg(a), bg(b)
	var inter, nx, ny int
	for k, v := range x {
		nx += v
		inter += min(v, y[k])
	}
	for _, v := range y {
		ny += v
	}
	if nx+ny == 0 {
		return 0
	}
	return 2 * float64(inter) / float64(nx+ny)
}
