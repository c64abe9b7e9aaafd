package indexer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	zap "github.com/blevesearch/zapx/v17"
)

// termPostings reads one term's frequencies, norms and, if asked, positions
// at documents a search names in increasing order: the ranking words at
// the must clause's matches (ranked.go), a chain's bigrams at its
// candidates (chain.go).
//
// zap keeps a term's frequencies, norms and locations in chunks of about
// 1,024 postings, each decoded from its start, and its postings iterator
// finds a document by stepping through the posting bitmap one posting at a
// time, decoding each posting it passes. Ranking a few thousand matches
// against a word in 77,000 passages, or checking a chain's candidates
// against bigrams in 50,000, stepped through most of those postings: a
// third of the server's CPU under the HTTP benchmark. On a persisted zap
// segment termPostings reads zap's bytes itself: the posting's place in
// its chunk is counted from the bitmap (a popcount over a dense copy for
// long lists), and the postings before it in the chunk are skipped without
// being decoded into Postings. Segments still in memory, or written through
// a file callback, are read through zap's own iterator.
//
// The format read is zapx v17's (posting.go, intDecoder.go, chunk.go);
// TestTermPostingsAgreeWithZap compares every posting with zap's iterator.
type termPostings struct {
	segs        []termSeg
	i           int
	bi          int    // the segment rankTerm.boundAt stands at
	bLast       uint64 // the document it was last asked about
	field, term string
	withLocs    bool
	count       uint64 // documents holding the term, the deleted left out
	// fieldLen is the field's length in the document of the last posting
	// read from zap's bytes (zap keeps it for the norm), 0 if read through
	// zap's iterator.
	fieldLen uint64

	// The locations of the last posting read, if withLocs: positions, and
	// each one's array positions (aps[apAt[k]:apAt[k+1]]).
	locPos []uint64
	apAt   []int
	aps    []uint64
}

type termSeg struct {
	base, end uint64
	z         *zapTerm                 // zap's bytes, read here
	it        segment.PostingsIterator // else zap's iterator
	cur       segment.Posting          // where it stands (nil: before its first)
	done      bool                     // it has no more postings
	// ub are the blocks' score bounds for the query (bounds.go), nil
	// until asked for, empty if the segment has none.
	ub []float64
}

// newTermPostings opens term's postings on field in every segment of is.
func newTermPostings(is *scorch.IndexSnapshot, field string, term []byte, withLocs bool) (*termPostings, error) {
	t := &termPostings{withLocs: withLocs, field: field, term: string(term)}
	var base uint64
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		end := base + seg.Count()
		s := termSeg{base: base, end: end}
		base = end
		if zs, ok := readableZap(seg); ok {
			z, err := openZapTerm(zs, field, term, withLocs)
			if err != nil {
				return nil, err
			}
			if z == nil {
				continue // no posting here
			}
			s.z = z
			t.count += z.live(ss.Deleted())
		} else {
			d, err := seg.Dictionary(field)
			if err != nil {
				return nil, err
			}
			pl, err := d.PostingsList(term, ss.Deleted(), nil)
			if err != nil {
				return nil, err
			}
			if pl.Count() == 0 {
				continue
			}
			t.count += pl.Count()
			s.it = pl.Iterator(true, true, withLocs, nil)
		}
		t.segs = append(t.segs, s)
	}
	return t, nil
}

