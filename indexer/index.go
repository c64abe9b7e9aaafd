package indexer

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/xuncha/xuncha/internal/atomicfile"
)

// ErrAnalysisMismatch is wrapped by the error Open returns when the index
// was built with a different analysis (dictionary, lexicon or rules) than the
// analyzer it is opened with: queries would be cut differently from the text.
var ErrAnalysisMismatch = errors.New("index was built with a different analysis")

// AnalysisMismatchError names the two analysis versions; it wraps
// ErrAnalysisMismatch.
type AnalysisMismatchError struct {
	Index, Analyzer string
}

func (e *AnalysisMismatchError) Error() string {
	return fmt.Sprintf("index analysis %q differs from the running analysis %q: rebuild the index (xuncha reindex)", e.Index, e.Analyzer)
}

// Unwrap returns ErrAnalysisMismatch.
func (e *AnalysisMismatchError) Unwrap() error { return ErrAnalysisMismatch }

var (
	internalAnalysisKey = []byte("xuncha.analysis")
	internalSeqKey      = []byte("xuncha.seq")
)

// Options configures Open.
type Options struct {
	// Synonyms expand query terms; nil means the embedded synonym file.
	Synonyms *Synonyms
	// Passages looks up the passages of hits (the index stores no text);
	// nil leaves hits with IDs and scores only.
	Passages PassageSource
	// InForce says which regulations were not in force on a day, for the
	// 现行: filter; nil refuses the filter.
	InForce InForceSource
}

// InForceSource lists the documents of regulations not in force on a day.
type InForceSource interface {
	NotInForce(ctx context.Context, day time.Time) ([]string, error)
}

// PassageSource returns a passage by ID, for showing a hit.
type PassageSource interface {
	Passage(ctx context.Context, id string) (*Passage, error)
}

// PassageBatchSource also returns many passages in one call (those that
// exist, by ID); a page of hits is then one lookup.
type PassageBatchSource interface {
	PassageSource
	Passages(ctx context.Context, ids []string) (map[string]*Passage, error)
}

// Index is xuncha's search index: passages analysed by one Analyzer, in a
// bleve index that can be rebuilt beside the live one and swapped in.
//
// The index lives in a directory holding numbered generations (gen-1,
// gen-2 …) and a CURRENT file naming the live one.
type Index struct {
	dir string
	// analyzer analyses queries and new passages; a lexicon change swaps
	// it (ApplyLexicon).
	analyzer atomic.Pointer[Analyzer]
	// synonyms expand queries; an edit swaps them (SetSynonyms).
	synonyms atomic.Pointer[Synonyms]
	passages PassageSource
	inForce  InForceSource

	alias  bleve.IndexAlias
	syncMu sync.Mutex // one sync or reindex at a time
	mu     sync.Mutex // guards live, gen, and swaps
	live   bleve.Index
	gen    int
	closed bool
	broken atomic.Bool
	// pending are the words of a lexicon change to resume (PendingLexicon).
	pending []string

	suggest atomic.Pointer[suggester]

	// facets caches the facet columns of the latest snapshot searched;
	// bleveFacets turns them off (tests compare the two ways).
	facets      facetCache
	bleveFacets bool
	// titles caches the title column of the latest snapshot (titles.go).
	titles titleCache
	// bounds caches the ranking words' score bounds per segment
	// (bounds.go).
	bounds boundCache
	// chars caches one-character searches' unions per segment
	// (charquery.go).
	chars lruCache[charKey, *roaring.Bitmap]

	// searching counts the searches in progress: a search splits in two
	// halves only when a core would otherwise idle (root.go); tests and
	// benchmarks set split to compare the ways.
	searching atomic.Int64
	split     splitMode
	// bleveBoolean searches terms and their conjunctions with bleve's
	// boolean and conjunction searchers instead of rankedQuery's and
	// andQuery's (tests compare the two).
	bleveBoolean bool

	// cache keeps whole results per snapshot (cache.go).
	cache resultCache
}

