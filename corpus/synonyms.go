package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"
)

// The synonym file kept in the store: editors replace it as a whole (its
// format is the indexer's; the caller checks it before storing), each
// version recorded with who, when and why, so that every node of a
// deployment expands queries the same way. Version 0 means never stored:
// the file embedded in the binary applies.

// StoredSynonyms is one version of the synonym file.
type StoredSynonyms struct {
	Version uint64    `json:"version"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	Why     string    `json:"why"`
}

// MaxSynonymBytes bounds the synonym file.
const MaxSynonymBytes = 1 << 20

var bucketSynonyms = []byte("synonyms")

// checkSynonyms validates what the store requires of a synonym file; errors
// wrap ErrInvalid.
func checkSynonyms(text, why string) (string, error) {
	why = strings.TrimSpace(why)
	switch {
	case len(text) > MaxSynonymBytes:
		return "", fmt.Errorf("set synonyms: %w: the file has %d bytes (at most %d)", ErrInvalid, len(text), MaxSynonymBytes)
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return "", fmt.Errorf("set synonyms: %w: the file must be UTF-8 text", ErrInvalid)
	case why == "" || len(why) > 500:
		return "", fmt.Errorf("set synonyms: %w: say why, in at most 500 bytes", ErrInvalid)
	}
	return why, nil
}

// SetSynonyms stores a new version of the synonym file and returns its
// version.
func (s *BoltStore) SetSynonyms(ctx context.Context, text, who, why string) (uint64, error) {
	why, err := checkSynonyms(text, why)
	if err != nil {
		return 0, err
	}
	var version uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSynonyms)
		if err != nil {
			return err
		}
		if version, err = b.NextSequence(); err != nil {
			return err
		}
		v, err := seal(StoredSynonyms{Version: version, Text: text, At: s.now().UTC(), Who: who, Why: why})
		if err != nil {
			return err
		}
		return b.Put(seqKey(version), v)
	})
	if err != nil {
		return 0, fmt.Errorf("set synonyms: %w", err)
	}
	return version, ctx.Err()
}

// Synonyms returns the latest stored synonym file (Version 0: none).
func (s *BoltStore) Synonyms(ctx context.Context) (StoredSynonyms, error) {
	var out StoredSynonyms
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSynonyms)
		if b == nil {
			return nil
		}
		k, v := b.Cursor().Last()
		if k == nil {
			return nil
		}
		if err := unseal(v, &out); err != nil {
			return fmt.Errorf("%w: synonyms %x: %v", ErrCorrupt, k, err)
		}
		return nil
	})
	if err != nil {
		return StoredSynonyms{}, fmt.Errorf("synonyms: %w", err)
	}
	return out, ctx.Err()
}

// SynonymsVersion returns the latest stored synonym version (0: none).
func (s *BoltStore) SynonymsVersion(ctx context.Context) (uint64, error) {
	var v uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSynonyms); b != nil {
			v = b.Sequence()
		}
		return nil
	})
	return v, err
}

// SetSynonyms stores a new version of the synonym file.
func (s *PGStore) SetSynonyms(ctx context.Context, text, who, why string) (uint64, error) {
	why, err := checkSynonyms(text, why)
	if err != nil {
		return 0, err
	}
	var version uint64
	err = s.write(ctx, func(tx pgx.Tx) error {
		var last int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM synonyms`).Scan(&last); err != nil {
			return err
		}
		version = uint64(last) + 1
		body, err := mustJSON(StoredSynonyms{Version: version, Text: text, At: s.now().UTC(), Who: who, Why: why})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO synonyms (version, body) VALUES ($1, $2)`, int64(version), body)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("set synonyms: %w", err)
	}
	return version, nil
}

// Synonyms returns the latest stored synonym file (Version 0: none).
func (s *PGStore) Synonyms(ctx context.Context) (StoredSynonyms, error) {
	var out StoredSynonyms
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM synonyms ORDER BY version DESC LIMIT 1`).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("synonyms: %w", err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return StoredSynonyms{}, fmt.Errorf("synonyms: %w: %v", ErrCorrupt, err)
	}
	return out, nil
}

// SynonymsVersion returns the latest stored synonym version (0: none),
// cheaply: nodes ask it every poll.
func (s *PGStore) SynonymsVersion(ctx context.Context) (uint64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM synonyms`).Scan(&v); err != nil {
		return 0, fmt.Errorf("synonyms version: %w", err)
	}
	return uint64(v), nil
}