// at returns the term's frequency and norm in document n (a live
// document: the caller's documents come from searches, which skip the
// deleted), and ok false if n does not hold the term. With withLocs, the
// posting's locations are in locPos, apAt and aps until the next call.
// Calls come with n increasing.
func (t *termPostings) at(n uint64) (freq uint64, norm float64, ok bool, err error) {
	for t.i < len(t.segs) && t.segs[t.i].end <= n {
		t.segs[t.i].release()
		t.i++
	}
	if t.i == len(t.segs) || n < t.segs[t.i].base {
		return 0, 0, false, nil
	}
	s := &t.segs[t.i]
	local := n - s.base
	if s.z != nil {
		var normBits uint64
		var locs []byte
		freq, normBits, locs, ok, err = s.z.at(uint32(local))
		if !ok || err != nil {
			return 0, 0, false, err
		}
		if t.withLocs {
			if err := t.decodeLocs(locs); err != nil {
				return 0, 0, false, err
			}
		}
		t.fieldLen = normBits
		return freq, normOf(normBits), true, nil
	}
	if s.done {
		return 0, 0, false, nil
	}
	if s.cur == nil || s.cur.Number() < local {
		if s.cur, err = s.it.Advance(local); err != nil {
			return 0, 0, false, err
		}
		if s.cur == nil {
			s.done = true
			return 0, 0, false, nil
		}
	}
	if s.cur.Number() != local {
		return 0, 0, false, nil
	}
	t.fieldLen = 0
	if t.withLocs {
		t.locPos, t.apAt, t.aps = t.locPos[:0], append(t.apAt[:0], 0), t.aps[:0]
		for _, l := range s.cur.Locations() {
			t.locPos = append(t.locPos, l.Pos())
			t.aps = append(t.aps, l.ArrayPositions()...)
			t.apAt = append(t.apAt, len(t.aps))
		}
	}
	return s.cur.Frequency(), s.cur.Norm(), true, nil
}

// zap keeps the field's length as a posting's norm bits, and its
// Posting.Norm gives normOf of them; norms holds the first lengths'.
var norms = func() (t [1024]float64) {
	for n := range t {
		t[n] = float64(float32(1 / math.Sqrt(float64(n))))
	}
	return t
}()

func normOf(bits uint64) float64 {
	if bits < uint64(len(norms)) {
		return norms[bits]
	}
	return float64(float32(1 / math.Sqrt(float64(uint32(bits)))))
}

// arrayPositions returns the array positions of location k of the last
// posting.
func (t *termPostings) arrayPositions(k int) []uint64 {
	return t.aps[t.apAt[k]:t.apAt[k+1]]
}

// decodeLocs decodes a posting's location bytes as zap writes them: per
// location its field, position, start, end, the number of array positions
// and those.
func (t *termPostings) decodeLocs(b []byte) error {
	t.locPos, t.apAt, t.aps = t.locPos[:0], append(t.apAt[:0], 0), t.aps[:0]
	var v [5]uint64
	for len(b) > 0 {
		for k := range v {
			x, n := binary.Uvarint(b)
			if n <= 0 {
				return errZapFormat
			}
			v[k], b = x, b[n:]
		}
		t.locPos = append(t.locPos, v[1])
		for range v[4] {
			x, n := binary.Uvarint(b)
			if n <= 0 {
				return errZapFormat
			}
			t.aps, b = append(t.aps, x), b[n:]
		}
		t.apAt = append(t.apAt, len(t.aps))
	}
	return nil
}

// Close gives back the dense copies of the posting bitmaps.
func (t *termPostings) Close() {
	for i := range t.segs {
		t.segs[i].release()
	}
}

func (s *termSeg) release() {
	if s.z != nil && s.z.ranks != nil {
		rankPool.Put(s.z.ranks)
		s.z.ranks = nil
	}
}

// readZapBytes lets termPostings read persisted segments' bytes; tests turn
// it off to check zap's iterator, which it falls back to (no test runs in
// parallel).
var readZapBytes = true

var errZapFormat = errors.New("search: a zap segment's postings are not in the format expected")

// zapTerm is one term's postings in one persisted zap segment.
type zapTerm struct {
	// A "1-hit" term: one posting, frequency 1, kept in the dictionary.
	one      bool
	oneDoc   uint32
	oneNorm  uint64
	all      *roaring.Bitmap // the postings, deleted documents included: the chunks follow it
	ranks    *rankIndex      // a dense copy of all, for long lists asked often
	card     uint64          // all's length
	lookups  int             // documents asked about, while ranks is nil
	docs     uint64          // the segment's documents
	chunk    uint32          // documents per chunk
	freqs    chunks
	locs     chunks
	withLocs bool
	segPath  string // the segment's file and size, which name its score bounds (bounds.go)
	segSize  int

	cur    int    // the chunk loaded, -1 if none
	fb, lb []byte // the rest of its frequency and location bytes
	next   uint64 // the index in all of the posting fb stands at
	last   []byte // the location bytes of the posting read last
}

