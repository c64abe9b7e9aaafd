package corpus

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// EditionRef is one edition of a regulation.
type EditionRef struct {
	DocumentID string    `json:"document_id"`
	Title      string    `json:"title"`
	Edition    string    `json:"edition,omitempty"`
	Date       time.Time `json:"date,omitzero"`
}

// effective returns the date an edition took effect: its document's date,
// else 1 January of its edition year; zero if neither is known.
func (e EditionRef) effective() time.Time {
	if !e.Date.IsZero() {
		return e.Date
	}
	if y, err := strconv.Atoi(e.Edition); err == nil && y > 1900 && y < 2200 {
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

var bucketWorks = []byte("works")

// addEdition records a regulation in the works register (in tx).
func addEdition(tx *bolt.Tx, d *Document) error {
	if d.Kind != KindRegulation || d.Work == "" {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketWorks)
	if err != nil {
		return err
	}
	var eds []EditionRef
	if v := b.Get([]byte(d.Work)); v != nil {
		if err := unseal(v, &eds); err != nil {
			return fmt.Errorf("%w: works register: %v", ErrCorrupt, err)
		}
	}
	eds = append(eds, EditionRef{DocumentID: d.ID, Title: d.Title, Edition: d.Edition, Date: d.Date})
	sort.SliceStable(eds, func(i, j int) bool { return eds[i].effective().Before(eds[j].effective()) })
	v, err := seal(eds)
	if err != nil {
		return err
	}
	return b.Put([]byte(d.Work), v)
}

// removeEdition takes a deleted document out of the works register.
func removeEdition(tx *bolt.Tx, d *Document) error {
	b := tx.Bucket(bucketWorks)
	if b == nil || d.Work == "" {
		return nil
	}
	v := b.Get([]byte(d.Work))
	if v == nil {
		return nil
	}
	var eds, keep []EditionRef
	if err := unseal(v, &eds); err != nil {
		return fmt.Errorf("%w: works register: %v", ErrCorrupt, err)
	}
	for _, e := range eds {
		if e.DocumentID != d.ID {
			keep = append(keep, e)
		}
	}
	if len(keep) == 0 {
		return b.Delete([]byte(d.Work))
	}
	nv, err := seal(keep)
	if err != nil {
		return err
	}
	return b.Put([]byte(d.Work), nv)
}

// Editions returns the editions of a work, oldest first (none for an
// unknown work).
func (s *BoltStore) Editions(ctx context.Context, work string) ([]EditionRef, error) {
	var eds []EditionRef
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWorks)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(work)); v != nil {
			if err := unseal(v, &eds); err != nil {
				return fmt.Errorf("%w: works register: %v", ErrCorrupt, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("editions of %s: %w", work, err)
	}
	return eds, nil
}

// NotInForce returns the documents of regulations that were not in force on
// day: for every work, all editions but the latest one that took effect on
// or before day (all of them if none had). Editions of unknown date are
// never excluded.
func (s *BoltStore) NotInForce(ctx context.Context, day time.Time) ([]string, error) {
	var out []string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWorks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var eds []EditionRef
			if err := unseal(v, &eds); err != nil {
				return fmt.Errorf("%w: works register: %v", ErrCorrupt, err)
			}
			out = append(out, notInForce(eds, day)...)
			return ctx.Err()
		})
	})
	if err != nil {
		return nil, fmt.Errorf("editions in force on %s: %w", day.Format("2006-01-02"), err)
	}
	return out, nil
}

// notInForce returns the documents of a work's editions (sorted by the date
// they took effect) that were not in force on day: all but the latest one
// that took effect on or before day. Editions of unknown date are never
// excluded.
func notInForce(eds []EditionRef, day time.Time) []string {
	current := -1
	for i, e := range eds {
		if t := e.effective(); !t.IsZero() && !t.After(day) {
			current = i
		}
	}
	var out []string
	for i, e := range eds {
		if i != current && !e.effective().IsZero() {
			out = append(out, e.DocumentID)
		}
	}
	return out
}
