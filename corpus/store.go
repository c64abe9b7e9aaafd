package corpus

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors reported by the store.
var (
	// ErrNotFound is returned for an ID that is not in the store.
	ErrNotFound = errors.New("not found")
	// ErrInvalid is wrapped by errors for a value that cannot be stored.
	ErrInvalid = errors.New("invalid")
	// ErrDiskFull names a write that failed for want of disk space
	// (ENOSPC); the store is left as it was.
	ErrDiskFull = errors.New("the disk is full")
	// ErrCorrupt is wrapped by Open when the store file is damaged.
	ErrCorrupt = errors.New("store is damaged")
)

// Op is what a change did.
type Op string

// Change operations.
const (
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Entity names what a change touched.
type Entity string

// Entities in the store.
const (
	EntityDocument Entity = "document"
	EntityFinding  Entity = "finding"
)

// Change is one entry of the store's change feed. Sequence numbers start at
// 1 and increase by one with every write; a change is recorded in the same
// transaction as the write, so the feed is never behind or ahead of the data.
type Change struct {
	Seq    uint64    `json:"seq"`
	Op     Op        `json:"op"`
	Entity Entity    `json:"entity"`
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Who    string    `json:"who,omitempty"`
}

// FieldChange is one field of a finding that an update changed.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// HistoryEntry records one write to a finding: who, when, what changed.
type HistoryEntry struct {
	Seq     uint64        `json:"seq"`
	At      time.Time     `json:"at"`
	Who     string        `json:"who,omitempty"`
	Op      Op            `json:"op"`
	Note    string        `json:"note,omitempty"`
	Changes []FieldChange `json:"changes,omitempty"`
}

// Batch is a set of writes applied in one transaction: all or nothing.
type Batch struct {
	Documents []*Document
	Findings  []*Finding
}

// BatchResult says what a batch changed: IDs written, and IDs skipped because
// identical content was already stored.
type BatchResult struct {
	Added, Updated, Unchanged []string
	LastSeq                   uint64
}

// BoltStore is the embedded store: one bbolt file. It is safe for concurrent
// use; bbolt allows one writer and many readers at a time.
type BoltStore struct {
	db  *bolt.DB
	now func() time.Time
}

var (
	bucketDocuments = []byte("documents")
	bucketFindings  = []byte("findings")
	bucketHistory   = []byte("history")
	bucketChanges   = []byte("changes")
	bucketMeta      = []byte("meta")
	bucketParas     = []byte("paragraphs")
	keySchema       = []byte("schema")
	schemaVersion   = []byte("xuncha-store-2")
	// schemaUnsealed is the first format, whose records carry no
	// checksum; opening it for writing seals them (see seal.go).
	schemaUnsealed = []byte("xuncha-store-1")
)

// sealedBuckets hold sealed records; meta holds plain values.
var sealedBuckets = [][]byte{bucketDocuments, bucketFindings, bucketHistory, bucketChanges, bucketParas, bucketWorks, bucketTokens, bucketLexicon, bucketLexiconLog, bucketSynonyms}

// StoreOptions configures OpenBolt.
type StoreOptions struct {
	// Now returns the current time; nil means time.Now. Tests fix it.
	Now func() time.Time
	// ReadOnly opens the file without taking the write lock.
	ReadOnly bool
}

// OpenBolt opens (creating if needed) the store file at path. It returns an
// error wrapping ErrCorrupt if the file is not a store or its structure is
// damaged, and fails after 5 s if another process holds the file.
func OpenBolt(ctx context.Context, path string, opts StoreOptions) (*BoltStore, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, ReadOnly: opts.ReadOnly})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open store %s: another xuncha process is using it", path)
		}
		if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
			return nil, fmt.Errorf("open store %s: %w: %v", path, ErrCorrupt, err)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &BoltStore{db: db, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if !opts.ReadOnly {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketDocuments, bucketFindings, bucketHistory, bucketChanges, bucketMeta, bucketParas} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			meta := tx.Bucket(bucketMeta)
			if v := meta.Get(keySchema); v == nil {
				return meta.Put(keySchema, schemaVersion)
			} else if bytes.Equal(v, schemaUnsealed) {
				return sealAll(tx)
			} else if !bytes.Equal(v, schemaVersion) {
				return fmt.Errorf("%w: schema %q, this xuncha reads %q", ErrCorrupt, v, schemaVersion)
			}
			return nil
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	return s, nil
}