// chunks is one of a postings list's chunked streams: the chunk ends
// (relative to data), then the chunks. A stream with nothing in it (zap's
// offset 0, termNotEncoded) has no chunks, and reads as empty.
type chunks struct {
	ends  []uint64
	data  []byte
	empty bool
}

// A postings list of longList postings or more is looked up and counted
// in a dense copy once it has been asked about denseAfter documents: the
// copy takes a few microseconds to build for the laws' 342,000 passages,
// roaring looks up and ranks by binary search (about 60 ns a document in
// an array container, more in a bitmap container, where it counts bits
// from the container's start). The count starts again in every segment:
// on the six segments a rebuild of the laws leaves, phrases took 1.25–1.27
// ms at p50 with 64 and 1.10 with 16 (8: 1.10), the same 0.91–0.94 on one
// segment either way, and word queries the same. (Variables: tests vary
// them.)
var (
	longList   uint64 = 256
	denseAfter        = 16
)

func openZapTerm(zs *zap.Segment, field string, term []byte, withLocs bool) (*zapTerm, error) {
	fst, err := zapFST(zs, field)
	if err != nil || fst == nil {
		return nil, err
	}
	off, exists, err := fst.Get(term)
	if err != nil || !exists {
		return nil, err
	}
	z := &zapTerm{cur: -1, withLocs: withLocs, segPath: zs.Path(), segSize: len(zs.Data())}
	if off&zap.FSTValEncodingMask == zap.FSTValEncoding1Hit {
		doc, norm := zap.FSTValDecode1Hit(off)
		z.one, z.oneDoc, z.oneNorm = true, uint32(doc), norm
		return z, nil
	}
	mem := zs.Data()
	freqOff, locOff, bm, err := zapPostingsHeader(mem, off)
	if err != nil {
		return nil, err
	}
	z.all = roaring.New()
	if _, err := z.all.FromBuffer(bm); err != nil {
		return nil, fmt.Errorf("search: a zap posting bitmap: %w", err)
	}
	card := z.all.GetCardinality()
	z.card, z.docs = card, zs.NumDocs()
	size, err := zapChunkSize(zs.ChunkMode(), card, zs.NumDocs())
	if err != nil {
		return nil, err
	}
	z.chunk = uint32(size)
	if z.freqs, err = readChunks(mem, freqOff); err != nil {
		return nil, err
	}
	if withLocs {
		if z.locs, err = readChunks(mem, locOff); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// zapFST loads the term dictionary of field in a persisted segment, nil if
// the segment has no such field.
// readableZap returns seg as a zap segment whose bytes termPostings reads:
// persisted (not written through a file callback), in the version read
// here, and readZapBytes on.
func readableZap(seg segment.Segment) (*zap.Segment, bool) {
	zs, ok := seg.(*zap.Segment)
	return zs, ok && readZapBytes && zs.CallbackId() == "" && zs.Version() == zap.Version
}

// zapPostingsHeader reads the postings list at off in a segment's bytes:
// the offsets of its frequency and location streams, and its bitmap.
func zapPostingsHeader(mem []byte, off uint64) (freqOff, locOff uint64, bm []byte, err error) {
	var hdr [3]uint64
	p := off
	for k := range hdr {
		if p >= uint64(len(mem)) {
			return 0, 0, nil, errZapFormat
		}
		x, n := binary.Uvarint(mem[p:])
		if n <= 0 {
			return 0, 0, nil, errZapFormat
		}
		hdr[k], p = x, p+uint64(n)
	}
	if hdr[2] > uint64(len(mem))-p {
		return 0, 0, nil, errZapFormat
	}
	return hdr[0], hdr[1], mem[p : p+hdr[2]], nil
}

func zapFST(zs *zap.Segment, field string) (*vellum.FST, error) {
	addr, err := zs.DictAddr(field)
	if err != nil {
		return nil, nil // the field has no postings in this segment
	}
	mem := zs.Data()
	if addr >= uint64(len(mem)) {
		return nil, errZapFormat
	}
	size, n := binary.Uvarint(mem[addr:])
	if n <= 0 || size == 0 || addr+uint64(n)+size > uint64(len(mem)) {
		return nil, errZapFormat
	}
	start := addr + uint64(n)
	return vellum.Load(mem[start : start+size])
}

// zapChunkSize is zap's getChunkSize: documents per chunk, from the
// segment's chunk mode, the list's length and the segment's documents.
func zapChunkSize(mode uint32, card, docs uint64) (uint64, error) {
	var size uint64
	switch {
	case mode == 0:
	case mode <= 1024:
		size = uint64(mode)
	case mode == 1025:
		size = 1024
		if card <= 1024 {
			size = docs
		}
	case mode == 1026:
		size = docs / (card/1024 + 1)
	default:
		return 0, fmt.Errorf("search: zap chunk mode %d unknown", mode)
	}
	if size == 0 {
		return 0, errZapFormat
	}
	return size, nil
}

func readChunks(mem []byte, off uint64) (chunks, error) {
	if off == 0 {
		return chunks{empty: true}, nil
	}
	if off >= uint64(len(mem)) {
		return chunks{}, errZapFormat
	}
	b := mem[off:]
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)) {
		return chunks{}, errZapFormat
	}
	b = b[n:]
	ends := make([]uint64, count)
	for k := range ends {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return chunks{}, errZapFormat
		}
		ends[k], b = x, b[n:]
	}
	if count > 0 && ends[count-1] > uint64(len(b)) {
		return chunks{}, errZapFormat
	}
	return chunks{ends: ends, data: b}, nil
}

