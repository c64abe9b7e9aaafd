package corpus

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestFlippedBitInARecordIsRefused: bbolt's page structure survives a
// flipped bit inside a record's text, and the JSON may still decode, as
// other text. The record's checksum refuses it: reads fail with
// ErrCorrupt naming it, Check reports it, and the other records read as
// before.
func TestFlippedBitInARecordIsRefused(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	hurt := testDoc(t, "关于规范公务接待的通知\n严禁超标准接待，此段文字独一无二用于定位。")
	sound := testDoc(t, "关于加强巡察工作的通知\n坚持政治巡察定位。")
	f := testFinding("区委党校", "培训课程设置与干部需求脱节")
	if _, err := s.Apply(ctx, Batch{Documents: []*Document{hurt, sound}, Findings: []*Finding{f}}, "x"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Flip one bit of a Chinese character inside the document record (the
	// paragraph records hold the same text too: flip every copy).
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	marker := []byte("独一无二")
	n := 0
	for i := bytes.Index(b, marker); i >= 0; i = bytes.Index(b, marker) {
		b[i+1] ^= 0x01 // 独 (E7 8B AC) → E7 8A AC, 犬-like: still valid UTF-8
		n++
	}
	if n == 0 {
		t.Fatal("marker not found in the store file")
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	s2, err := OpenBolt(ctx, path, StoreOptions{})
	if err != nil {
		t.Fatalf("the page structure is intact, open must succeed: %v", err)
	}
	defer s2.Close()
	if _, err := s2.GetDocument(ctx, hurt.ID); !errors.Is(err, ErrCorrupt) {
		t.Errorf("reading the damaged document: %v, want ErrCorrupt", err)
	}
	if d, err := s2.GetDocument(ctx, sound.ID); err != nil || d.Title != sound.Title {
		t.Errorf("a sound document beside it: %+v, %v", d, err)
	}
	if got, err := s2.GetFinding(ctx, f.ID); err != nil || got.Unit != "区委党校" {
		t.Errorf("a sound finding: %+v, %v", got, err)
	}
	err = s2.EachDocument(ctx, func(*Document) error { return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("walking the documents: %v, want ErrCorrupt", err)
	}
	err = s2.Check(ctx)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), hurt.ID) {
		t.Errorf("check: %v, want ErrCorrupt naming %s", err, hurt.ID)
	}
}

// TestUnsealedStoreIsUpgraded: a store of the first format (records with no
// checksum) is sealed when opened for writing, and reads as before.
func TestUnsealedStoreIsUpgraded(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	d := testDoc(t, "关于加强巡察工作的通知\n坚持政治巡察定位。")
	f := testFinding("区委党校", "培训课程设置与干部需求脱节")
	if _, err := s.Apply(ctx, Batch{Documents: []*Document{d}, Findings: []*Finding{f}}, "x"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Turn it back into the first format: strip the seals.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range sealedBuckets {
			bk := tx.Bucket(name)
			if bk == nil {
				continue
			}
			var keys, vals [][]byte
			bk.ForEach(func(k, v []byte) error {
				body, err := openSeal(v)
				if err != nil {
					t.Fatalf("%s %q: %v", name, k, err)
				}
				keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(body))
				return nil
			})
			for i := range keys {
				if err := bk.Put(keys[i], vals[i]); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, schemaUnsealed)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s2, err := OpenBolt(ctx, path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.GetDocument(ctx, d.ID); err != nil || got.Title != d.Title {
		t.Errorf("document after the upgrade: %+v, %v", got, err)
	}
	if got, err := s2.GetFinding(ctx, f.ID); err != nil || got.Unit != f.Unit {
		t.Errorf("finding after the upgrade: %+v, %v", got, err)
	}
	if err := s2.Check(ctx); err != nil {
		t.Errorf("check after the upgrade: %v", err)
	}
}