// Warm builds the current snapshot's facet and title columns. Searches
// otherwise start building them the first time they ask, and count facets
// as bleve does until then: the first searches after a start took 70 ms
// and more on the laws instead of a few. serve calls it before it reports
// ready; after a write, the first searches on the new snapshot build them
// again.
func (ix *Index) Warm(ctx context.Context) error {
	r, err := ix.snapshotReader()
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := ix.titles.column(ctx, r); err != nil {
		return err
	}
	ix.facets.warm()
	return nil
}

// snapshotReader returns a reader on the live index's current snapshot;
// the caller closes it.
func (ix *Index) snapshotReader() (index.IndexReader, error) {
	ix.mu.Lock()
	live, closed := ix.live, ix.closed
	ix.mu.Unlock()
	if closed || live == nil {
		return nil, errors.New("index closed")
	}
	adv, err := live.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	// scorch returns a nil snapshot, without an error, once the index is
	// closed (a reindex swapping generations closes the old one).
	if is, ok := r.(*scorch.IndexSnapshot); r == nil || (ok && is == nil) {
		return nil, errors.New("index closed")
	}
	return r, nil
}

// SetSynonyms replaces the synonyms queries are expanded with, from the
// next search on. Synonyms apply only to queries: nothing is re-indexed.
func (ix *Index) SetSynonyms(s *Synonyms) { ix.synonyms.Store(s) }

// Synonyms returns the synonyms queries are expanded with.
func (ix *Index) Synonyms() *Synonyms { return ix.synonyms.Load() }

// Open opens the index in dir, creating it if there is none. It returns an
// *AnalysisMismatchError if the index was built with another analysis: the
// caller should rebuild it (Reindex) rather than serve wrong results.
func Open(ctx context.Context, dir string, a *Analyzer, opts Options) (*Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	syn := opts.Synonyms
	if syn == nil {
		var err error
		if syn, err = DefaultSynonyms(); err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
	}
	ix := &Index{dir: dir, passages: opts.Passages, inForce: opts.InForce}
	ix.bounds.max, ix.chars.max = boundEntries, charEntries
	ix.analyzer.Store(a)
	ix.synonyms.Store(syn)
	ix.facets.open = ix.snapshotReader
	ix.cache.max = DefaultCacheEntries
	gen, err := readCurrent(dir)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	if gen == 0 {
		gen = 1
		b, err := createGeneration(ix.genDir(gen), a)
		if err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
		if err := writeCurrent(dir, gen); err != nil {
			b.Close()
			return nil, fmt.Errorf("open index: %w", err)
		}
		ix.live, ix.gen = b, gen
	} else {
		b, pending, err := openGeneration(ix.genDir(gen), a)
		if err != nil {
			return nil, fmt.Errorf("open index: %w", err)
		}
		ix.pending = pending
		ix.live, ix.gen = b, gen
	}
	ix.alias = bleve.NewIndexAlias(ix.live)
	return ix, nil
}

func (ix *Index) genDir(gen int) string { return filepath.Join(ix.dir, fmt.Sprintf("gen-%d", gen)) }

// mergeWidth is how many segments scorch merges at once, and how many of a
// size it lets gather before it does (its MaxSegmentsPerTier and
// SegmentsPerMergeTask, 10 by default). A bulk load writes a segment per
// batch, and with 10 a rebuild of the laws rewrote every posting about three
// times (18 merges of 180 segments, then the final merge, see settle); with
// 30, seven merges, and the rebuild took 7% less CPU (doc/analysis.md). The
// cost is more small segments between merges for a search to visit.
const mergeWidth = 30

// scorchConfig is the configuration every generation is created and opened
// with. Opening passes it again, so that a generation created by an older
// version, which stored none, merges the same way.
func scorchConfig() map[string]any {
	return map[string]any{"scorchMergePlanOptions": map[string]any{
		"MaxSegmentsPerTier":   mergeWidth,
		"SegmentsPerMergeTask": mergeWidth,
	}}
}

