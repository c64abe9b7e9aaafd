package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuncha/xuncha/corpus"
)

func TestLoad(t *testing.T) {
	ctx := context.Background()
	s, err := corpus.OpenBolt(ctx, filepath.Join(t.TempDir(), "store.db"), corpus.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opts := corpus.ParseOptions{Now: func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }}
	sum, err := Load(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	// 1 speech + 9 regulations + 14 notices; 32 ledger rows + 105 notice cases.
	if sum.Documents != 24 || sum.Findings != 32+105 {
		t.Errorf("loaded %+v, want 24 documents and 137 findings", sum)
	}
	docs, findings, err := s.Counts(ctx)
	if err != nil || docs != 24 || findings != 137 {
		t.Errorf("store holds %d documents, %d findings (%v)", docs, findings, err)
	}
	seq, _ := s.LastSeq(ctx)
	// Loading again changes nothing.
	if _, err := Load(ctx, s, opts); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.LastSeq(ctx); again != seq {
		t.Errorf("second load moved the change feed from %d to %d", seq, again)
	}
	samples := 0
	err = s.EachFinding(ctx, func(f *corpus.Finding) error {
		if f.Sample {
			samples++
		}
		return nil
	})
	if err != nil || samples != 32 {
		t.Errorf("%d findings marked 示例数据, want the 32 ledger rows (%v)", samples, err)
	}
}