func (c *chunks) get(k int) ([]byte, error) {
	if c.empty {
		return nil, nil
	}
	if k >= len(c.ends) {
		return nil, errZapFormat
	}
	var start uint64
	if k > 0 {
		start = c.ends[k-1]
	}
	if start > c.ends[k] || c.ends[k] > uint64(len(c.data)) {
		return nil, errZapFormat
	}
	return c.data[start:c.ends[k]], nil
}

// at reads document d's posting, if d is among the postings: its
// frequency, norm bits and location bytes. Calls come with d increasing
// (a step back loads the chunk again).
func (z *zapTerm) at(d uint32) (freq, normBits uint64, locs []byte, ok bool, err error) {
	if z.one {
		if d != z.oneDoc {
			return 0, 0, nil, false, nil
		}
		return 1, z.oneNorm, nil, true, nil
	}
	if z.ranks == nil && z.card >= longList {
		if z.lookups++; z.lookups >= denseAfter {
			z.ranks = rankPool.Get().(*rankIndex)
			z.ranks.build(z.all, z.docs)
		}
	}
	if z.ranks != nil {
		if !z.ranks.contains(d) {
			return 0, 0, nil, false, nil
		}
	} else if !z.all.Contains(d) {
		return 0, 0, nil, false, nil
	}
	idx := z.rank(d)
	c := int(d / z.chunk)
	if c != z.cur || idx < z.next {
		if z.fb, err = z.freqs.get(c); err != nil {
			return 0, 0, nil, false, err
		}
		if z.withLocs {
			if z.lb, err = z.locs.get(c); err != nil {
				return 0, 0, nil, false, err
			}
		}
		z.cur, z.next = c, z.rank(uint32(c)*z.chunk)
	}
	if idx > z.next {
		if err := z.skip(idx - z.next); err != nil {
			return 0, 0, nil, false, err
		}
		z.next = idx
	}
	z.next++
	freq, normBits, err = z.read()
	if err != nil {
		return 0, 0, nil, false, err
	}
	return freq, normBits, z.last, true, nil
}