// sealAll upgrades a store of the first format: it seals every record in
// one transaction (all or nothing) and records the new format.
func sealAll(tx *bolt.Tx) error {
	for _, name := range sealedBuckets {
		b := tx.Bucket(name)
		if b == nil {
			continue
		}
		var keys, vals [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			if v != nil { // nil: a nested bucket
				keys, vals = append(keys, bytes.Clone(k)), append(vals, sealRaw(bytes.Clone(v)))
			}
			return nil
		}); err != nil {
			return err
		}
		for i := range keys {
			if err := b.Put(keys[i], vals[i]); err != nil {
				return err
			}
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, schemaVersion)
}

// Close closes the store file.
func (s *BoltStore) Close() error { return s.db.Close() }

// Check verifies the store file's page structure (bbolt's consistency
// check) and every record's checksum; it returns an error wrapping
// ErrCorrupt naming the first problems. It reads the whole file.
func (s *BoltStore) Check(ctx context.Context) (err error) {
	defer func() {
		// bbolt panics on some damaged pages rather than report them.
		if r := recover(); r != nil {
			err = fmt.Errorf("check store: %w: %v", ErrCorrupt, r)
		}
	}()
	return s.db.View(func(tx *bolt.Tx) error {
		var problems []string
		// Drain the channel: the checker goroutine blocks until it is read.
		for err := range tx.Check() {
			if len(problems) < 5 {
				problems = append(problems, err.Error())
			}
		}
		if len(problems) == 0 {
			for _, name := range sealedBuckets {
				b := tx.Bucket(name)
				if b == nil {
					continue
				}
				b.ForEach(func(k, v []byte) error {
					if _, err := openSeal(v); v != nil && err != nil && len(problems) < 5 {
						problems = append(problems, fmt.Sprintf("%s %q: %v", name, k, err))
					}
					return nil
				})
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("check store: %w: %s", ErrCorrupt, strings.Join(problems, "; "))
		}
		return ctx.Err()
	})
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// record appends a change to the feed in tx and returns it.
func (s *BoltStore) record(tx *bolt.Tx, op Op, entity Entity, id, who string) (Change, error) {
	b := tx.Bucket(bucketChanges)
	seq, err := b.NextSequence()
	if err != nil {
		return Change{}, err
	}
	c := Change{Seq: seq, Op: op, Entity: entity, ID: id, At: s.now().UTC(), Who: who}
	v, err := seal(c)
	if err != nil {
		return Change{}, err
	}
	return c, b.Put(seqKey(seq), v)
}

// Apply writes a batch in one transaction: every document and finding, or
// none. A document whose ID is already stored is left as it is (same ID,
// same text); a finding whose content is unchanged is not rewritten. Every
// write appends to the change feed; finding writes append to the finding's
// history.
func (s *BoltStore) Apply(ctx context.Context, b Batch, who string) (BatchResult, error) {
	var res BatchResult
	for _, d := range b.Documents {
		if err := ValidateDocument(d); err != nil {
			return res, err
		}
	}
	for _, f := range b.Findings {
		if err := ValidateFinding(f); err != nil {
			return res, err
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		res = BatchResult{}
		docs := tx.Bucket(bucketDocuments)
		for _, d := range b.Documents {
			if docs.Get([]byte(d.ID)) != nil {
				res.Unchanged = append(res.Unchanged, d.ID)
				continue
			}
			v, err := seal(d)
			if err != nil {
				return err
			}
			if err := docs.Put([]byte(d.ID), v); err != nil {
				return err
			}
			if err := putParagraphs(tx, d); err != nil {
				return err
			}
			if err := addEdition(tx, d); err != nil {
				return err
			}
			c, err := s.record(tx, OpPut, EntityDocument, d.ID, who)
			if err != nil {
				return err
			}
			res.Added = append(res.Added, d.ID)
			res.LastSeq = c.Seq
		}
		for _, f := range b.Findings {
			added, changed, seq, err := s.putFinding(tx, f, who, "")
			if err != nil {
				return err
			}
			switch {
			case added:
				res.Added = append(res.Added, f.ID)
			case changed:
				res.Updated = append(res.Updated, f.ID)
			default:
				res.Unchanged = append(res.Unchanged, f.ID)
			}
			if seq > 0 {
				res.LastSeq = seq
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return BatchResult{}, fmt.Errorf("store batch: %w", err)
	}
	return res, nil
}

// putFinding inserts or updates f in tx, recording history and the change.
func (s *BoltStore) putFinding(tx *bolt.Tx, f *Finding, who, note string) (added, changed bool, seq uint64, err error) {
	fb := tx.Bucket(bucketFindings)
	var before *Finding
	if old := fb.Get([]byte(f.ID)); old != nil {
		before = new(Finding)
		if err := unseal(old, before); err != nil {
			return false, false, 0, fmt.Errorf("%w: finding %s: %v", ErrCorrupt, f.ID, err)
		}
	}
	diff := diffFindings(before, f)
	if before != nil && len(diff) == 0 {
		return false, false, 0, nil
	}
	v, err := seal(f)
	if err != nil {
		return false, false, 0, err
	}
	if err := fb.Put([]byte(f.ID), v); err != nil {
		return false, false, 0, err
	}
	c, err := s.record(tx, OpPut, EntityFinding, f.ID, who)
	if err != nil {
		return false, false, 0, err
	}
	h := HistoryEntry{Seq: c.Seq, At: c.At, Who: who, Op: OpPut, Note: note}
	if before != nil {
		h.Changes = diff
	}
	if err := putHistory(tx, f.ID, h); err != nil {
		return false, false, 0, err
	}
	return before == nil, before != nil, c.Seq, nil
}

func putHistory(tx *bolt.Tx, id string, h HistoryEntry) error {
	v, err := seal(h)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketHistory).Put(append([]byte(id+"\x00"), seqKey(h.Seq)...), v)
}

// diffFindings lists the fields that differ between before and after (all
// of after's non-empty fields when before is nil).
func diffFindings(before, after *Finding) []FieldChange {
	flat := func(f *Finding) map[string]string {
		m := map[string]string{}
		if f == nil {
			return m
		}
		m["unit"], m["round"], m["group"], m["focus"] = f.Unit, f.Round, f.Group, string(f.Focus)
		m["problems"] = strings.Join(f.Problems, "、")
		m["description"], m["facts"], m["disposition"] = f.Description, f.Facts, f.Disposition
		m["person"], m["post"], m["date"] = f.Person, f.Post, dateString(f.Date)
		r := f.Rectification
		m["status"], m["measures"], m["responsible"] = string(r.Status), r.Measures, r.Responsible
		m["deadline"], m["completed_at"] = dateString(r.Deadline), dateString(r.CompletedAt)
		if f.Source != nil {
			m["source"] = f.Source.ParagraphID
		}
		m["sample"] = fmt.Sprint(f.Sample)
		return m
	}
	b, a := flat(before), flat(after)
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []FieldChange
	for _, k := range keys {
		if a[k] != b[k] {
			out = append(out, FieldChange{Field: k, Before: b[k], After: a[k]})
		}
	}
	return out
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// GetDocument returns a document, or an error wrapping ErrNotFound.
func (s *BoltStore) GetDocument(ctx context.Context, id string) (*Document, error) {
	var d Document
	err := s.get(ctx, bucketDocuments, id, &d)
	if err != nil {
		return nil, fmt.Errorf("get document %s: %w", id, err)
	}
	return &d, nil
}

// GetFinding returns a finding, or an error wrapping ErrNotFound.
func (s *BoltStore) GetFinding(ctx context.Context, id string) (*Finding, error) {
	var f Finding
	if err := s.get(ctx, bucketFindings, id, &f); err != nil {
		return nil, fmt.Errorf("get finding %s: %w", id, err)
	}
	return &f, nil
}

func (s *BoltStore) get(ctx context.Context, bucket []byte, id string, v any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucket).Get([]byte(id))
		if raw == nil {
			return ErrNotFound
		}
		if err := unseal(raw, v); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil
	})
}

// UpdateRectification changes a finding's rectification and records who did
// it and why. It returns the updated finding, or an error wrapping
// ErrNotFound or ErrInvalid.
func (s *BoltStore) UpdateRectification(ctx context.Context, id string, r Rectification, who, note string) (*Finding, error) {
	if _, ok := ParseStatus(string(r.Status)); !ok {
		return nil, fmt.Errorf("update rectification %s: %w: status %q is not one of 未整改, 整改中, 已整改, 长期坚持", id, ErrInvalid, r.Status)
	}
	var out *Finding
	err := s.db.Update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketFindings).Get([]byte(id))
		if raw == nil {
			return ErrNotFound
		}
		var f Finding
		if err := unseal(raw, &f); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		f.Rectification = r
		if _, _, _, err := s.putFinding(tx, &f, who, note); err != nil {
			return err
		}
		out = &f
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("update rectification %s: %w", id, err)
	}
	return out, nil
}

