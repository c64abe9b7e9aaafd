package indexer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuncha/xuncha/corpus"
)

// Query limits: bleve has none of its own, so every query from a user passes
// these before it reaches the index.
const (
	MaxQueryRunes  = 256
	MaxQueryTerms  = 32
	MaxQueryDepth  = 8
	MinPrefixRunes = 2
)

// ErrQuery is wrapped by every QueryError.
var ErrQuery = errors.New("invalid query")

// QueryError is a malformed query: what is wrong and at which character
// (1-based) of the query.
type QueryError struct {
	Pos int
	Msg string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query error at character %d: %s", e.Pos, e.Msg)
}

// Unwrap returns ErrQuery.
func (e *QueryError) Unwrap() error { return ErrQuery }

// Query is a parsed search-box query.
//
// Syntax: words separated by spaces must all match; "…" or “…” is an exact
// phrase; -word excludes; a OR b matches either (OR binds tighter than the
// spaces); ( ) group; word* matches words beginning with word (at least two
// characters before the *); field:value filters, with Chinese or English
// field names: 单位/unit, 类别/category, 类型/kind, 年份/year, 轮次/round,
// 状态/status, 日期/date (2023-01-01..2023-12-31, or a year), 聚焦/focus,
// 标题/title, 版本/edition, 机关/issuer, 现行/inforce (2020-01-01: only the
// editions of regulations in force on that day).
type Query struct {
	root node
}

// String renders the parsed query canonically (for tests and logs).
func (q *Query) String() string { return q.root.String() }

// Terms returns the text of the positive terms and phrases, for highlighting.
func (q *Query) Terms() []string {
	var out []string
	var walk func(n node, neg bool)
	walk = func(n node, neg bool) {
		switch t := n.(type) {
		case *termNode:
			if !neg {
				out = append(out, t.text)
			}
		case *notNode:
			walk(t.x, !neg)
		case *andNode:
			for _, x := range t.xs {
				walk(x, neg)
			}
		case *orNode:
			for _, x := range t.xs {
				walk(x, neg)
			}
		}
	}
	walk(q.root, false)
	return out
}

// IsEmpty reports whether the query has no terms or filters (it matches
// everything).
func (q *Query) IsEmpty() bool {
	a, ok := q.root.(*andNode)
	return ok && len(a.xs) == 0
}

type node interface{ String() string }

type termNode struct {
	text   string
	phrase bool
	prefix bool
	at     int
}

type filterNode struct {
	field    string // canonical field name
	value    string
	from, to time.Time // for date
	at       int
}

type notNode struct{ x node }
type andNode struct{ xs []node }
type orNode struct{ xs []node }

func (t *termNode) String() string {
	switch {
	case t.phrase:
		return strconv.Quote(t.text)
	case t.prefix:
		return t.text + "*"
	}
	return t.text
}
func (f *filterNode) String() string { return f.field + ":" + f.value }
func (n *notNode) String() string    { return "-" + n.x.String() }
func (a *andNode) String() string    { return "AND(" + joinNodes(a.xs) + ")" }
func (o *orNode) String() string     { return "OR(" + joinNodes(o.xs) + ")" }

func joinNodes(xs []node) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.String()
	}
	return strings.Join(parts, " ")
}

// queryFields maps the field names users may write to canonical ones.
var queryFields = map[string]string{
	"单位": "unit", "被巡察单位": "unit", "unit": "unit",
	"类别": "category", "问题类型": "category", "category": "category", "problem": "category",
	"类型": "kind", "kind": "kind", "type": "kind",
	"年份": "year", "year": "year",
	"轮次": "round", "round": "round",
	"状态": "status", "整改状态": "status", "status": "status",
	"日期": "date", "date": "date",
	"聚焦": "focus", "focus": "focus",
	"标题": "title", "title": "title",
	"版本": "edition", "edition": "edition",
	"机关": "issuer", "发文机关": "issuer", "issuer": "issuer",
	"现行": "inforce", "有效": "inforce", "inforce": "inforce",
}

