package indexer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/xuncha/xuncha/corpus"
)

// mixedSnapshot indexes a sample of the laws and returns a snapshot of
// it as searches see one: a merged segment (where zap writes "1-hit"
// postings) with deleted documents, and a second segment of replacements.
// Two passages hold words found nowhere else.
func mixedSnapshot(t *testing.T) (index.IndexReader, *scorch.IndexSnapshot) {
	t.Helper()
	ctx := context.Background()
	ps := lawParagraphs(t, 80)
	if len(ps) < 1000 {
		t.Fatalf("only %d paragraphs: the sample is too small", len(ps))
	}
	ix := openTestIndex(t, nil)
	// A passage whose words occur nowhere else: one-posting terms.
	ps = append(ps, Passage{ID: "only", Kind: corpus.KindFinding, Text: "鼾声如雷"}, Passage{ID: "only2", Kind: corpus.KindFinding, Text: "齁"})
	for start := 0; start < len(ps); start += 300 {
		if err := ix.Add(ctx, ps[start:min(start+300, len(ps))]); err != nil {
			t.Fatal(err)
		}
	}
	// One merged segment (zap writes "1-hit" postings when it merges),
	// then delete every seventh passage and replace every eleventh: both
	// leave deleted documents in it, and the replacements make a second.
	if err := compact(ctx, ix.live); err != nil {
		t.Fatal(err)
	}
	var deletes []string
	var replaced []Passage
	for i, p := range ps {
		switch {
		case i%7 == 3:
			deletes = append(deletes, p.ID)
		case i%11 == 5:
			replaced = append(replaced, p)
		}
	}
	deletes = append(deletes, "only2")
	if err := ix.apply(ctx, replaced, deletes, 0); err != nil {
		t.Fatal(err)
	}
	r, err := ix.snapshotReader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		t.Fatalf("the reader is a %T", r)
	}
	deleted := 0
	for _, ss := range is.Segments() {
		if d := ss.Deleted(); d != nil {
			deleted += int(d.GetCardinality())
		}
	}
	if len(is.Segments()) < 2 || deleted == 0 {
		t.Fatalf("%d segments, %d deleted documents: the snapshot does not test what it should", len(is.Segments()), deleted)
	}
	return r, is
}