// PutFinding inserts or replaces one finding, recording its history. It
// reports whether anything changed.
func (s *BoltStore) PutFinding(ctx context.Context, f *Finding, who string) (bool, error) {
	return putFinding(ctx, s, f, who)
}

// putFinding stores one finding as a batch of its own through either
// store; it reports whether anything changed.
func putFinding(ctx context.Context, a Applier, f *Finding, who string) (bool, error) {
	res, err := a.Apply(ctx, Batch{Findings: []*Finding{f}}, who)
	if err != nil {
		return false, err
	}
	return len(res.Unchanged) == 0, nil
}

// Delete removes a document or finding (a finding's history is kept). It
// returns an error wrapping ErrNotFound if there is no such ID.
func (s *BoltStore) Delete(ctx context.Context, entity Entity, id, who string) error {
	bucket := bucketDocuments
	if entity == EntityFinding {
		bucket = bucketFindings
	} else if entity != EntityDocument {
		return fmt.Errorf("delete: %w: entity %q", ErrInvalid, entity)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		old := b.Get([]byte(id))
		if old == nil {
			return ErrNotFound
		}
		if entity == EntityDocument {
			var d Document
			if err := unseal(old, &d); err != nil {
				return fmt.Errorf("%w: document %s: %v", ErrCorrupt, id, err)
			}
			if err := removeEdition(tx, &d); err != nil {
				return err
			}
			if err := deleteParagraphs(tx, id); err != nil {
				return err
			}
		}
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
		c, err := s.record(tx, OpDelete, entity, id, who)
		if err != nil {
			return err
		}
		if entity == EntityFinding {
			return putHistory(tx, id, HistoryEntry{Seq: c.Seq, At: c.At, Who: who, Op: OpDelete})
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", entity, id, err)
	}
	return nil
}

// History returns a finding's history, oldest first (empty for an unknown ID).
func (s *BoltStore) History(ctx context.Context, id string) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(id + "\x00")
		c := tx.Bucket(bucketHistory).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var h HistoryEntry
			if err := unseal(v, &h); err != nil {
				return fmt.Errorf("%w: history of %s: %v", ErrCorrupt, id, err)
			}
			out = append(out, h)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", id, err)
	}
	return out, nil
}

