package indexer

import (
	"encoding/binary"
	"math"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
)

// Score bounds: skipping the ranking of matches that cannot reach the top.
//
// A search sorted by relevance counts and tallies every match, but only
// the best from+size need their scores. Once a walker holds that many,
// its worst score is a floor (walkSteps tells the searcher): a match whose
// score cannot exceed it is counted and tallied but not ranked. How high a
// match can score comes from its ranking words' postings per block of
// 1<<boundShift documents: the highest frequency and the shortest field in
// the block, which BM25 scores at least as high as any posting there (it
// rises with the frequency and falls with the field's length). For 人民
// (77,168 matches) ranking was two fifths of the search: most of the
// matches now skip it (doc/search.md has the figures).
//
// zap keeps no such blocks, so they are read from a term's postings the
// first time a ranked search asks for them in a segment (for 人民's 77,000
// postings the first search takes about 1.2 ms more), and kept per
// segment file, field and term in a bounded cache on the Index; a merged
// segment is a new file, read anew. Only lists of boundMin postings or
// more get blocks: a short list is ranked whole.
//
// The bound adds the same nonnegative terms as the score, each at least
// as large, with the coordination factor of every group that may match:
// at least the score, up to rounding, which boundSlack covers. A match is
// skipped only if its bound is below the floor, so the hits and their
// scores are those of ranking every match (TestBoundedRankingIsExact).

const (
	boundShift = 8
	// boundEntries is how many terms' blocks the cache keeps: one of
	// the laws' common words takes about 5 KB per segment, so at most
	// about 5 MiB in all.
	boundEntries = 1024
	// unbounded is a block's maxFreq when its postings set no bound: a
	// frequency too large to keep, or none kept.
	unbounded = math.MaxUint16
)

// boundMin is the shortest postings list that gets blocks (a variable:
// tests lower it). It counts a segment's postings, so it is low: a rebuild
// of the laws leaves six segments of about 60,000 passages (settle), where
// a word of 10,000 matches has under 2,048 in each. With 2,048 the
// one-character query 人 took 1.98 ms at p50 on those six segments and 1.47
// on one; with 512, 1.54 and 1.48; phrases 1.38 and 1.22 ms.
var boundMin uint64 = 512

// termBounds are one term's blocks in one segment: per block of
// 1<<boundShift documents, the highest frequency and the shortest field
// length among the term's postings there (a length past the largest kept
// is kept as that); maxFreq 0 if there are none, unbounded if no bound.
type termBounds struct {
	maxFreq []uint16
	minLen  []uint16
}

// readBounds reads z's postings in order and builds its blocks. It does
// not move z's cursor.
func (z *zapTerm) readBounds() (*termBounds, error) {
	blocks := int(z.docs>>boundShift) + 1
	b := &termBounds{maxFreq: make([]uint16, blocks), minLen: make([]uint16, blocks)}
	for i := range b.minLen {
		b.minLen[i] = math.MaxUint16
	}
	cur := -1
	var fb []byte
	var err error
	it := z.all.ManyIterator()
	buf := make([]uint32, 256)
	for {
		n := it.NextMany(buf)
		if n == 0 {
			break
		}
		for _, d := range buf[:n] {
			if c := int(d / z.chunk); c != cur {
				if fb, err = z.freqs.get(c); err != nil {
					return nil, err
				}
				cur = c
			}
			v, k := binary.Uvarint(fb)
			if k <= 0 {
				return nil, errZapFormat
			}
			fb = fb[k:]
			freq := v >> 1
			var length uint64
			if freq != 0 {
				if length, k = binary.Uvarint(fb); k <= 0 {
					return nil, errZapFormat
				}
				fb = fb[k:]
			}
			blk := d >> boundShift
			if int(blk) >= blocks {
				return nil, errZapFormat
			}
			switch {
			case freq == 0 || freq >= unbounded:
				// No norm kept, or a frequency too large to keep.
				b.maxFreq[blk] = unbounded
			case uint16(freq) > b.maxFreq[blk]:
				b.maxFreq[blk] = uint16(freq)
			}
			if l := uint16(min(length, math.MaxUint16)); l < b.minLen[blk] {
				b.minLen[blk] = l
			}
		}
	}
	return b, nil
}

// boundCache keeps terms' blocks per segment file, least recently used
// first out; its max is boundEntries.
type boundCache = lruCache[boundKey, *termBounds]

// boundKey names a term's blocks: the segment's file and its size (a
// file name is never reused within an index, and the size guards even so),
// the field and the term.
type boundKey struct {
	seg         string
	size        int
	field, term string
}

