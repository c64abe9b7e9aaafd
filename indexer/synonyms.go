package indexer

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
)

//go:embed dict/synonyms.txt
var synonymFile string

// Synonyms expands query terms with their synonyms and what abbreviations
// stand for. It is immutable; an edit builds a new one.
type Synonyms struct {
	version string
	expand  map[string][]string // normalised term → expansions
}

// EmbeddedSynonymFile returns the text of the synonym file built into the
// binary.
func EmbeddedSynonymFile() string { return synonymFile }

// DefaultSynonyms returns the embedded synonym file. It returns an error
// only if that file is malformed, which a test rules out.
func DefaultSynonyms() (*Synonyms, error) {
	return ParseSynonyms(strings.NewReader(synonymFile), "synonyms")
}

// ParseSynonyms reads a synonym file (the format is described in
// dict/synonyms.txt). It returns an error naming the line for an entry with
// fewer than two terms or a one-way entry without a target.
func ParseSynonyms(r io.Reader, name string) (*Synonyms, error) {
	s := &Synonyms{expand: map[string][]string{}}
	sc := bufio.NewScanner(r)
	line := 0
	add := func(from string, to ...string) {
		f := NormalizeString(from)
		for _, t := range to {
			if t = strings.TrimSpace(t); t != "" && NormalizeString(t) != f {
				s.expand[f] = appendUnique(s.expand[f], t)
			}
		}
	}
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(l, "#")), "version:"); ok {
				s.version = strings.TrimSpace(v)
			}
			continue
		}
		if from, to, ok := strings.Cut(l, "=>"); ok {
			targets := strings.Fields(to)
			if strings.TrimSpace(from) == "" || len(targets) == 0 {
				return nil, fmt.Errorf("synonyms %s line %d: %q needs a term on each side of =>", name, line, l)
			}
			add(strings.TrimSpace(from), targets...)
			continue
		}
		terms := strings.FieldsFunc(l, func(r rune) bool { return r == ',' || r == '，' })
		var clean []string
		for _, t := range terms {
			if t = strings.TrimSpace(t); t != "" {
				clean = append(clean, t)
			}
		}
		if len(clean) < 2 {
			return nil, fmt.Errorf("synonyms %s line %d: %q lists fewer than two terms", name, line, l)
		}
		for _, t := range clean {
			add(t, clean...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("synonyms %s: %w", name, err)
	}
	return s, nil
}

// Expand returns the synonyms of a term (not the term itself).
func (s *Synonyms) Expand(term string) []string {
	if s == nil {
		return nil
	}
	return s.expand[NormalizeString(strings.TrimSpace(term))]
}

// Version returns the version line of the synonym file.
func (s *Synonyms) Version() string { return s.version }

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