// Changes returns up to limit changes with sequence numbers above after,
// oldest first.
func (s *BoltStore) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	var out []Change
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var ch Change
			if err := unseal(v, &ch); err != nil {
				return fmt.Errorf("%w: change %x: %v", ErrCorrupt, k, err)
			}
			out = append(out, ch)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, err)
	}
	return out, nil
}

// LastSeq returns the sequence number of the latest change (0 for none).
func (s *BoltStore) LastSeq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		return nil
	})
	return seq, err
}

// Counts returns how many documents and findings are stored.
func (s *BoltStore) Counts(ctx context.Context) (documents, findings int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		documents = tx.Bucket(bucketDocuments).Stats().KeyN
		findings = tx.Bucket(bucketFindings).Stats().KeyN
		return nil
	})
	return documents, findings, err
}

// EachDocument calls fn with every document in ID order, stopping at the
// first error.
func (s *BoltStore) EachDocument(ctx context.Context, fn func(*Document) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDocuments).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var d Document
			if err := unseal(v, &d); err != nil {
				return fmt.Errorf("%w: document %s: %v", ErrCorrupt, k, err)
			}
			return fn(&d)
		})
	})
}

// EachFinding calls fn with every finding in ID order, stopping at the first
// error.
func (s *BoltStore) EachFinding(ctx context.Context, fn func(*Finding) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFindings).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var f Finding
			if err := unseal(v, &f); err != nil {
				return fmt.Errorf("%w: finding %s: %v", ErrCorrupt, k, err)
			}
			return fn(&f)
		})
	})
}

