package indexer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/xuncha/xuncha/corpus"
)

// ErrDamaged is wrapped by the errors of an index whose files are damaged:
// truncated, overwritten or with flipped bits. The store holds everything
// the index does, so the caller rebuilds the index from it.
var ErrDamaged = errors.New("the index is damaged")

// verifyLatestSnapshot checks, before scorch opens the index in genDir,
// every segment file its latest persisted snapshot names against the
// CRC-32 in the file's footer (zap writes, as its last 4 bytes, the IEEE
// CRC-32 of everything before them). Scorch checks neither: given a
// damaged segment it silently falls back to an older snapshot, or serves a
// flipped bit as wrong results or a panic at query time. Reading every byte
// costs about a second per GB here.
func verifyLatestSnapshot(genDir string) (checked int, err error) {
	storeDir := filepath.Join(genDir, "store")
	root := filepath.Join(storeDir, "root.bolt")
	if _, err := os.Stat(root); errors.Is(err, os.ErrNotExist) {
		return 0, nil // nothing persisted yet
	}
	db, err := bolt.Open(root, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrDamaged, root, err)
	}
	defer db.Close()
	var paths []string
	err = db.View(func(tx *bolt.Tx) (err error) {
		defer func() {
			if r := recover(); r != nil { // bbolt panics on some damaged pages
				err = fmt.Errorf("%v", r)
			}
		}()
		snaps := tx.Bucket([]byte{'s'})
		if snaps == nil {
			return nil
		}
		k, _ := snaps.Cursor().Last()
		if k == nil {
			return nil
		}
		snap := snaps.Bucket(k)
		if snap == nil {
			return errors.New("the latest snapshot has no bucket")
		}
		return snap.ForEach(func(k, v []byte) error {
			if v != nil || len(k) == 0 || k[0] == 'm' || k[0] == 'i' {
				return nil // metadata and internal values, not segments
			}
			seg := snap.Bucket(k)
			if p := seg.Get([]byte{'p'}); p != nil {
				paths = append(paths, filepath.Join(storeDir, filepath.Base(string(p))))
			} else {
				return fmt.Errorf("segment %x has no file", k)
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrDamaged, root, err)
	}
	for _, p := range paths {
		if err := verifySegmentFile(p); err != nil {
			return checked, err
		}
		checked++
	}
	return checked, nil
}

func verifySegmentFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if st.Size() < 4 {
		return fmt.Errorf("%w: segment %s is %d bytes long", ErrDamaged, path, st.Size())
	}
	h := crc32.NewIEEE()
	if _, err := io.CopyN(h, f, st.Size()-4); err != nil {
		return fmt.Errorf("%w: reading segment %s: %v", ErrDamaged, path, err)
	}
	var tail [4]byte
	if _, err := io.ReadFull(f, tail[:]); err != nil {
		return fmt.Errorf("%w: reading segment %s: %v", ErrDamaged, path, err)
	}
	if stored := binary.BigEndian.Uint32(tail[:]); h.Sum32() != stored {
		return fmt.Errorf("%w: segment %s fails its checksum (computed %08x, footer %08x)", ErrDamaged, path, h.Sum32(), stored)
	}
	return nil
}

// Walker is a store that lists everything it holds.
type Walker interface {
	EachDocument(ctx context.Context, fn func(*corpus.Document) error) error
	EachFinding(ctx context.Context, fn func(*corpus.Finding) error) error
}

// Consistency is how the index compares with the store it follows.
type Consistency struct {
	StorePassages, IndexPassages int
	// Missing are passages of the store the index lacks, Extra passages of
	// the index the store lacks (the first 20 of each, sorted).
	Missing, Extra []string
}

// OK reports whether the index holds exactly the store's passages.
func (c Consistency) OK() bool { return len(c.Missing) == 0 && len(c.Extra) == 0 }

// Compare lists the passage IDs the store implies (every paragraph of every
// document, every finding) and those the index holds, and compares them. The
// caller makes sure the index has caught up first.
func (ix *Index) Compare(ctx context.Context, w Walker) (Consistency, error) {
	want := map[string]bool{}
	err := w.EachDocument(ctx, func(d *corpus.Document) error {
		for _, p := range d.Paragraphs() {
			want[p.ID] = true
		}
		return nil
	})
	if err == nil {
		err = w.EachFinding(ctx, func(f *corpus.Finding) error { want[f.ID] = true; return nil })
	}
	if err != nil {
		return Consistency{}, fmt.Errorf("compare: %w", err)
	}
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	r, err := reader(b)
	if err != nil {
		return Consistency{}, fmt.Errorf("compare: %w", err)
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return Consistency{}, fmt.Errorf("compare: %w", err)
	}
	defer ids.Close()
	c := Consistency{StorePassages: len(want)}
	have := map[string]bool{}
	for {
		id, err := ids.Next()
		if err != nil {
			return Consistency{}, fmt.Errorf("compare: %w", err)
		}
		if id == nil {
			break
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return Consistency{}, fmt.Errorf("compare: %w", err)
		}
		have[ext] = true
		if !want[ext] {
			c.Extra = append(c.Extra, ext)
		}
	}
	c.IndexPassages = len(have)
	for id := range want {
		if !have[id] {
			c.Missing = append(c.Missing, id)
		}
	}
	trim := func(s []string) []string {
		sort.Strings(s)
		return s[:min(len(s), 20)]
	}
	c.Missing, c.Extra = trim(c.Missing), trim(c.Extra)
	return c, nil
}