func createGeneration(path string, a *Analyzer) (bleve.Index, error) {
	if err := os.RemoveAll(path); err != nil {
		return nil, err
	}
	b, err := bleve.NewUsing(path, newMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := b.SetInternal(internalAnalysisKey, []byte(a.Version())); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// openGeneration opens an index generation built with analyzer a. An index
// stopped while applying a lexicon change to a opens too; pending then
// holds the change's words, to be applied again.
func openGeneration(path string, a *Analyzer) (b bleve.Index, pending []string, err error) {
	defer func() {
		// bbolt (root.bolt) and zap panic on some damaged files rather
		// than return an error.
		if r := recover(); r != nil {
			b, pending, err = nil, nil, fmt.Errorf("%w: opening %s: %v", ErrDamaged, path, r)
		}
	}()
	if _, err := verifyLatestSnapshot(path); err != nil {
		return nil, nil, err
	}
	b, err = bleve.OpenUsing(path, scorchConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
	}
	v, err := b.GetInternal(internalAnalysisKey)
	if err != nil {
		b.Close()
		return nil, nil, fmt.Errorf("%s: read analysis version: %w", path, err)
	}
	var p pendingAnalysis
	if raw, err := b.GetInternal(internalPendingKey); err == nil && raw != nil {
		if json.Unmarshal(raw, &p) != nil {
			p = pendingAnalysis{}
		}
	}
	switch {
	case p.Version == a.Version():
		return b, p.Words, nil // resume the change to a
	case string(v) != a.Version():
		b.Close()
		return nil, nil, &AnalysisMismatchError{Index: string(v), Analyzer: a.Version()}
	}
	return b, nil, nil
}

// readCurrent returns the live generation named in dir/CURRENT, 0 if none.
func readCurrent(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s/CURRENT is damaged (%q)", dir, b)
	}
	return n, nil
}

// writeCurrent points dir/CURRENT at gen, atomically (write, sync, rename).
func writeCurrent(dir string, gen int) error {
	return atomicfile.Write(filepath.Join(dir, "CURRENT"), []byte(fmt.Sprintf("%d\n", gen)))
}

// Close closes the index. Closing it again does nothing.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	return ix.live.Close()
}

// Analyzer returns the analyzer the index was opened with.
func (ix *Index) Analyzer() *Analyzer { return ix.analyzer.Load() }

// Count returns the number of passages in the index.
func (ix *Index) Count() (uint64, error) { return ix.alias.DocCount() }

// LiveBytes returns the size on disk of the segments the index's current
// snapshot uses. The directory can hold more for a while: scorch deletes the
// segments a merge made obsolete in the background, after a later write or
// once the index has been reopened.
func (ix *Index) LiveBytes() uint64 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	v, _ := ix.live.StatsMap()["index"].(map[string]interface{})["num_bytes_used_disk_by_root"].(uint64)
	return v
}

// AppliedSeq returns the store change sequence the index has applied.
func (ix *Index) AppliedSeq() (uint64, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return appliedSeq(ix.live)
}

func appliedSeq(b bleve.Index) (uint64, error) {
	v, err := b.GetInternal(internalSeqKey)
	if err != nil || len(v) != 8 {
		return 0, err
	}
	return binary.BigEndian.Uint64(v), nil
}

// Add indexes passages in one batch, replacing any with the same IDs.
func (ix *Index) Add(ctx context.Context, ps []Passage) error {
	return ix.apply(ctx, ps, nil, 0)
}

// apply indexes passages, deletes IDs, and (when seq > 0) records seq as
// applied, all in one bleve batch: after a crash the index holds either all
// of it or none of it.
func (ix *Index) apply(ctx context.Context, ps []Passage, deletes []string, seq uint64) error {
	ix.mu.Lock()
	b := ix.live
	ix.mu.Unlock()
	return applyTo(ctx, b, ix.analyzer.Load(), ps, deletes, seq)
}