// ValidateDocument checks what the store requires of a document; the error
// wraps ErrInvalid.
func ValidateDocument(d *Document) error {
	switch {
	case d == nil:
		return fmt.Errorf("%w: nil document", ErrInvalid)
	case d.ID == "":
		return fmt.Errorf("%w: document without ID", ErrInvalid)
	case strings.TrimSpace(d.Title) == "":
		return fmt.Errorf("%w: document %s has no title", ErrInvalid, d.ID)
	case len(d.Sections) == 0:
		return fmt.Errorf("%w: document %s (%s) has no text", ErrInvalid, d.ID, d.Title)
	}
	if _, ok := ParseKind(string(d.Kind)); !ok {
		return fmt.Errorf("%w: document %s has unknown kind %q", ErrInvalid, d.ID, d.Kind)
	}
	return nil
}

// ValidateFinding checks what the store requires of a finding; the error
// wraps ErrInvalid and names the field.
func ValidateFinding(f *Finding) error {
	switch {
	case f == nil:
		return fmt.Errorf("%w: nil finding", ErrInvalid)
	case f.ID == "":
		return fmt.Errorf("%w: finding without ID", ErrInvalid)
	case strings.TrimSpace(f.Unit) == "":
		return fmt.Errorf("%w: finding %s: unit (单位) is empty", ErrInvalid, f.ID)
	case strings.TrimSpace(f.Description) == "":
		return fmt.Errorf("%w: finding %s: description (问题描述) is empty", ErrInvalid, f.ID)
	}
	if f.Focus != "" {
		if _, ok := ParseFocus(string(f.Focus)); !ok {
			return fmt.Errorf("%w: finding %s: focus %q is not one of the 四个聚焦", ErrInvalid, f.ID, f.Focus)
		}
	}
	if f.Rectification.Status != "" {
		if _, ok := ParseStatus(string(f.Rectification.Status)); !ok {
			return fmt.Errorf("%w: finding %s: status %q is not one of 未整改, 整改中, 已整改, 长期坚持", ErrInvalid, f.ID, f.Rectification.Status)
		}
	}
	return nil
}

// ParagraphRecord is one paragraph as the store keeps it for search: the
// paragraph, its section path and its document's metadata, enough to show a
// hit without reading the whole document. A notice's case paragraph also
// carries the case's unit and problem types.
type ParagraphRecord struct {
	DocumentID string    `json:"document_id"`
	Kind       Kind      `json:"kind"`
	Title      string    `json:"title"`
	Date       time.Time `json:"date,omitzero"`
	Issuer     string    `json:"issuer,omitempty"`
	Work       string    `json:"work,omitempty"`
	Edition    string    `json:"edition,omitempty"`
	Path       []string  `json:"path,omitempty"`
	Unit       string    `json:"unit,omitempty"`
	Problems   []string  `json:"problems,omitempty"`
	Paragraph
}