// TestPostingBitsAgreeWithScorch: walking a term's bitmaps gives the
// document numbers scorch's term field reader gives, in order, on a
// snapshot of several segments with deleted and replaced passages and
// one-posting terms, for Next and for Advance (forward, across segments,
// and back).
func TestPostingBitsAgreeWithScorch(t *testing.T) {
	ctx := context.Background()
	r, is := mixedSnapshot(t)

	rng := rand.New(rand.NewPCG(3, 2026))
	cases := []struct{ term, field string }{
		{"规定", fieldTextBigram}, {"法律", fieldTextBigram}, {"雷", fieldTextUnigram}, {"齁", fieldTextUnigram}, {"的", fieldTextWord},
		{"人民", fieldTextBigram}, {"罚款", fieldTextBigram}, {"鼾声", fieldTextBigram}, {"无此", fieldTextBigram},
		// The word field keeps frequencies: zap writes a term in one
		// passage, once, as a "1-hit" posting without a bitmap.
		{"鼾声如雷", fieldTextWord}, {"鼾声", fieldTextWord}, {"齁", fieldTextWord}, {"人民", fieldTextWord},
	}
	walked, ones := 0, 0
	for _, c := range cases {
		bits, ok, err := newPostingBits(is, c.field, []byte(c.term))
		if err != nil || !ok {
			t.Fatalf("%s: %v, %v", c.term, ok, err)
		}
		for _, sb := range bits.segs {
			if sb.bm == nil {
				ones++
			}
		}
		want := scorchDocNums(t, r, c.term, c.field)
		if bits.count != uint64(len(want)) {
			t.Fatalf("%s: count %d, scorch has %d", c.term, bits.count, len(want))
		}
		var got []uint64
		for n, ok := bits.next(); ok; n, ok = bits.next() {
			got = append(got, n)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: walked %d numbers, scorch %d:\n%v\n%v", c.term, len(got), len(want), head64(got), head64(want))
		}
		walked += len(got)

		// Advance straight to a posting, and to just past it.
		for i, w := range want {
			if i >= 5 && i < len(want)-5 {
				continue
			}
			for _, target := range []uint64{w, w + 1} {
				bits, _, _ := newPostingBits(is, c.field, []byte(c.term))
				n, ok := bits.advance(target)
				wantN, wantOK := uint64(0), false
				for _, x := range want {
					if x >= target {
						wantN, wantOK = x, true
						break
					}
				}
				if n != wantN || ok != wantOK {
					t.Fatalf("%s: advance to %d gave %d %v, want %d %v", c.term, target, n, ok, wantN, wantOK)
				}
			}
		}

		// Advance to increasing targets, with one step back.
		bits, _, _ = newPostingBits(is, c.field, []byte(c.term))
		tfr, err := r.TermFieldReader(ctx, []byte(c.term), c.field, false, false, false)
		if err != nil {
			t.Fatal(err)
		}
		span := uint64(0)
		for _, ss := range is.Segments() {
			span += ss.Segment().Count()
		}
		target := uint64(0)
		for step := 0; step < 60; step++ {
			if step == 30 && target > 100 {
				target -= 100 // back: both start again from the beginning
			} else {
				target += uint64(rng.IntN(int(span/20) + 1))
			}
			d, err := tfr.Advance(internalID(target), &index.TermFieldDoc{})
			if err != nil {
				t.Fatal(err)
			}
			n, ok := bits.advance(target)
			switch {
			case d == nil && ok:
				t.Fatalf("%s: advance to %d gave %d, scorch nothing", c.term, target, n)
			case d != nil && !ok:
				t.Fatalf("%s: advance to %d gave nothing, scorch %x", c.term, target, []byte(d.ID))
			case d != nil && mustNum(t, d.ID) != n:
				t.Fatalf("%s: advance to %d gave %d, scorch %d", c.term, target, n, mustNum(t, d.ID))
			}
			if d == nil {
				break
			}
			// And the next one after it.
			d, err = tfr.Next(&index.TermFieldDoc{})
			if err != nil {
				t.Fatal(err)
			}
			n, ok = bits.next()
			if (d == nil) != !ok || (d != nil && mustNum(t, d.ID) != n) {
				t.Fatalf("%s: next after advancing to %d differs (%v %d)", c.term, target, d, n)
			}
			if d == nil {
				break
			}
			target = n
		}
		tfr.Close()
	}
	// Several terms: the documents holding all of them.
	for _, pair := range [][2]string{{"人民", "法院"}, {"罚款", "人民"}, {"鼾声", "声如"}, {"人民", "无此"}} {
		bits, ok, err := newPostingBits(is, fieldTextBigram, []byte(pair[0]), []byte(pair[1]))
		if err != nil || !ok {
			t.Fatalf("%v: %v, %v", pair, ok, err)
		}
		inB := map[uint64]bool{}
		for _, n := range scorchDocNums(t, r, pair[1], fieldTextBigram) {
			inB[n] = true
		}
		var want, got []uint64
		for _, n := range scorchDocNums(t, r, pair[0], fieldTextBigram) {
			if inB[n] {
				want = append(want, n)
			}
		}
		for n, ok := bits.next(); ok; n, ok = bits.next() {
			got = append(got, n)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || bits.count != uint64(len(want)) {
			t.Fatalf("%v: %d numbers (count %d), scorch's intersection %d:\n%v\n%v", pair, len(got), bits.count, len(want), head64(got), head64(want))
		}
		if pair[0] == "人民" && pair[1] == "法院" && len(want) < 20 {
			t.Fatalf("人民 and 法院 together in only %d passages: the sample is too small", len(want))
		}
		// contains agrees, asked in order.
		bits, _, _ = newPostingBits(is, fieldTextBigram, []byte(pair[0]), []byte(pair[1]))
		set := map[uint64]bool{}
		for _, n := range want {
			set[n] = true
		}
		for n := uint64(0); n < 6000; n += 3 {
			if bits.contains(n) != set[n] {
				t.Fatalf("%v: contains(%d) = %v", pair, n, !set[n])
			}
		}
	}
	if walked < 2000 || ones == 0 {
		t.Fatalf("%d postings walked, %d segments with one posting: the terms do not test what they should", walked, ones)
	}
}

func scorchDocNums(t *testing.T, r index.IndexReader, term, field string) []uint64 {
	t.Helper()
	var out []uint64
	for n := range scorchPostings(t, r, term, field, false) {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func mustNum(t *testing.T, id index.IndexInternalID) uint64 {
	t.Helper()
	n, ok := docNum(id)
	if !ok {
		t.Fatalf("unexpected document number %x", []byte(id))
	}
	return n
}

func head64(ns []uint64) []uint64 { return ns[:min(len(ns), 20)] }

// TestPostingBitsAgreesWithRoaring: walking and advancing through segment
// bitmaps in batches gives the numbers roaring's own iterator gives, for
// advances within a batch, just past it, far past it and back.
func TestPostingBitsAgreesWithRoaring(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var segs []segBits
		var all []uint64
		var base uint64
		for range 1 + rng.IntN(3) {
			size := uint64(1 + rng.IntN(300_000))
			density := []float64{0.001, 0.05, 0.5, 0.95}[rng.IntN(4)]
			bm := roaring.New()
			for range int(float64(size) * density) {
				bm.Add(uint32(rng.Uint64N(size)))
			}
			switch {
			case bm.IsEmpty():
			case bm.GetCardinality() == 1 && rng.IntN(2) == 0:
				segs = append(segs, segBits{base: base, end: base + size, one: uint64(bm.Minimum())})
			default:
				segs = append(segs, segBits{base: base, end: base + size, bm: bm})
			}
			if !bm.IsEmpty() {
				for _, x := range bm.ToArray() {
					all = append(all, base+uint64(x))
				}
			}
			base += size
		}
		p := &postingBits{segs: segs}
		// want is the index in all of the next number; the first at or
		// after n for an advance.
		want := 0
		for op := 0; op < 2000; op++ {
			var got uint64
			var ok bool
			switch k := rng.IntN(10); {
			case k < 6 || !p.started:
				got, ok = p.next()
			default:
				from := p.last
				var n uint64
				switch k {
				case 6:
					n = from + 1 + rng.Uint64N(300) // within a batch
				case 7:
					n = from + 1 + rng.Uint64N(5000) // about a batch on
				case 8:
					n = from + 1 + rng.Uint64N(200_000) // far
				default:
					n = rng.Uint64N(from + 1) // back: from the start
				}
				got, ok = p.advance(n)
				want, _ = slices.BinarySearch(all, n)
			}
			if want >= len(all) {
				if ok {
					t.Fatalf("round %d op %d: got %d past the end", round, op, got)
				}
				break
			}
			if !ok || got != all[want] {
				t.Fatalf("round %d op %d: got %d %v, want %d", round, op, got, ok, all[want])
			}
			want++
		}
	}
}
