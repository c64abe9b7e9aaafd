package indexer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/google/go-cmp/cmp"
)

func openTestIndex(t *testing.T, ps []Passage) *Index {
	t.Helper()
	ix, err := Open(context.Background(), filepath.Join(t.TempDir(), "index"), testAnalyzer(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	for start := 0; start < len(ps) || start == 0; start += 1000 {
		if err := ix.Add(context.Background(), ps[start:min(start+1000, len(ps))]); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// TestWordAlignedMatchesRankFirst: every passage containing the query is
// found, and those where it is a word rank above those where its characters
// only stand side by side, even when BM25's length normalisation favours
// the accident.
func TestWordAlignedMatchesRankFirst(t *testing.T) {
	ps := []Passage{
		{ID: "accident-short", Text: "实施和解除合同"},
		{ID: "accident-explain", Text: "法律和解释"},
		{ID: "real", Text: "当事人可以自行和解，也可以请求人民调解委员会调解，达成和解协议后应当履行"},
		{ID: "unrelated", Text: "调解委员会"},
	}
	ix := openTestIndex(t, ps)
	tests := []struct {
		query       string
		first, last string
		total       uint64
	}{
		{"和解", "real", "", 3},
		// 和 stands alone in both accidents, only inside 和解 in "real".
		{"和", "", "real", 3},
		{"调解委员会", "unrelated", "", 2},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), Request{Query: tt.query})
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		hits, total := res.Hits, res.Total
		if total != tt.total || len(hits) != int(total) {
			t.Fatalf("%s: %d hits (total %d), want %d", tt.query, len(hits), total, tt.total)
		}
		if tt.first != "" && hits[0].ID != tt.first {
			t.Errorf("%s: ranking %v, want %s first", tt.query, hits, tt.first)
		}
		if tt.last != "" && hits[len(hits)-1].ID != tt.last {
			t.Errorf("%s: ranking %v, want %s last", tt.query, hits, tt.last)
		}
	}
}

// TestSearchTraditionalAndFullWidth: queries and texts in either script or
// width meet.
func TestSearchTraditionalAndFullWidth(t *testing.T) {
	ix := openTestIndex(t, []Passage{
		{ID: "simplified", Text: "监察机关依法独立行使监察权"},
		{ID: "traditional", Text: "監察機關依照本法規定"},
		{ID: "fullwidth", Text: "参照ＧＢ／Ｔ　７７１４－２０１５著录"},
	})
	for q, want := range map[string][]string{
		"监察机关":           {"simplified", "traditional"},
		"監察機關":           {"simplified", "traditional"},
		"GB/T 7714":      {"fullwidth"},
		"gb/t7714-2015":  {"fullwidth"},
		"ｇｂ/ｔ 7714-2015": {"fullwidth"},
	} {
		ids, _ := phraseIDs(t, ix, q, 10)
		if diff := cmp.Diff(want, sorted(ids)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q, diff)
		}
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestOpenReportsAnalysisMismatch: an index built with one lexicon, opened
// with another, is refused with both versions named, and nothing is
// changed: opening it again with the right analyzer works.
func TestOpenReportsAnalysisMismatch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index")
	a := testAnalyzer(t)
	ix, err := Open(ctx, path, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(ctx, []Passage{{ID: "1", Text: "过度留痕"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	user, err := ParseLexicon(stringsReader("过度留痕\n"), "user")
	if err != nil {
		t.Fatal(err)
	}
	domain, err := DomainLexicon()
	if err != nil {
		t.Fatal(err)
	}
	seg, err := NewSegmenter(ctx, SegmenterOptions{Lexicons: []*Lexicon{domain, user}})
	if err != nil {
		t.Fatal(err)
	}
	other := NewAnalyzer(seg)
	_, err = Open(ctx, path, other, Options{})
	var mm *AnalysisMismatchError
	if !errors.As(err, &mm) || !errors.Is(err, ErrAnalysisMismatch) {
		t.Fatalf("Open with another lexicon: %v, want AnalysisMismatchError", err)
	}
	if mm.Index != a.Version() || mm.Analyzer != other.Version() {
		t.Errorf("mismatch names %q and %q, want %q and %q", mm.Index, mm.Analyzer, a.Version(), other.Version())
	}

	ix, err = Open(ctx, path, a, Options{})
	if err != nil {
		t.Fatalf("reopen with the original analysis: %v", err)
	}
	defer ix.Close()
	if ids, _ := phraseIDs(t, ix, "留痕", 10); len(ids) != 1 {
		t.Fatalf("after a refused open, search = %v; want the passage", ids)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// phraseIDs returns the IDs (in score order) and total of the passages a
// phrase query matches, up to limit; unlike Search it has no size cap.
func phraseIDs(t testing.TB, ix *Index, text string, limit int) ([]string, uint64) {
	t.Helper()
	q, err := PhraseQuery(text)
	if err != nil {
		t.Fatalf("phrase %q: %v", text, err)
	}
	res, err := ix.alias.Search(bleve.NewSearchRequestOptions(q, limit, 0, false))
	if err != nil {
		t.Fatalf("phrase %q: %v", text, err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, res.Total
}

// allIDs returns every passage ID in the index.
func allIDs(t testing.TB, ix *Index) ([]string, uint64) {
	t.Helper()
	var ids []string
	var total uint64
	for from := 0; ; from += 5000 {
		req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 5000, from, false)
		req.SortBy([]string{"_id"})
		res, err := ix.alias.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		total = res.Total
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < 5000 {
			return ids, total
		}
	}
}

// TestLiveBytesCountsTheMergedSegment: after a merge, LiveBytes is the size
// of the one segment left, which the directory holds.
func TestLiveBytesCountsTheMergedSegment(t *testing.T) {
	var ps []Passage
	for i := range 200 {
		ps = append(ps, Passage{ID: strings.Repeat("p", 1+i%7) + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Text: "坚决纠治形式主义官僚主义，第" + strings.Repeat("一", 1+i%5) + "条"})
	}
	ix := openTestIndex(t, ps)
	if err := compact(context.Background(), ix.live); err != nil {
		t.Fatal(err)
	}
	live := ix.LiveBytes()
	if live == 0 {
		t.Fatal("LiveBytes is 0 after a merge")
	}
	matches, err := filepath.Glob(filepath.Join(ix.genDir(1), "store", "*.zap"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && uint64(fi.Size()) == live {
			found = true
		}
	}
	if !found {
		t.Errorf("LiveBytes %d matches no segment file among %v", live, matches)
	}
}

// TestSetSynonymsTakesEffectAtOnce: replacing the synonyms changes how the
// next query expands, with nothing re-indexed.
func TestSetSynonymsTakesEffectAtOnce(t *testing.T) {
	ix := openTestIndex(t, []Passage{
		{ID: "literal", Text: "整治文山会海问题"},
		{ID: "synonym", Text: "精简会议文件，为基层减负"},
	})
	count := func() []string {
		res, err := ix.Search(context.Background(), Request{Query: "文山会海"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if ids := count(); len(ids) != 1 || ids[0] != "literal" {
		t.Fatalf("before: %v", ids)
	}
	syn, err := ParseSynonyms(strings.NewReader("# version: test-2\n文山会海 => 精简会议文件\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	ix.SetSynonyms(syn)
	if ids := sorted(count()); len(ids) != 2 || ids[0] != "literal" || ids[1] != "synonym" {
		t.Errorf("after: %v, want the literal match and the synonym's", ids)
	}
	if ix.Synonyms().Version() != "test-2" {
		t.Errorf("version %q", ix.Synonyms().Version())
	}
}

// TestResultCache: a repeated search is served from the cache, the same
// result; a write, a synonym change or a different request is computed
// afresh; the cache keeps at most its size.
func TestResultCache(t *testing.T) {
	ctx := context.Background()
	ix := openTestIndex(t, []Passage{
		{ID: "a", Text: "整治文山会海问题"},
		{ID: "b", Text: "精简会议文件，为基层减负"},
	})
	search := func(q string) *Result {
		t.Helper()
		res, err := ix.Search(ctx, Request{Query: q, Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := search("文山会海")
	second := search("文山会海")
	if st := ix.CacheStats(); st.Hits != 1 || st.Misses != 1 || st.Entries != 1 {
		t.Fatalf("after a repeat: %+v", st)
	}
	if first.Total != 1 || second.Total != 1 || second.Hits[0].ID != "a" || second.Hits[0].Snippet != first.Hits[0].Snippet {
		t.Errorf("cached result differs: %+v vs %+v", second, first)
	}
	if err := ix.Add(ctx, []Passage{{ID: "c", Text: "又见文山会海"}}); err != nil {
		t.Fatal(err)
	}
	if res := search("文山会海"); res.Total != 2 {
		t.Errorf("after a write: %d hits, want 2 (a stale result was served)", res.Total)
	}
	syn, err := ParseSynonyms(strings.NewReader("文山会海 => 精简会议文件\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	ix.SetSynonyms(syn)
	if res := search("文山会海"); res.Total != 3 {
		t.Errorf("after a synonym change: %d hits, want 3", res.Total)
	}
	// scorch's persister and merger make new snapshots of their own a
	// moment after a write, and a new snapshot empties the cache as a write
	// does: the four searches are tried again until they ran on one.
	for try := 1; ; try++ {
		ix.SetCacheEntries(2)
		gen, _ := ix.currentGen()
		for _, q := range []string{"文山", "会海", "基层", "文山"} {
			search(q)
		}
		after, _ := ix.currentGen()
		if after != gen && try < 100 {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if st := ix.CacheStats(); st.Entries != 2 {
			t.Errorf("a cache of 2 holds %d", st.Entries)
		}
		break
	}
	ix.SetCacheEntries(0)
	before := ix.CacheStats()
	search("基层")
	search("基层")
	if st := ix.CacheStats(); st.Hits != before.Hits || st.Entries != 0 {
		t.Errorf("a cache turned off served a hit: %+v", st)
	}
}

// TestSnapshotOfAClosedGeneration: once a generation is closed (as a
// reindex closes the one it replaced), asking for its snapshot is an error,
// not a nil snapshot that panics on Close (seen in a search racing a swap).
func TestSnapshotOfAClosedGeneration(t *testing.T) {
	ix := openTestIndex(t, []Passage{{ID: "a", Text: "整治文山会海问题"}})
	ix.mu.Lock()
	live := ix.live
	ix.mu.Unlock()
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	if r, err := ix.snapshotReader(); err == nil {
		t.Fatalf("snapshot of a closed generation: %v", r)
	}
	if _, ok := ix.currentGen(); ok {
		t.Error("a closed generation gave a cache generation")
	}
	ix.mu.Lock()
	ix.closed = true // closed above; the cleanup must not close it again
	ix.mu.Unlock()
}

// TestGenerationsMergeWide: a generation merges mergeWidth segments at a
// time when it is created, when it is opened again, and when it was created
// by an older version that stored no merge plan.
func TestGenerationsMergeWide(t *testing.T) {
	ctx := context.Background()
	a := testAnalyzer(t)
	check := func(b bleve.Index, when string) {
		t.Helper()
		adv, err := b.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		s, ok := adv.(*scorch.Scorch)
		if !ok {
			t.Fatalf("%s: %T is not scorch", when, adv)
		}
		// scorch keeps its merge plan unexported: read it to see which
		// plan the merger runs.
		o := reflect.Indirect(reflect.ValueOf(s).Elem().FieldByName("mergePlannerOptions"))
		if !o.IsValid() {
			t.Fatal("scorch.Scorch has no mergePlannerOptions: see how this bleve takes its merge plan")
		}
		for _, name := range []string{"MaxSegmentsPerTier", "SegmentsPerMergeTask"} {
			if got := o.FieldByName(name).Int(); got != mergeWidth {
				t.Fatalf("%s: %s is %d, want %d", when, name, got, mergeWidth)
			}
		}
		// The rest stay scorch's defaults.
		if got := o.FieldByName("TierGrowth").Float(); got != mergeplan.DefaultMergePlanOptions.TierGrowth {
			t.Fatalf("%s: TierGrowth %v", when, got)
		}
	}
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(ctx, dir, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(ix.live, "created")
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(ctx, dir, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(ix.live, "reopened")
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	old := filepath.Join(t.TempDir(), "old")
	b, err := bleve.New(old, newMapping())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetInternal(internalAnalysisKey, []byte(a.Version())); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b, _, err = openGeneration(old, a)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	check(b, "created without a plan")
}