// skip passes over the next k postings of the chunk without decoding
// them: per posting, the frequency (shifted left, with the has-locations
// bit), the norm if the frequency is not 0, and the location bytes if any,
// after their length.
func (z *zapTerm) skip(k uint64) error {
	fb, lb := z.fb, z.lb
	for ; k > 0; k-- {
		if len(fb) == 0 {
			return errZapFormat
		}
		b0 := fb[0]
		i := 0
		for fb[i] >= 0x80 {
			if i++; i == len(fb) {
				return errZapFormat
			}
		}
		fb = fb[i+1:]
		if b0 >= 2 { // a frequency above 0: a norm follows
			i = 0
			for {
				if i == len(fb) {
					return errZapFormat
				}
				if fb[i] < 0x80 {
					break
				}
				i++
			}
			fb = fb[i+1:]
		}
		if b0&1 != 0 && z.withLocs {
			var size uint64
			n := 1
			if len(lb) > 0 && lb[0] < 0x80 {
				size = uint64(lb[0])
			} else if size, n = binary.Uvarint(lb); n <= 0 {
				return errZapFormat
			}
			if uint64(len(lb)-n) < size {
				return errZapFormat
			}
			lb = lb[n+int(size):]
		}
	}
	z.fb, z.lb = fb, lb
	return nil
}

// read reads the next posting of the chunk; its location bytes are left
// in z.last.
func (z *zapTerm) read() (freq, normBits uint64, err error) {
	v, n := binary.Uvarint(z.fb)
	if n <= 0 {
		return 0, 0, errZapFormat
	}
	z.fb = z.fb[n:]
	freq = v >> 1
	if freq != 0 {
		if normBits, n = binary.Uvarint(z.fb); n <= 0 {
			return 0, 0, errZapFormat
		}
		z.fb = z.fb[n:]
	}
	z.last = nil
	if v&1 != 0 && z.withLocs {
		size, n := binary.Uvarint(z.lb)
		if n <= 0 || uint64(len(z.lb)-n) < size {
			return 0, 0, errZapFormat
		}
		z.last, z.lb = z.lb[n:n+int(size)], z.lb[n+int(size):]
	}
	return freq, normBits, nil
}

// rank returns how many postings come before document d.
func (z *zapTerm) rank(d uint32) uint64 {
	if z.ranks != nil {
		return z.ranks.rank(d)
	}
	if d == 0 {
		return 0
	}
	return z.all.Rank(d - 1)
}

// live returns how many of the postings are not among deleted.
func (z *zapTerm) live(deleted *roaring.Bitmap) uint64 {
	if z.one {
		if deleted != nil && deleted.Contains(z.oneDoc) {
			return 0
		}
		return 1
	}
	if deleted == nil {
		return z.card
	}
	return z.card - z.all.AndCardinality(deleted)
}

// rankIndex is a dense copy of a posting bitmap with the count of postings
// before every block of 512 documents.
type rankIndex struct {
	words  []uint64
	blocks []uint32
}

var rankPool = sync.Pool{New: func() any { return new(rankIndex) }}

func (r *rankIndex) build(bm *roaring.Bitmap, docs uint64) {
	n := int(bm.DenseSize())
	if w := int((docs + 63) / 64); w > n {
		n = w
	}
	if cap(r.words) < n {
		r.words = make([]uint64, n)
	} else {
		r.words = r.words[:n]
		clear(r.words)
	}
	bm.WriteDenseTo(r.words)
	r.blocks = r.blocks[:0]
	var sum uint32
	for i, w := range r.words {
		if i%8 == 0 {
			r.blocks = append(r.blocks, sum)
		}
		sum += uint32(bits.OnesCount64(w))
	}
}

func (r *rankIndex) contains(d uint32) bool {
	i := int(d / 64)
	return i < len(r.words) && r.words[i]&(1<<(d%64)) != 0
}

func (r *rankIndex) rank(d uint32) uint64 {
	i := int(d / 64)
	if i >= len(r.words) {
		i = len(r.words)
		d = uint32(i) * 64
	}
	b := i / 8
	if b >= len(r.blocks) {
		return uint64(r.blocks[len(r.blocks)-1]) + uint64(popcountWords(r.words[(len(r.blocks)-1)*8:]))
	}
	sum := uint64(r.blocks[b]) + uint64(popcountWords(r.words[b*8:i]))
	if i < len(r.words) {
		sum += uint64(bits.OnesCount64(r.words[i] & (1<<(d%64) - 1)))
	}
	return sum
}