// ParagraphRecords returns the records of a document's paragraphs.
func ParagraphRecords(d *Document) []ParagraphRecord {
	cases := map[string]NoticeCase{}
	if d.Kind == KindNotice {
		for _, c := range SplitNotice(d) {
			cases[c.Paragraph.ID] = c
		}
	}
	var out []ParagraphRecord
	for _, p := range d.Paragraphs() {
		r := ParagraphRecord{DocumentID: d.ID, Kind: d.Kind, Title: d.Title, Date: d.Date, Issuer: d.Issuer,
			Work: d.Work, Edition: d.Edition, Path: p.Path, Paragraph: p.Paragraph}
		if c, ok := cases[p.ID]; ok {
			r.Unit, r.Problems = c.Unit, c.Problems
		}
		out = append(out, r)
	}
	return out
}

func putParagraphs(tx *bolt.Tx, d *Document) error {
	b := tx.Bucket(bucketParas)
	for _, r := range ParagraphRecords(d) {
		v, err := seal(r)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(r.ID), v); err != nil {
			return err
		}
	}
	return nil
}

func deleteParagraphs(tx *bolt.Tx, docID string) error {
	c := tx.Bucket(bucketParas).Cursor()
	prefix := []byte(docID + "-p")
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// GetParagraph returns one paragraph with its document ID and section path,
// or an error wrapping ErrNotFound.
func (s *BoltStore) GetParagraph(ctx context.Context, id string) (*ParagraphRecord, error) {
	var p ParagraphRecord
	if err := s.get(ctx, bucketParas, id, &p); err != nil {
		return nil, fmt.Errorf("get paragraph %s: %w", id, err)
	}
	return &p, nil
}

// GetParagraphs returns the paragraph records with the given IDs that
// exist, by ID, read in one transaction.
func (s *BoltStore) GetParagraphs(ctx context.Context, ids []string) (map[string]*ParagraphRecord, error) {
	out := make(map[string]*ParagraphRecord, len(ids))
	err := s.getMany(ctx, bucketParas, ids, func(id string, raw []byte) error {
		var p ParagraphRecord
		if err := unseal(raw, &p); err != nil {
			return fmt.Errorf("%w: paragraph %s: %v", ErrCorrupt, id, err)
		}
		out[id] = &p
		return nil
	})
	return out, err
}

// GetFindings returns the findings with the given IDs that exist, by ID,
// read in one transaction.
func (s *BoltStore) GetFindings(ctx context.Context, ids []string) (map[string]*Finding, error) {
	out := make(map[string]*Finding, len(ids))
	err := s.getMany(ctx, bucketFindings, ids, func(id string, raw []byte) error {
		var f Finding
		if err := unseal(raw, &f); err != nil {
			return fmt.Errorf("%w: finding %s: %v", ErrCorrupt, id, err)
		}
		out[id] = &f
		return nil
	})
	return out, err
}

func (s *BoltStore) getMany(ctx context.Context, bucket []byte, ids []string, fn func(id string, raw []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for _, id := range ids {
			if raw := b.Get([]byte(id)); raw != nil {
				if err := fn(id, raw); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Snapshot writes a consistent copy of the whole store file to w while
// other readers and writers carry on (bbolt's hot backup), and returns the
// change sequence the copy holds.
func (s *BoltStore) Snapshot(ctx context.Context, w io.Writer) (uint64, int64, error) {
	var seq uint64
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketChanges).Sequence()
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("snapshot store: %w", err)
	}
	return seq, n, ctx.Err()
}

// SnapshotSize returns the size Snapshot will write.
func (s *BoltStore) SnapshotSize() (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n, err
}
