package indexer

import (
	"context"
	"encoding/binary"
	"fmt"
	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"math/rand/v2"
	"slices"
	"testing"

	index "github.com/blevesearch/bleve_index_api"
)

// zapPosting is what a search reads of one posting.
type zapPosting struct {
	doc   uint64
	freq  uint64
	norm  float64
	locs  []uint64   // positions
	aps   [][]uint64 // and each one's array positions
	found bool
}

func (p zapPosting) String() string {
	return fmt.Sprintf("doc %d freq %d norm %v locs %v aps %v", p.doc, p.freq, p.norm, p.locs, p.aps)
}

// scorchPostings reads a term's postings through scorch's term field
// reader: the reference.
func scorchPostings(t *testing.T, r index.IndexReader, term, field string, withLocs bool) map[uint64]zapPosting {
	t.Helper()
	tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, true, true, withLocs)
	if err != nil {
		t.Fatal(err)
	}
	defer tfr.Close()
	out := map[uint64]zapPosting{}
	for {
		d, err := tfr.Next(&index.TermFieldDoc{})
		if err != nil {
			t.Fatal(err)
		}
		if d == nil {
			return out
		}
		p := zapPosting{doc: mustNum(t, d.ID), freq: d.Freq, norm: d.Norm, found: true}
		for _, v := range d.Vectors {
			p.locs = append(p.locs, v.Pos)
			p.aps = append(p.aps, slices.Clone(v.ArrayPositions))
		}
		out[p.doc] = p
	}
}

func readTermPostings(t *testing.T, tp *termPostings, n uint64) zapPosting {
	t.Helper()
	freq, norm, ok, err := tp.at(n)
	if err != nil {
		t.Fatal(err)
	}
	p := zapPosting{doc: n, found: ok}
	if !ok {
		return p
	}
	p.freq, p.norm = freq, norm
	if tp.withLocs {
		for k, pos := range tp.locPos {
			p.locs = append(p.locs, pos)
			if ap := tp.arrayPositions(k); len(ap) > 0 {
				p.aps = append(p.aps, slices.Clone(ap))
			} else {
				p.aps = append(p.aps, nil)
			}
		}
	}
	return p
}

// TestTermPostingsAgreeWithZap: reading a term's postings from zap's bytes
// gives, at every document asked about, what scorch's reader gives
// (whether the document holds the term, its frequency, norm, positions
// and array positions). Asked at every document, at a sparse random
// subset, and only at the postings, with long lists counted both ways
// (the dense copy and roaring's rank), on a snapshot with deleted
// documents and "1-hit" terms; and again down zap's own iterator.
func TestTermPostingsAgreeWithZap(t *testing.T) {
	r, is := mixedSnapshot(t)
	// termPostings is asked only about live documents (they come from
	// searches): the deleted are left out of the documents asked about.
	span := uint64(0)
	deleted := map[uint64]bool{}
	for _, ss := range is.Segments() {
		if d := ss.Deleted(); d != nil {
			for _, n := range d.ToArray() {
				deleted[span+uint64(n)] = true
			}
		}
		span += ss.Segment().Count()
	}
	cases := []struct {
		term, field string
		withLocs    bool
	}{
		{"人民", fieldTextWord, false}, {"法院", fieldTextWord, false}, {"的", fieldTextWord, false},
		{"鼾声如雷", fieldTextWord, false}, {"齁", fieldTextWord, false}, {"无此词", fieldTextWord, false},
		// The word field keeps no positions: its location stream is empty
		// (zap's offset 0), which must read as empty, not as the file's
		// first bytes.
		{"人民", fieldTextWord, true},
		{"人民", fieldTextBigram, true}, {"规定", fieldTextBigram, true}, {"条第", fieldTextBigram, true},
		{"鼾声", fieldTextBigram, true}, {"无此", fieldTextBigram, true},
	}
	rng := rand.New(rand.NewPCG(7, 2026))
	defer func(l uint64, d int) { longList, denseAfter, readZapBytes = l, d, true }(longList, denseAfter)
	fastSegs, fallbackSegs, compared, dense, chunked := 0, 0, 0, false, false
	for _, mode := range []struct {
		name       string
		longList   uint64
		denseAfter int
		readBytes  bool
	}{
		{"dense from the start", 64, 1, true},
		{"roaring's rank", 1 << 62, 1, true},
		{"dense after 50", 64, 50, true},
		{"default", longList, denseAfter, true},
		{"zap's iterator", longList, denseAfter, false},
	} {
		longList, denseAfter, readZapBytes = mode.longList, mode.denseAfter, mode.readBytes
		for _, c := range cases {
			want := scorchPostings(t, r, c.term, c.field, c.withLocs)
			open := func() *termPostings {
				tp, err := newTermPostings(is, c.field, []byte(c.term), c.withLocs)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range tp.segs {
					if s.z != nil {
						if c.field == fieldTextWord && c.withLocs && !s.z.one && !s.z.locs.empty {
							t.Fatalf("%s: the word field's location stream (offset 0) read as %d chunks", c.term, len(s.z.locs.ends))
						}
						fastSegs++
						if len(s.z.freqs.ends) > 1 {
							chunked = true
						}
						if !mode.readBytes {
							t.Fatalf("%s: zap's bytes read with readZapBytes off", c.term)
						}
					} else {
						fallbackSegs++
					}
				}
				if tp.count != uint64(len(want)) {
					t.Fatalf("%s: count %d, scorch has %d postings", c.term, tp.count, len(want))
				}
				return tp
			}
			check := func(how string, docs []uint64) {
				tp := open()
				defer tp.Close()
				defer func() {
					for _, s := range tp.segs {
						if s.z != nil && s.z.ranks != nil {
							dense = true
						}
					}
				}()
				for _, n := range docs {
					got := readTermPostings(t, tp, n)
					w, ok := want[n]
					if !ok {
						w = zapPosting{doc: n}
					}
					if got.String() != w.String() || got.found != w.found {
						t.Fatalf("%s, %s %s on %s, %s: at %d read\n%v (found %v), scorch has\n%v (found %v)", mode.name, how, c.term, c.field, how, n, got, got.found, w, w.found)
					}
					compared++
				}
			}
			var every, sparse, postings []uint64
			for n := range span {
				if deleted[n] {
					continue
				}
				every = append(every, n)
				if rng.IntN(40) == 0 {
					sparse = append(sparse, n)
				}
				if _, ok := want[n]; ok {
					postings = append(postings, n)
				}
			}
			check("every document", every)
			check("a sparse sample", sparse)
			check("the postings", postings)
			// Every 97th posting only: most of a chunk skipped each time.
			var far []uint64
			for i := 0; i < len(postings); i += 97 {
				far = append(far, postings[i])
			}
			check("every 97th posting", far)
		}
	}
	if fastSegs == 0 || fallbackSegs == 0 || !dense || !chunked || compared == 0 {
		t.Fatalf("%d segments read from bytes, %d through zap's iterator, a dense copy: %v, a list of several chunks: %v: the test does not test what it should", fastSegs, fallbackSegs, dense, chunked)
	}
}