func popcountWords(w []uint64) int {
	n := 0
	for _, x := range w {
		n += bits.OnesCount64(x)
	}
	return n
}

// rankTerm is one word of a ranking group: its postings read by
// termPostings and scored as bleve's TermQueryScorer scores them, the same
// operations in the same order, so that its scores are bleve's to the bit
// (TestRankedQueryAgreesWithBleve), without a DocumentMatch per posting.
type rankTerm struct {
	p                  *termPostings
	bounds             *boundCache // nil: no score bounds (bounds.go)
	boost, idf, avgLen float64
	queryWeight        float64
	// once[L] is the score of one occurrence in a field of length L (most
	// postings), computed at its first use; 0 if not yet.
	once [512]float64
}

// newRankTerm opens the term query tq's postings.
func newRankTerm(ctx context.Context, is *scorch.IndexSnapshot, tq *query.TermQuery) (*rankTerm, error) {
	docTotal, avgLen, err := scoreStats(ctx, is, tq.FieldVal)
	if err != nil {
		return nil, err
	}
	p, err := newTermPostings(is, tq.FieldVal, []byte(tq.Term), false)
	if err != nil {
		return nil, err
	}
	docTerm := p.count
	t, _ := rankTermPool.Get().(*rankTerm)
	if t == nil {
		t = new(rankTerm)
	}
	*t = rankTerm{p: p, boost: tq.Boost(), avgLen: avgLen, queryWeight: 1, once: t.once}
	clear(t.once[:])
	// TermQueryScorer.computeIDF
	if avgLen > 0 {
		t.idf = math.Log(1 + (float64(docTotal)-float64(docTerm)+0.5)/(float64(docTerm)+0.5))
	} else {
		t.idf = 1.0 + math.Log(float64(docTotal)/float64(docTerm+1.0))
	}
	return t, nil
}

// rankTermPool keeps rankTerms (4 KB each, with their once) for the next
// search.
var rankTermPool sync.Pool

// release closes the term's postings and gives it back for another
// search; it must not be used after.
func (t *rankTerm) release() {
	t.p.Close()
	for i := range t.p.segs {
		if ub := t.p.segs[i].ub; cap(ub) > 0 {
			ubPool.Put(&ub)
		}
		t.p.segs[i].ub = nil
	}
	t.p, t.bounds = nil, nil
	rankTermPool.Put(t)
}

// weight is TermQueryScorer.Weight.
func (t *rankTerm) weight() float64 {
	sum := t.boost * t.idf
	return sum * sum
}

// byCount orders a group's terms as bleve's conjunction orders its
// members (OrderedSearcherList: by count, with the same sort).
type byCount []*rankTerm

func (b byCount) Len() int           { return len(b) }
func (b byCount) Less(i, j int) bool { return b[i].p.count < b[j].p.count }
func (b byCount) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

// setQueryNorm is TermQueryScorer.SetQueryNorm.
func (t *rankTerm) setQueryNorm(n float64) {
	t.queryWeight = t.boost * t.idf * n
	clear(t.once[:])
	for i := range t.p.segs {
		t.p.segs[i].ub = nil
	}
}

// at returns the term's score in document n, and whether n holds the term
// (TermQueryScorer.Score and docScore).
func (t *rankTerm) at(n uint64) (float64, bool, error) {
	freq, norm, ok, err := t.p.at(n)
	if !ok || err != nil {
		return 0, false, err
	}
	if l := t.p.fieldLen; freq == 1 && l > 0 && l < uint64(len(t.once)) {
		if s := t.once[l]; s != 0 {
			return s, true, nil
		}
		s := t.score(freq, norm)
		t.once[l] = s
		return s, true, nil
	}
	return t.score(freq, norm), true, nil
}