func applyTo(ctx context.Context, b bleve.Index, a *Analyzer, ps []Passage, deletes []string, seq uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	batch, err := prepareBatch(b, a, ps, deletes, seq)
	if err != nil {
		return err
	}
	return commitBatch(b, batch, len(ps))
}

// prepareBatch builds the bleve batch that indexes ps (analysed), deletes
// the IDs in deletes and, when seq > 0, records seq as applied.
func prepareBatch(b bleve.Index, a *Analyzer, ps []Passage, deletes []string, seq uint64) (*bleve.Batch, error) {
	batch := b.NewBatch()
	for _, id := range deletes {
		batch.Delete(id)
	}
	for i, doc := range batchDocuments(a, ps) {
		if err := batch.IndexAdvanced(doc); err != nil {
			return nil, fmt.Errorf("index passage %s: %w", ps[i].ID, err)
		}
	}
	if seq > 0 {
		setAppliedSeq(batch, seq)
	}
	return batch, nil
}

// setAppliedSeq makes batch record seq as the sequence the index has
// applied.
func setAppliedSeq(batch *bleve.Batch, seq uint64) {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], seq)
	batch.SetInternal(internalSeqKey, v[:])
}

// commitBatch writes a prepared batch of n passages.
func commitBatch(b bleve.Index, batch *bleve.Batch, n int) error {
	if err := b.Batch(batch); err != nil {
		return fmt.Errorf("%w: index %d passages: %w", errIndexWrite, n, err)
	}
	return nil
}