// boundAt returns the most the term can score in document n, and false if
// n's segment holds none of its postings (so n does not hold the term);
// either holds for every document from n to end. A segment whose blocks
// are not read gives +Inf. Calls come with n increasing; one that goes
// back looks for n's segment from the first.
func (t *rankTerm) boundAt(n uint64) (ub float64, ok bool, end uint64, err error) {
	p := t.p
	if n < p.bLast {
		p.bi = 0
	}
	p.bLast = n
	for p.bi < len(p.segs) && p.segs[p.bi].end <= n {
		p.bi++
	}
	if p.bi == len(p.segs) {
		return 0, false, math.MaxUint64, nil
	}
	s := &p.segs[p.bi]
	if n < s.base {
		return 0, false, s.base, nil
	}
	if s.ub == nil {
		if err := t.blockScores(s); err != nil {
			return 0, false, 0, err
		}
	}
	if len(s.ub) == 0 {
		return math.Inf(1), true, s.end, nil
	}
	blk := (n - s.base) >> boundShift
	if blk >= uint64(len(s.ub)) {
		return 0, false, 0, errZapFormat
	}
	end = min(s.base+(blk+1)<<boundShift, s.end)
	ub = s.ub[blk]
	return ub, ub >= 0, end, nil
}

// blockScores scores segment s's blocks for this query: the score of the
// block's highest frequency in its shortest field, -1 for a block without
// postings. A segment without blocks gets an empty list.
func (t *rankTerm) blockScores(s *termSeg) error {
	s.ub = []float64{}
	if s.z == nil || s.z.one || s.z.card < boundMin || t.bounds == nil {
		return nil
	}
	z := s.z
	b, err := t.bounds.get(boundKey{z.segPath, z.segSize, t.p.field, t.p.term}, z.readBounds)
	if err != nil {
		return err
	}
	var ub []float64
	if p, _ := ubPool.Get().(*[]float64); p != nil && cap(*p) >= len(b.maxFreq) {
		ub = (*p)[:len(b.maxFreq)]
	} else {
		ub = make([]float64, len(b.maxFreq))
	}
	for i, f := range b.maxFreq {
		switch {
		case f == 0:
			ub[i] = -1
		case f == unbounded:
			ub[i] = math.Inf(1)
		default:
			ub[i] = t.score(uint64(f), normOf(uint64(b.minLen[i])))
		}
	}
	s.ub = ub
	return nil
}

// ubPool keeps blocks' score lists (about 10 KB on the laws) for the next
// search.
var ubPool sync.Pool

// boundSlack makes up for rounding: the bound adds the same nonnegative
// terms as the score, in another order and with the coordination factor
// rounded up, so it may differ from the exact sum by a few parts in 10^16;
// multiplied by this it stays above it.
const boundSlack = 1 + 1e-9

// boundAt returns at least the score rankAt gives a match of the must
// clause at document n whose must score is score: the word groups' block
// bounds and the title groups' scores, as if every group that may match
// did (bounds.go).
func (s *rankedSearcher) boundAt(ctx *search.SearchContext, score float64, n uint64) (float64, error) {
	if n < s.blockStart || n >= s.blockEnd {
		if err := s.nextBlock(ctx, n); err != nil {
			return 0, err
		}
	}
	sum, matched := s.blockSum, s.blockMatched
	if len(s.titleGroups) > 0 {
		// Most matches fall short even with the best title.
		if ub := (score + (sum+s.titleMax)*s.blockMost) * boundSlack; ub < s.floor {
			return ub, nil
		}
		for _, g := range s.titleGroups {
			if ts, ok := g.titles.of(n); ok {
				sum += ts
				matched++
			}
		}
	}
	if matched == 0 {
		return score * boundSlack, nil
	}
	return (score + sum*(float64(matched)/float64(len(s.groups)))) * boundSlack, nil
}

// nextBlock reads the word groups' bounds for the documents from n.
func (s *rankedSearcher) nextBlock(ctx *search.SearchContext, n uint64) error {
	if s.blockEnd == 0 {
		// First call: the title groups, scored.
		for _, g := range s.groups {
			if g.titleCol == nil {
				continue
			}
			if _, _, err := g.titleAt(ctx, n); err != nil {
				return err
			}
			var most float64
			for i, ok := range g.titles.has {
				if ok {
					most = max(most, g.titles.score[i])
				}
			}
			s.titleMax += most
			s.titleGroups = append(s.titleGroups, g)
		}
	}
	s.blockStart, s.blockEnd = n, math.MaxUint64
	s.blockSum, s.blockMatched = 0, 0
	for _, g := range s.groups {
		if g.fast == nil {
			continue
		}
		sum, all, end, err := g.boundNum(n)
		if err != nil {
			return err
		}
		s.blockEnd = min(s.blockEnd, end)
		if all {
			s.blockSum += sum
			s.blockMatched++
		}
	}
	s.blockMost = float64(s.blockMatched+len(s.titleGroups)) / float64(len(s.groups))
	return nil
}
