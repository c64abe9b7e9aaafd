package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func openTestStore(t *testing.T) (*BoltStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s, err := OpenBolt(context.Background(), path, StoreOptions{Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func testDoc(t *testing.T, text string) *Document {
	t.Helper()
	d, err := Parse(context.Background(), "test.txt", []byte(text), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testFinding(unit, desc string) *Finding {
	f := &Finding{Unit: unit, Round: "九届区委第十轮", Description: desc, Rectification: Rectification{Status: StatusNotStarted}}
	f.ID = FindingID(f.Unit, f.Round, f.Description)
	return f
}

func TestStoreApplyIsIdempotentAndFeedsChanges(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		d := testDoc(t, "关于加强巡察工作的通知\n一、总体要求\n坚持政治巡察定位。")
		f := testFinding("区委办公室", "发文数量居高不下")
		res, err := s.Apply(ctx, Batch{Documents: []*Document{d}, Findings: []*Finding{f}}, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Added) != 2 || res.LastSeq != 2 {
			t.Fatalf("first apply: %+v", res)
		}
		res, err = s.Apply(ctx, Batch{Documents: []*Document{d}, Findings: []*Finding{f}}, "alice")
		if err != nil || len(res.Unchanged) != 2 || res.LastSeq != 0 {
			t.Fatalf("second apply of the same content: %+v, %v", res, err)
		}
		changes, err := s.Changes(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []Change{
			{Seq: 1, Op: OpPut, Entity: EntityDocument, ID: d.ID, Who: "alice"},
			{Seq: 2, Op: OpPut, Entity: EntityFinding, ID: f.ID, Who: "alice"},
		}
		if diff := cmp.Diff(want, changes, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".At" }, cmp.Ignore())); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		if c, _ := s.Changes(ctx, 1, 10); len(c) != 1 || c[0].Seq != 2 {
			t.Errorf("changes after 1: %+v", c)
		}
		got, err := s.GetDocument(ctx, d.ID)
		if err != nil || got.Title != d.Title || len(got.Paragraphs()) != len(d.Paragraphs()) {
			t.Errorf("get document: %+v, %v", got, err)
		}
	})
}

func TestStoreRectificationHistory(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		f := testFinding("区人力资源和社会保障局", "就业补贴审核把关不严")
		if _, err := s.PutFinding(ctx, f, "editor1"); err != nil {
			t.Fatal(err)
		}
		g := testFinding("区财政局", "资金拨付滞后")
		if _, err := s.PutFinding(ctx, g, "editor1"); err != nil {
			t.Fatal(err)
		}
		if m, err := s.GetFindings(ctx, []string{f.ID, "f-none", g.ID}); err != nil || len(m) != 2 || m[g.ID].Unit != "区财政局" || m[f.ID].Description != f.Description {
			t.Errorf("findings in one call: %+v, %v", m, err)
		}
		r := Rectification{Status: StatusInProgress, Measures: "开展专项清查", Responsible: "张某某"}
		if _, err := s.UpdateRectification(ctx, f.ID, r, "editor2", "第一次推进会后更新"); err != nil {
			t.Fatal(err)
		}
		r.Status = StatusDone
		if _, err := s.UpdateRectification(ctx, f.ID, r, "editor3", ""); err != nil {
			t.Fatal(err)
		}
		h, err := s.History(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 {
			t.Fatalf("history has %d entries, want 3: %+v", len(h), h)
		}
		if h[1].Who != "editor2" || h[1].Note != "第一次推进会后更新" {
			t.Errorf("second entry %+v", h[1])
		}
		wantLast := []FieldChange{{Field: "status", Before: "整改中", After: "已整改"}}
		if diff := cmp.Diff(wantLast, h[2].Changes); diff != "" {
			t.Errorf("last change (-want +got):\n%s", diff)
		}
		if _, err := s.UpdateRectification(ctx, f.ID, Rectification{Status: "完成了"}, "x", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad status: %v, want ErrInvalid", err)
		}
		if _, err := s.UpdateRectification(ctx, "f-nope", r, "x", ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown finding: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, EntityFinding, f.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetFinding(ctx, f.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted finding: %v", err)
		}
		if h, _ := s.History(ctx, f.ID); len(h) != 4 || h[3].Op != OpDelete || h[3].Who != "admin" {
			t.Errorf("history after delete: %+v", h)
		}
	})
}

// TestStoreBatchIsAllOrNothing: one invalid finding refuses the whole batch.
func TestStoreBatchIsAllOrNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		good := testFinding("区委编办", "借调人员管理不规范")
		bad := testFinding("", "单位为空")
		if _, err := s.Apply(ctx, Batch{Findings: []*Finding{good, bad}}, "x"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("apply with an invalid finding: %v", err)
		}
		if seq, _ := s.LastSeq(ctx); seq != 0 {
			t.Errorf("a refused batch moved the change feed to %d", seq)
		}
		if _, f, _ := s.Counts(ctx); f != 0 {
			t.Errorf("a refused batch stored %d findings", f)
		}
	})
}

func TestStoreReopenAndDamage(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	f := testFinding("区委党校", "培训课程设置与干部需求脱节")
	if _, err := s.PutFinding(ctx, f, "x"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := OpenBolt(ctx, path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.GetFinding(ctx, f.ID); err != nil || got.Unit != "区委党校" {
		t.Errorf("after reopen: %+v, %v", got, err)
	}
	if err := s2.Check(ctx); err != nil {
		t.Errorf("check of a sound store: %v", err)
	}
	s2.Close()

	// A file that is not a store is reported as damaged, not opened.
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("this is not a bbolt file, it is a text file of some length........"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBolt(ctx, junk, StoreOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("open junk: %v, want ErrCorrupt", err)
	}
}
