package corpus

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// The lexicon kept in the store: words editors add to (or remove from) the
// segmenter's dictionary while xuncha runs. Every change is recorded with
// who made it, when and why, and raises the lexicon's version; the store is
// where every node of a deployment reads it from.

// LexiconWord is one word of the stored lexicon. A removed word stays, marked
// Removed, so that it also takes out a word of the built-in dictionaries.
type LexiconWord struct {
	Word string `json:"word"`
	// Freq is the word's frequency; 0 lets the segmenter choose one that
	// makes the word win over its pieces.
	Freq    float64 `json:"freq,omitempty"`
	POS     string  `json:"pos,omitempty"`
	Removed bool    `json:"removed,omitempty"`
	// Version is the lexicon version that last changed the word.
	Version uint64 `json:"version"`
}

// LexiconChange adds or changes a word, or removes it.
type LexiconChange struct {
	Word   string  `json:"word"`
	Freq   float64 `json:"freq,omitempty"`
	POS    string  `json:"pos,omitempty"`
	Remove bool    `json:"remove,omitempty"`
}

// LexiconEvent is one recorded change of the lexicon.
type LexiconEvent struct {
	Version uint64          `json:"version"`
	At      time.Time       `json:"at"`
	Who     string          `json:"who"`
	Why     string          `json:"why"`
	Changes []LexiconChange `json:"changes"`
}

var (
	bucketLexicon    = []byte("lexicon")
	bucketLexiconLog = []byte("lexicon-log")
)

// MaxLexiconWordRunes caps a lexicon word's length, as the segmenter does.
const MaxLexiconWordRunes = 32

// CheckLexiconChange validates a change and returns it trimmed; errors
// wrap ErrInvalid.
func CheckLexiconChange(c LexiconChange) (LexiconChange, error) {
	err := checkLexiconChange(&c)
	return c, err
}

// checkLexiconChange validates one change.
func checkLexiconChange(c *LexiconChange) error {
	c.Word = strings.TrimSpace(c.Word)
	switch n := utf8.RuneCountInString(c.Word); {
	case c.Word == "" || !utf8.ValidString(c.Word):
		return fmt.Errorf("%w: a lexicon word must be non-empty UTF-8 text", ErrInvalid)
	case n > MaxLexiconWordRunes:
		return fmt.Errorf("%w: %q has %d characters (at most %d)", ErrInvalid, c.Word, n, MaxLexiconWordRunes)
	case strings.ContainsFunc(c.Word, func(r rune) bool { return r <= ' ' || r == '\u3000' }):
		return fmt.Errorf("%w: %q contains a space or a control character", ErrInvalid, c.Word)
	case c.Freq < 0 || c.Freq > 1e12 || c.Freq != c.Freq:
		return fmt.Errorf("%w: frequency of %q must be from 0 to 1e12", ErrInvalid, c.Word)
	case len(c.POS) > 16:
		return fmt.Errorf("%w: part of speech of %q is longer than 16 bytes", ErrInvalid, c.Word)
	}
	return nil
}

// ChangeLexicon applies changes in one transaction and records them with
// who and why; it returns the new lexicon version. A change that alters
// nothing (adding a word as it is) still counts: the version says what an
// editor did, not only what differs. Errors wrap ErrInvalid.
func (s *BoltStore) ChangeLexicon(ctx context.Context, changes []LexiconChange, who, why string) (uint64, error) {
	why, err := checkLexiconChanges(ctx, changes, why)
	if err != nil {
		return 0, err
	}
	var version uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		words, err := tx.CreateBucketIfNotExists(bucketLexicon)
		if err != nil {
			return err
		}
		log, err := tx.CreateBucketIfNotExists(bucketLexiconLog)
		if err != nil {
			return err
		}
		if version, err = log.NextSequence(); err != nil {
			return err
		}
		for _, c := range changes {
			v, err := seal(LexiconWord{Word: c.Word, Freq: c.Freq, POS: c.POS, Removed: c.Remove, Version: version})
			if err != nil {
				return err
			}
			if err := words.Put([]byte(c.Word), v); err != nil {
				return err
			}
		}
		v, err := seal(LexiconEvent{Version: version, At: s.now().UTC(), Who: who, Why: why, Changes: changes})
		if err != nil {
			return err
		}
		return log.Put(seqKey(version), v)
	})
	if err != nil {
		return 0, fmt.Errorf("change lexicon: %w", err)
	}
	return version, nil
}