// reader opens a reader on a bleve index's current snapshot, for reading
// its terms and their frequencies; the caller closes it.
func reader(b bleve.Index) (index.IndexReader, error) {
	adv, err := b.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// passageDocument builds the bleve document of a passage, its text fields
// analysed by fa.
func passageDocument(p *Passage, fa *fieldAnalyser) *document.Document {
	doc := document.NewDocument(p.ID)
	add := func(name string, pos []uint64, value string, opts index.FieldIndexingOptions, repr representation) {
		if f := fa.field(name, pos, value, opts, repr); f != nil {
			doc.AddField(f)
		}
	}
	add(fieldTextBigram, nil, p.Text, bigramOptions, reprBigram)
	add(fieldTextUnigram, nil, p.Text, unigramOptions, reprUnigram)
	add(fieldTextWord, nil, p.Text, wordOptions, reprWord)
	// A finding (or a notice's case) is also found by its unit and problem
	// types, even where its text does not name them: they are further
	// values of the text fields, at their own array positions, so that no
	// phrase runs from one into another.
	for k, extra := range append([]string{p.Unit}, p.Problems...) {
		if extra == "" {
			continue
		}
		pos := []uint64{uint64(k + 1)}
		add(fieldTextBigram, pos, extra, bigramOptions, reprBigram)
		add(fieldTextUnigram, pos, extra, unigramOptions, reprUnigram)
		add(fieldTextWord, pos, extra, wordOptions, reprWord)
	}
	if p.Title != "" && isTitleCarrier(p) {
		add(fieldTitleWord, nil, p.Title, wordOptions, reprWord)
	}
	if p.Unit != "" {
		add(fieldUnitBigram, nil, p.Unit, bigramOptions, reprBigram)
		add(fieldUnitUni, nil, p.Unit, unigramOptions, reprUnigram)
	}
	if p.Round != "" {
		add(fieldRoundBigram, nil, p.Round, bigramOptions, reprBigram)
	}
	kw := func(name, value string, pos uint64) {
		if value == "" {
			return
		}
		doc.AddField(document.NewTextFieldWithIndexingOptions(name, []uint64{pos}, []byte(value), keywordOptionsOf(name)))
	}
	kw(fieldKind, string(p.Kind), 0)
	kw(fieldUnit, p.Unit, 0)
	for i, m := range p.Mentions {
		kw(fieldUnit, m, uint64(i+1))
		add(fieldUnitBigram, []uint64{uint64(i + 1)}, m, bigramOptions, reprBigram)
		add(fieldUnitUni, []uint64{uint64(i + 1)}, m, unigramOptions, reprUnigram)
	}
	kw(fieldFocus, p.Focus, 0)
	for i, pr := range p.Problems {
		kw(fieldProblem, pr, uint64(i))
	}
	kw(fieldRound, p.Round, 0)
	kw(fieldStatus, p.Status, 0)
	meta := fa.beginMeta()
	meta.add(metaIssuer, p.Issuer)
	meta.add(metaDocument, p.DocumentID)
	meta.add(metaWork, p.Work)
	meta.add(metaEdition, p.Edition)
	meta.add(metaTitleKey, titleKey(p))
	if p.Sample {
		meta.add(metaSample, "true")
	}
	// Dates as three keywords (year, month, day) rather than bleve's
	// datetime, which indexes 16 prefix-coded terms per value; a range
	// query is decomposed into whole years, whole months and single days.
	if !p.Date.IsZero() {
		kw(fieldYear, strconv.Itoa(p.Date.Year()), 0)
		meta.add(metaMonth, p.Date.Format("2006-01"))
		kw(fieldDate, p.Date.Format("2006-01-02"), 0)
	}
	if f := fa.metaField(); f != nil {
		doc.AddField(f)
	}
	return doc
}

// documentPassageIDs returns the IDs of every passage of a document.
func documentPassageIDs(ctx context.Context, b bleve.Index, docID string) ([]string, error) {
	q := metaQuery(metaDocument, docID)
	var ids []string
	err := eachMatch(ctx, b, q, func(id string) { ids = append(ids, id) })
	return ids, err
}

// eachMatch calls fn with the ID of every passage q matches, in ID order,
// however many there are.
func eachMatch(ctx context.Context, b bleve.Index, q query.Query, fn func(id string)) error {
	const page = 5000
	for from := 0; ; from += page {
		req := bleve.NewSearchRequestOptions(q, page, from, false)
		req.SortBy([]string{"_id"})
		res, err := b.SearchInContext(ctx, req)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			fn(h.ID)
		}
		if len(res.Hits) < page {
			return nil
		}
	}
}

// CopyTo writes a consistent copy of the live index generation into dir
// (as dir/gen-N and dir/CURRENT, the layout Open reads) while searches and
// syncs carry on. It returns the change sequence the copy has applied.
func (ix *Index) CopyTo(dir string) (uint64, error) {
	ix.mu.Lock()
	b, gen := ix.live, ix.gen
	ix.mu.Unlock()
	seq, err := appliedSeq(b)
	if err != nil {
		return 0, err
	}
	c, ok := b.(bleve.IndexCopyable)
	if !ok {
		return 0, errors.New("copy index: this index cannot be copied online")
	}
	if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("gen-%d", gen)), 0o700); err != nil {
		return 0, err
	}
	if err := c.CopyTo(bleve.FileSystemDirectory(filepath.Join(dir, fmt.Sprintf("gen-%d", gen)))); err != nil {
		return 0, fmt.Errorf("copy index: %w", err)
	}
	return seq, writeCurrent(dir, gen)
}

// SetAnalysisWorkers sets how many goroutines analyse passages for
// indexing, for every index of the process (bleve's analysis queue is
// global; its default is 4). A server gives indexing one, so that an import
// or a reindex leaves the other cores to searches; the command-line import
// and reindex keep the default.
func SetAnalysisWorkers(n int) {
	bleve.Config.SetAnalysisQueueSize(max(n, 1))
	analysisWorkers.Store(int32(max(n, 1)))
}