// score is the score of freq occurrences in a field of norm norm.
func (t *rankTerm) score(freq uint64, norm float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	var score float64
	if t.avgLen > 0 {
		fieldLength := 1 / (norm * norm)
		score = t.idf * (tf * search.BM25_k1) /
			(tf + search.BM25_k1*(1-search.BM25_b+(search.BM25_b*fieldLength/t.avgLen)))
	} else {
		score = tf * norm * t.idf
	}
	if t.queryWeight != 1.0 {
		score = score * t.queryWeight
	}
	return score
}

// scoreStats are the statistics bleve's term searcher scores with (its
// newTermSearcherFromReader): the document count and, under BM25, the
// field's average length, from the search's own statistics if it carries
// them.
func scoreStats(ctx context.Context, r index.IndexReader, field string) (docTotal uint64, avgLen float64, err error) {
	var model string
	if cb, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn); ok {
		model = cb()
	}
	if model != index.BM25Scoring {
		n, err := r.DocCount()
		return n, 0, err
	}
	var card int
	if stats, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats); ok {
		docTotal = uint64(stats.DocCount)
		if card, ok = stats.FieldCardinality[field]; !ok {
			return 0, 0, fmt.Errorf("field stat for bm25 not present %s", field)
		}
	} else {
		if docTotal, err = r.DocCount(); err != nil {
			return 0, 0, err
		}
		if br, ok := r.(index.BM25Reader); ok {
			if card, err = br.FieldCardinality(field); err != nil {
				return 0, 0, err
			}
		}
	}
	if docTotal == 0 && card == 0 {
		return 0, 0, nil
	}
	return docTotal, math.Ceil(float64(card) / float64(docTotal)), nil
}

// zapTermCounts returns how many postings each term has on field in is,
// deleted documents included, read from the segments' dictionaries and
// the posting bitmaps' headers without decoding the bitmaps; ok is false
// if a segment is not a persisted zap segment read that way. A chain's
// cover is chosen by these counts: a term searcher per bigram, built only
// for its count, was a twentieth of what the server allocated.
func zapTermCounts(is *scorch.IndexSnapshot, field string, terms []string) (counts []uint64, ok bool, err error) {
	counts = make([]uint64, len(terms))
	for _, ss := range is.Segments() {
		zs, ok := readableZap(ss.Segment())
		if !ok {
			return nil, false, nil
		}
		fst, err := zapFST(zs, field)
		if err != nil {
			return nil, false, err
		}
		if fst == nil {
			continue
		}
		for i, t := range terms {
			off, exists, err := fst.Get([]byte(t))
			if err != nil {
				return nil, false, err
			}
			if !exists {
				continue
			}
			n, err := zapPostingCount(zs.Data(), off)
			if err != nil {
				return nil, false, err
			}
			counts[i] += n
		}
	}
	return counts, true, nil
}

// zapPostingCount reads the number of postings of the postings list at off
// (a dictionary value) from its bitmap's header: roaring's portable format
// keeps each container's cardinality less one.
func zapPostingCount(mem []byte, off uint64) (uint64, error) {
	if off&zap.FSTValEncodingMask == zap.FSTValEncoding1Hit {
		return 1, nil
	}
	_, _, b, err := zapPostingsHeader(mem, off)
	if err != nil {
		return 0, err
	}
	if len(b) < 8 {
		return 0, errZapFormat
	}
	cookie := binary.LittleEndian.Uint32(b)
	var size uint32
	switch {
	case cookie&0xFFFF == roaringCookie:
		size = cookie>>16 + 1
		b = b[4+(size+7)/8:]
	case cookie == roaringCookieNoRuns:
		size = binary.LittleEndian.Uint32(b[4:])
		b = b[8:]
	default:
		return 0, errZapFormat
	}
	if size > 1<<16 || uint64(len(b)) < 4*uint64(size) {
		return 0, errZapFormat
	}
	var card uint64
	for k := range size {
		card += uint64(binary.LittleEndian.Uint16(b[4*k+2:])) + 1
	}
	return card, nil
}

// roaring's portable format's cookies: with run containers (and the
// number of containers less one in the high bits), and without.
const (
	roaringCookie       = 12347
	roaringCookieNoRuns = 12346
)
