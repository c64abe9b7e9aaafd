package indexer

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuncha/xuncha/corpus"
)

// domainLexicon is xuncha's own dictionary of inspection, discipline and
// party-building vocabulary; see dict/README.md for how it was gathered.
//
//go:embed dict/domain.txt
var domainLexicon string

// MaxWordRunes caps the length of a dictionary word and of any word token.
const MaxWordRunes = 32

// ErrLexicon reports a malformed dictionary line.
var ErrLexicon = errors.New("malformed lexicon")

// LexiconEntry is one word of a lexicon: the word, an optional frequency
// (0 means "let the segmenter choose one that makes the word win over its
// pieces") and an optional part of speech.
type LexiconEntry struct {
	Word string
	Freq float64
	POS  string
	// Remove takes the word out of the dictionaries applied before.
	Remove bool
}

// StoreLexicon turns the lexicon kept in the store into the last lexicon a
// segmenter applies; its version is the store's lexicon version.
func StoreLexicon(version uint64, words []corpus.LexiconWord) *Lexicon {
	lex := &Lexicon{Name: "store", Version: fmt.Sprintf("v%d", version)}
	for _, w := range words {
		lex.Entries = append(lex.Entries, LexiconEntry{Word: w.Word, Freq: w.Freq, POS: w.POS, Remove: w.Removed})
	}
	return lex
}

// Lexicon is a named, versioned word list in the format gse and jieba use:
// one word a line, optionally followed by a frequency and a part of speech,
// separated by spaces or tabs. Lines starting with # are comments; a comment
// "# version: X" sets the version.
type Lexicon struct {
	Name    string
	Version string
	Entries []LexiconEntry
}

// LexiconError is a malformed line in a lexicon; it wraps ErrLexicon.
type LexiconError struct {
	Name string
	Line int
	Msg  string
}

func (e *LexiconError) Error() string {
	return fmt.Sprintf("lexicon %s line %d: %s", e.Name, e.Line, e.Msg)
}

// Unwrap returns ErrLexicon.
func (e *LexiconError) Unwrap() error { return ErrLexicon }

// DomainLexicon returns the embedded domain lexicon. It returns an error only
// if the embedded file is malformed, which a test rules out.
func DomainLexicon() (*Lexicon, error) {
	return ParseLexicon(strings.NewReader(domainLexicon), "domain")
}

// LoadLexiconFile reads a user dictionary file; see ParseLexicon for the format.
// Its version is the file's content hash unless the file names one.
func LoadLexiconFile(path string) (*Lexicon, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load lexicon: %w", err)
	}
	defer f.Close()
	return ParseLexicon(f, path)
}

// maxLexiconBytes bounds what ParseLexicon reads, so a wrong file (a
// multi-gigabyte log, say) is refused instead of filling memory.
const maxLexiconBytes = 64 << 20

// ParseLexicon reads a lexicon. Words are kept as written (normalisation
// happens when a Segmenter is built). It returns a *LexiconError naming the
// line for a word that is too long or not valid UTF-8, a frequency that is
// not a non-negative number, or input over 64 MiB.
func ParseLexicon(r io.Reader, name string) (*Lexicon, error) {
	lex := &Lexicon{Name: name}
	h := sha256.New()
	sc := bufio.NewScanner(io.LimitReader(r, maxLexiconBytes+1))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line, read := 0, 0
	for sc.Scan() {
		line++
		raw := sc.Bytes()
		read += len(raw) + 1
		if read > maxLexiconBytes {
			return nil, &LexiconError{name, line, "file larger than 64 MiB"}
		}
		h.Write(raw)
		h.Write([]byte{'\n'})
		if !utf8.Valid(raw) {
			return nil, &LexiconError{name, line, "not valid UTF-8"}
		}
		s := strings.TrimSpace(strings.TrimPrefix(string(raw), "\uFEFF"))
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "#") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(s[1:]), "version:"); ok {
				lex.Version = strings.TrimSpace(v)
			}
			continue
		}
		f := strings.Fields(s)
		e := LexiconEntry{Word: f[0]}
		if n := utf8.RuneCountInString(e.Word); n > MaxWordRunes {
			return nil, &LexiconError{name, line, fmt.Sprintf("word of %d characters (at most %d)", n, MaxWordRunes)}
		}
		if len(f) > 1 {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || v < 0 || v != v || v > 1e12 {
				return nil, &LexiconError{name, line, fmt.Sprintf("frequency %q is not a number from 0 to 1e12", f[1])}
			}
			e.Freq = v
		}
		if len(f) > 2 {
			e.POS = f[2]
		}
		lex.Entries = append(lex.Entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, &LexiconError{name, line + 1, err.Error()}
	}
	sum := hex.EncodeToString(h.Sum(nil))[:12]
	if lex.Version == "" {
		lex.Version = sum
	} else {
		lex.Version += "+" + sum
	}
	return lex, nil
}