// Lexicon returns the stored lexicon's version (0: never changed) and its
// words, removed ones included, sorted.
func (s *BoltStore) Lexicon(ctx context.Context) (uint64, []LexiconWord, error) {
	var version uint64
	var out []LexiconWord
	err := s.db.View(func(tx *bolt.Tx) error {
		if log := tx.Bucket(bucketLexiconLog); log != nil {
			version = log.Sequence()
		}
		b := tx.Bucket(bucketLexicon)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var w LexiconWord
			if err := unseal(v, &w); err != nil {
				return fmt.Errorf("%w: lexicon word %q: %v", ErrCorrupt, k, err)
			}
			out = append(out, w)
			return nil
		})
	})
	if err != nil {
		return 0, nil, fmt.Errorf("lexicon: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Word < out[j].Word })
	return version, out, ctx.Err()
}

// LexiconHistory returns the recorded changes, newest first, at most limit.
func (s *BoltStore) LexiconHistory(ctx context.Context, limit int) ([]LexiconEvent, error) {
	var out []LexiconEvent
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLexiconLog)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var e LexiconEvent
			if err := unseal(v, &e); err != nil {
				return fmt.Errorf("%w: lexicon change %x: %v", ErrCorrupt, k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lexicon history: %w", err)
	}
	return out, ctx.Err()
}

// LexiconAt returns the words of the stored lexicon as they were at version
// (replaying the recorded changes), and the words changed after it.
func (s *BoltStore) LexiconAt(ctx context.Context, version uint64) (words []LexiconWord, changedAfter []string, err error) {
	var events []LexiconEvent
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLexiconLog)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e LexiconEvent
			if err := unseal(v, &e); err != nil {
				return fmt.Errorf("%w: lexicon change %x: %v", ErrCorrupt, k, err)
			}
			events = append(events, e)
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("lexicon at v%d: %w", version, err)
	}
	words, changedAfter = replayLexicon(events, version)
	return words, changedAfter, ctx.Err()
}

// replayLexicon replays recorded changes (oldest first) up to version: the
// words as they were then, sorted, and the words changed after it.
func replayLexicon(events []LexiconEvent, version uint64) (words []LexiconWord, changedAfter []string) {
	state := map[string]LexiconWord{}
	changed := map[string]bool{}
	for _, e := range events {
		for _, c := range e.Changes {
			if e.Version > version {
				changed[c.Word] = true
				continue
			}
			state[c.Word] = LexiconWord{Word: c.Word, Freq: c.Freq, POS: c.POS, Removed: c.Remove, Version: e.Version}
		}
	}
	for _, w := range state {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool { return words[i].Word < words[j].Word })
	for w := range changed {
		changedAfter = append(changedAfter, w)
	}
	sort.Strings(changedAfter)
	return words, changedAfter
}

// checkLexiconChanges validates a change set in place (trimming words) and
// returns why, trimmed; errors wrap ErrInvalid.
func checkLexiconChanges(ctx context.Context, changes []LexiconChange, why string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if len(changes) == 0 {
		return "", fmt.Errorf("change lexicon: %w: no changes", ErrInvalid)
	}
	if len(changes) > 100_000 {
		return "", fmt.Errorf("change lexicon: %w: %d changes at once (at most 100000)", ErrInvalid, len(changes))
	}
	why = strings.TrimSpace(why)
	if why == "" || len(why) > 500 {
		return "", fmt.Errorf("change lexicon: %w: say why, in at most 500 bytes", ErrInvalid)
	}
	for i := range changes {
		if err := checkLexiconChange(&changes[i]); err != nil {
			return "", fmt.Errorf("change lexicon: %w", err)
		}
	}
	return why, nil
}