// TestZapTermCountsAgreeWithZap: the postings counted from the bitmaps'
// headers are zap's own counts (deleted documents included) for every term
// of the bigram and word fields, on a snapshot with a merged segment
// ("1-hit" terms, deletions) and a second one; bitmaps with run containers
// and without are both among them.
func TestZapTermCountsAgreeWithZap(t *testing.T) {
	r, is := mixedSnapshot(t)
	runs, plain := 0, 0
	for _, field := range []string{fieldTextBigram, fieldTextWord} {
		fd, err := r.FieldDict(field)
		if err != nil {
			t.Fatal(err)
		}
		var terms []string
		for {
			e, err := fd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			terms = append(terms, e.Term)
		}
		fd.Close()
		if len(terms) < 1000 {
			t.Fatalf("%s: only %d terms", field, len(terms))
		}
		terms = append(terms, "无此", "")
		got, ok, err := zapTermCounts(is, field, terms)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", field, ok, err)
		}
		for i, term := range terms {
			var want uint64
			for _, ss := range is.Segments() {
				d, err := ss.Segment().Dictionary(field)
				if err != nil {
					t.Fatal(err)
				}
				pl, err := d.PostingsList([]byte(term), nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				want += pl.Count()
				if it, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator); ok {
					if bm := it.ActualBitmap(); bm != nil {
						if bm.HasRunCompression() {
							runs++
						} else {
							plain++
						}
					}
				}
			}
			if got[i] != want {
				t.Fatalf("%s %q: counted %d, zap %d", field, term, got[i], want)
			}
		}
	}
	if plain == 0 {
		t.Fatal("no bitmap was compared")
	}
	t.Logf("bitmaps with run containers %d, without %d", runs, plain)
	// zap wrote no run containers here; a bitmap with them, behind a
	// postings header as zap writes one, counts the same.
	for _, runsToo := range []bool{false, true} {
		bm := roaring.New()
		bm.AddRange(10, 70_000)
		bm.AddMany([]uint32{100_000, 100_002, 300_000})
		if runsToo {
			bm.RunOptimize()
			if !bm.HasRunCompression() {
				t.Fatal("no run containers")
			}
		}
		b, err := bm.ToBytes()
		if err != nil {
			t.Fatal(err)
		}
		mem := binary.AppendUvarint(binary.AppendUvarint(binary.AppendUvarint([]byte{0xff}, 123), 456), uint64(len(b)))
		mem = append(mem, b...)
		n, err := zapPostingCount(mem, 1)
		if err != nil || n != bm.GetCardinality() {
			t.Fatalf("runs %v: counted %d (%v), want %d", runsToo, n, err, bm.GetCardinality())
		}
		if _, err := zapPostingCount(mem[:len(mem)-3], 1); err == nil {
			t.Fatalf("runs %v: a cut bitmap counted", runsToo)
		}
	}
}