// ParseQuery parses a search-box query. It returns a *QueryError (wrapping
// ErrQuery) with the position of the first problem: a query over 256
// characters, more than 32 terms, parentheses nested deeper than 8,
// unbalanced quotes or parentheses, OR without a term on each side, a
// filter on an unknown value, a wildcard with a prefix under 2 characters,
// a regular expression, or nothing searchable at all. An empty query is
// valid and matches everything.
func ParseQuery(s string) (*Query, error) {
	if !utf8.ValidString(s) {
		return nil, &QueryError{Pos: 1 + utf8.RuneCountInString(strings.ToValidUTF8(s[:firstInvalid(s)], "")), Msg: "the query is not valid UTF-8 text"}
	}
	rs := []rune(s)
	if len(rs) > MaxQueryRunes {
		return nil, &QueryError{Pos: MaxQueryRunes + 1, Msg: fmt.Sprintf("the query is %d characters long; the limit is %d", len(rs), MaxQueryRunes)}
	}
	p := &parser{rs: rs}
	root, err := p.parseAnd(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.rs) {
		return nil, p.errf(p.i, "unexpected ) without a matching (")
	}
	if p.terms > MaxQueryTerms {
		return nil, p.errf(p.lastTermAt, fmt.Sprintf("the query has %d terms; the limit is %d", p.terms, MaxQueryTerms))
	}
	if p.skipped && p.terms == 0 {
		return nil, &QueryError{Pos: 1, Msg: "nothing to search: the query has no letters, digits or Chinese characters"}
	}
	return &Query{root: root}, nil
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

type parser struct {
	rs         []rune
	i          int
	terms      int
	lastTermAt int
	skipped    bool // a punctuation-only word was dropped
}

func (p *parser) errf(at int, msg string) error { return &QueryError{Pos: at + 1, Msg: msg} }

func isQuerySpace(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' }

func (p *parser) skipSpace() {
	for p.i < len(p.rs) && isQuerySpace(p.rs[p.i]) {
		p.i++
	}
}

// parseAnd parses units until ')' or the end: all must match.
func (p *parser) parseAnd(depth int) (node, error) {
	and := &andNode{}
	for {
		p.skipSpace()
		if p.i >= len(p.rs) || p.rs[p.i] == ')' {
			return and, nil
		}
		n, err := p.parseOr(depth)
		if err != nil {
			return nil, err
		}
		if n != nil {
			and.xs = append(and.xs, n)
		}
	}
}

// parseOr parses unit (OR unit)*.
func (p *parser) parseOr(depth int) (node, error) {
	start := p.i
	first, err := p.parseUnit(depth)
	if err != nil {
		return nil, err
	}
	if p.atOR() && first == nil {
		return nil, p.errf(start, "OR needs a term before it")
	}
	xs := []node{first}
	for p.atOR() {
		orAt := p.i
		p.skipSpace()
		p.i += 2
		p.skipSpace()
		if p.i >= len(p.rs) || p.rs[p.i] == ')' {
			return nil, p.errf(orAt, "OR needs a term after it")
		}
		n, err := p.parseUnit(depth)
		if err != nil {
			return nil, err
		}
		if n != nil {
			xs = append(xs, n)
		}
	}
	if len(xs) == 1 {
		return first, nil
	}
	return &orNode{xs: xs}, nil
}

// atOR reports whether the next word is the operator OR.
func (p *parser) atOR() bool {
	j := p.i
	for j < len(p.rs) && isQuerySpace(p.rs[j]) {
		j++
	}
	if j == p.i && p.i > 0 {
		return false // OR must be separated by spaces
	}
	return j+2 <= len(p.rs) && p.rs[j] == 'O' && p.rs[j+1] == 'R' && (j+2 == len(p.rs) || isQuerySpace(p.rs[j+2]))
}

// parseUnit parses one negation, group, phrase, filter or word. It returns
// nil for a word with nothing searchable in it.
func (p *parser) parseUnit(depth int) (node, error) {
	p.skipSpace()
	start := p.i
	r := p.rs[p.i]
	switch {
	case r == '-' || r == '－':
		p.i++
		if p.i >= len(p.rs) || isQuerySpace(p.rs[p.i]) {
			return nil, p.errf(start, "- must be followed by the term to exclude")
		}
		x, err := p.parseUnit(depth)
		if err != nil {
			return nil, err
		}
		if x == nil {
			return nil, p.errf(start, "nothing to exclude after -")
		}
		return &notNode{x: x}, nil
	case r == '(':
		if depth+1 > MaxQueryDepth {
			return nil, p.errf(start, fmt.Sprintf("parentheses nested deeper than %d", MaxQueryDepth))
		}
		p.i++
		inner, err := p.parseAnd(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.rs) || p.rs[p.i] != ')' {
			return nil, p.errf(start, "( is never closed")
		}
		p.i++
		return inner, nil
	case r == ')':
		return nil, p.errf(start, "unexpected ) without a matching (")
	case r == '"' || r == '“':
		text, err := p.quoted()
		if err != nil {
			return nil, err
		}
		return p.term(text, true, false, start)
	}
	word := p.word()
	if word == "OR" {
		return nil, p.errf(start, "OR needs a term before it")
	}
	// field:value
	if k := strings.IndexAny(word, ":："); k > 0 {
		if field, ok := queryFields[strings.ToLower(word[:k])]; ok {
			value := word[k+len(string([]rune(word[k:])[0])):]
			valueAt := start + utf8.RuneCountInString(word[:k]) + 1
			if value == "" && p.i < len(p.rs) && (p.rs[p.i] == '"' || p.rs[p.i] == '“') {
				v, err := p.quoted()
				if err != nil {
					return nil, err
				}
				value = v
			}
			return p.filter(field, strings.TrimSpace(value), valueAt)
		}
	}
	if strings.HasPrefix(word, "/") && strings.HasSuffix(word, "/") && len(word) > 2 {
		return nil, p.errf(start, "regular expressions are not supported")
	}
	prefix := false
	if strings.HasSuffix(word, "*") || strings.HasSuffix(word, "＊") {
		prefix = true
		word = strings.TrimRight(word, "*＊")
	}
	if k := strings.IndexAny(word, "*?＊？"); k >= 0 {
		return nil, p.errf(start+utf8.RuneCountInString(word[:k]), "wildcards are allowed only at the end of a word")
	}
	if prefix && utf8.RuneCountInString(word) < MinPrefixRunes {
		return nil, p.errf(start, fmt.Sprintf("a wildcard needs at least %d characters before the *", MinPrefixRunes))
	}
	return p.term(word, false, prefix, start)
}

// word reads up to the next space, parenthesis or quote.
func (p *parser) word() string {
	start := p.i
	for p.i < len(p.rs) {
		r := p.rs[p.i]
		if isQuerySpace(r) || r == '(' || r == ')' || r == '"' || r == '“' || r == '”' {
			break
		}
		p.i++
	}
	if p.i == start { // a stray closing quote
		p.i++
	}
	return string(p.rs[start:p.i])
}

// quoted reads a phrase in "…" or “…”.
func (p *parser) quoted() (string, error) {
	open := p.i
	closeWith := '"'
	if p.rs[p.i] == '“' {
		closeWith = '”'
	}
	p.i++
	start := p.i
	for p.i < len(p.rs) && p.rs[p.i] != closeWith && !(closeWith == '”' && p.rs[p.i] == '"') {
		p.i++
	}
	if p.i >= len(p.rs) {
		return "", p.errf(open, "quotation mark is never closed")
	}
	text := string(p.rs[start:p.i])
	p.i++
	if strings.TrimSpace(text) == "" {
		return "", p.errf(open, "empty phrase")
	}
	return text, nil
}

func (p *parser) term(text string, phrase, prefix bool, at int) (node, error) {
	if _, err := PhraseOf(text); err != nil {
		if phrase {
			return nil, p.errf(at, "nothing to search in this phrase")
		}
		p.skipped = true
		return nil, nil // punctuation between words: ignore it
	}
	p.terms++
	p.lastTermAt = at
	return &termNode{text: text, phrase: phrase, prefix: prefix, at: at}, nil
}

// filter validates a field:value filter.
func (p *parser) filter(field, value string, at int) (node, error) {
	if value == "" {
		return nil, p.errf(at-1, fmt.Sprintf("the filter %s: needs a value", field))
	}
	p.terms++
	p.lastTermAt = at
	f := &filterNode{field: field, value: value, at: at}
	switch field {
	case "kind":
		k, ok := corpus.ParseKind(value)
		if !ok {
			return nil, p.errf(at, fmt.Sprintf("%q is not a kind (讲话, 法规, 报告, 通报, 问题, 其他)", value))
		}
		f.value = string(k)
	case "status":
		s, ok := corpus.ParseStatus(value)
		if !ok {
			return nil, p.errf(at, fmt.Sprintf("%q is not a status (未整改, 整改中, 已整改, 长期坚持)", value))
		}
		f.value = string(s)
	case "focus":
		fc, ok := corpus.ParseFocus(value)
		if !ok {
			return nil, p.errf(at, fmt.Sprintf("%q is not one of the 四个聚焦 (1–4)", value))
		}
		f.value = string(fc)
	case "year":
		y, err := strconv.Atoi(strings.TrimSuffix(value, "年"))
		if err != nil || y < 1900 || y > 2100 {
			return nil, p.errf(at, fmt.Sprintf("%q is not a year", value))
		}
		f.value = strconv.Itoa(y)
	case "inforce":
		d, ok := corpus.ParseDate(value)
		if !ok {
			return nil, p.errf(at, fmt.Sprintf("%q is not a date (现行:2020-01-01)", value))
		}
		f.from = d
	case "date":
		from, to, err := parseDateRange(value)
		if err != nil {
			return nil, p.errf(at, err.Error())
		}
		f.from, f.to = from, to
	default:
		if _, err := PhraseOf(value); err != nil {
			return nil, p.errf(at, "nothing to search in this filter value")
		}
	}
	return f, nil
}

// parseDateRange reads 2023-01-01..2023-12-31, an open range (2023-01-01..
// or ..2023-12-31), a single date, or a year; the end is inclusive.
func parseDateRange(v string) (time.Time, time.Time, error) {
	if y, err := strconv.Atoi(strings.TrimSuffix(v, "年")); err == nil && y >= 1900 && y <= 2100 {
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC), nil
	}
	a, b, isRange := strings.Cut(v, "..")
	if !isRange {
		d, ok := corpus.ParseDate(v)
		if !ok {
			return time.Time{}, time.Time{}, fmt.Errorf("%q is not a date or range (2023-01-01..2023-12-31)", v)
		}
		return d, d, nil
	}
	var from, to time.Time
	if a != "" {
		d, ok := corpus.ParseDate(a)
		if !ok {
			return from, to, fmt.Errorf("%q is not a date", a)
		}
		from = d
	}
	if b != "" {
		d, ok := corpus.ParseDate(b)
		if !ok {
			return from, to, fmt.Errorf("%q is not a date", b)
		}
		to = d
	}
	if from.IsZero() && to.IsZero() {
		return from, to, errors.New("a date range needs at least one end")
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return from, to, fmt.Errorf("the range %s ends before it starts", v)
	}
	return from, to, nil
}
