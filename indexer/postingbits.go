package indexer

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// postingBits walks a term's postings (or the intersection of several
// terms' postings) in a scorch snapshot as zap keeps them, one roaring
// bitmap per segment, less the segment's deleted documents: the document
// numbers only, no frequencies, norms or positions. scorch's term field reader yields the same numbers, but
// through zap's postings iterator, a Posting and a TermFieldDoc per match:
// about 35 ns a posting, most of a one-character search's walk over its
// 150,000 passages.
type postingBits struct {
	segs  []segBits
	count uint64

	i       int                 // the segment being walked
	it      roaring.IntPeekable // its iterator once advanced, else nil
	oneDone bool                // a one-posting segment's number is taken
	// Walked in order, a segment's numbers come in batches: buf[at:]
	// are the next ones, from many. roaring's one-at-a-time iterator
	// took about 10 ns a number, a third of a one-character search's
	// walk. An advance past the batch leaves them for it, which can skip.
	many    roaring.ManyIntIterable
	manyEnd bool   // many has given all it has
	read    uint32 // the last number many gave
	buf     []uint32
	at      int
	started bool
	last    uint64 // the last number returned
}

// walkBitmaps lets searchers use postingBits; tests turn it off to check
// the readers' path they fall back to (no test runs in parallel).
var walkBitmaps = true

type segBits struct {
	base, end uint64          // the segment's first document number, and one past its last
	bm        *roaring.Bitmap // the postings less the deleted; nil: just one
	one       uint64          // the one posting, if bm is nil
}

// newPostingBits reads the posting lists of terms from every segment of
// is and keeps, per segment, the documents that hold every one of them.
// ok is false if a segment's postings are not zap's (walk them as usual).
func newPostingBits(is *scorch.IndexSnapshot, field string, terms ...[]byte) (p *postingBits, ok bool, err error) {
	p = &postingBits{}
	var base uint64
	bms := make([]*roaring.Bitmap, 0, len(terms))
	for _, ss := range is.Segments() {
		seg := ss.Segment()
		end := base + seg.Count()
		d, err := seg.Dictionary(field)
		if err != nil {
			return nil, false, err
		}
		bms = bms[:0]
		sb := segBits{base: base, end: end}
		for _, term := range terms {
			pl, err := d.PostingsList(term, ss.Deleted(), nil)
			if err != nil {
				return nil, false, err
			}
			it, ok := pl.Iterator(false, false, false, nil).(segment.OptimizablePostingsIterator)
			if !ok {
				return nil, false, nil
			}
			bm := it.ActualBitmap()
			if bm == nil {
				n, ok := it.DocNum1Hit()
				if !ok {
					bms = nil // no posting here
					break
				}
				if len(terms) == 1 {
					sb.one = n
					p.segs = append(p.segs, sb)
					p.count++
					break
				}
				bm = roaring.BitmapOf(uint32(n))
			}
			bms = append(bms, bm)
		}
		if len(bms) == len(terms) {
			// bm may be zap's own bitmap: FastAnd makes a new one.
			sb.bm = bms[0]
			if len(bms) > 1 {
				sb.bm = roaring.FastAnd(bms...)
			}
			if n := sb.bm.GetCardinality(); n > 0 {
				p.segs = append(p.segs, sb)
				p.count += n
			}
		}
		base = end
	}
	return p, true, nil
}

// next returns the next document number.
func (p *postingBits) next() (uint64, bool) {
	for p.i < len(p.segs) {
		s := &p.segs[p.i]
		if s.bm == nil {
			if !p.oneDone {
				p.oneDone = true
				return p.took(s.base + s.one)
			}
		} else if p.it != nil {
			if p.it.HasNext() {
				return p.took(s.base + uint64(p.it.Next()))
			}
		} else {
			if p.at == len(p.buf) && !p.fill(s) {
				p.nextSegment()
				continue
			}
			x := p.buf[p.at]
			p.at++
			return p.took(s.base + uint64(x))
		}
		p.nextSegment()
	}
	return 0, false
}

// advance returns the first document number at or after n. As scorch's
// reader, it starts again from the beginning if asked to go back.
func (p *postingBits) advance(n uint64) (uint64, bool) {
	if p.started && n <= p.last {
		p.i, p.started = -1, false
		p.nextSegment()
	}
	for p.i < len(p.segs) && p.segs[p.i].end <= n {
		p.nextSegment()
	}
	if p.i == len(p.segs) {
		return 0, false
	}
	if s := &p.segs[p.i]; n > s.base {
		local := n - s.base
		if s.bm == nil {
			if s.one < local {
				p.oneDone = true
			}
		} else {
			p.advanceIn(s, uint32(local))
		}
	}
	return p.next()
}

// step is next if next, else advance to target (docStepper's step).
func (p *postingBits) step(target uint64, next bool) (uint64, bool) {
	if next {
		return p.next()
	}
	return p.advance(target)
}

// contains tells whether n is among the postings. Calls come with n
// increasing; a postingBits is either walked or asked, not both.
func (p *postingBits) contains(n uint64) bool {
	for p.i < len(p.segs) && p.segs[p.i].end <= n {
		p.nextSegment()
	}
	if p.i == len(p.segs) || n < p.segs[p.i].base {
		return false
	}
	s := &p.segs[p.i]
	if s.bm == nil {
		return s.one == n-s.base
	}
	return s.bm.Contains(uint32(n - s.base))
}

func (p *postingBits) nextSegment() {
	p.i++
	p.it, p.oneDone = nil, false
	p.many, p.manyEnd, p.buf, p.at, p.read = nil, false, p.buf[:0], 0, 0
}

// nearBatch: an advance to a number at most this far past the batch
// reads the batches up to it; one further goes to roaring's iterator,
// which skips whole containers.
const nearBatch = 4096

// advanceIn moves to the first number at or after target in segment s,
// whose numbers before it are all taken or passed.
func (p *postingBits) advanceIn(s *segBits, target uint32) {
	if p.it != nil {
		p.it.AdvanceIfNeeded(target)
		return
	}
	for p.at == len(p.buf) || p.buf[len(p.buf)-1] < target {
		if p.manyEnd {
			return
		}
		if uint64(p.read)+nearBatch < uint64(target) {
			p.it = s.bm.Iterator()
			p.it.AdvanceIfNeeded(target)
			p.buf, p.at = p.buf[:0], 0
			return
		}
		if !p.fill(s) {
			return
		}
	}
	rest := p.buf[p.at:]
	i, _ := slices.BinarySearch(rest, target)
	p.at += i
}

// fill reads the next batch of segment s's numbers into buf, and tells
// whether there were any.
func (p *postingBits) fill(s *segBits) bool {
	if p.manyEnd {
		p.buf, p.at = p.buf[:0], 0
		return false
	}
	if p.many == nil {
		p.many = s.bm.ManyIterator()
	}
	if cap(p.buf) == 0 {
		p.buf = make([]uint32, 0, 256)
	}
	n := p.many.NextMany(p.buf[:cap(p.buf)])
	p.buf, p.at = p.buf[:n], 0
	if n == 0 {
		p.manyEnd = true
		return false
	}
	p.read = p.buf[n-1]
	return true
}

func (p *postingBits) took(n uint64) (uint64, bool) {
	p.last, p.started = n, true
	return n, true
}
