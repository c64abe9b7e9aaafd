package indexer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
	zap "github.com/blevesearch/zapx/v17"

	"github.com/xuncha/xuncha/corpus"
)

// bleveDocument builds a passage's document the way bleve analyses it: text
// fields with analyzers, analysed by TextField.Analyze. It is the oracle
// for prepareDocuments, which must give every field the same terms.
func bleveDocument(a *Analyzer, p *Passage) *document.Document {
	bigram := &tokenizer{fill: fillBigrams, positionsOnly: true}
	unigram := &tokenizer{fill: fillUnigrams}
	word := &tokenizer{fill: func(n *Normalized, buf *tokenBuf) { a.words(n, IndexMode, buf) }}
	doc := document.NewDocument(p.ID)
	add := func(name string, pos []uint64, v string, opts index.FieldIndexingOptions, an analysis.Analyzer) {
		doc.AddField(document.NewTextFieldCustom(name, pos, []byte(v), opts, an))
	}
	add(fieldTextBigram, nil, p.Text, bigramOptions, bigram)
	add(fieldTextUnigram, nil, p.Text, unigramOptions, unigram)
	add(fieldTextWord, nil, p.Text, wordOptions, word)
	for k, extra := range append([]string{p.Unit}, p.Problems...) {
		if extra == "" {
			continue
		}
		pos := []uint64{uint64(k + 1)}
		add(fieldTextBigram, pos, extra, bigramOptions, bigram)
		add(fieldTextUnigram, pos, extra, unigramOptions, unigram)
		add(fieldTextWord, pos, extra, wordOptions, word)
	}
	if p.Title != "" && p.N <= 1 {
		add(fieldTitleWord, nil, p.Title, wordOptions, word)
	}
	if p.Unit != "" {
		add(fieldUnitBigram, nil, p.Unit, bigramOptions, bigram)
		add(fieldUnitUni, nil, p.Unit, unigramOptions, unigram)
	}
	if p.Round != "" {
		add(fieldRoundBigram, nil, p.Round, bigramOptions, bigram)
	}
	for i, m := range p.Mentions {
		add(fieldUnitBigram, []uint64{uint64(i + 1)}, m, bigramOptions, bigram)
		add(fieldUnitUni, []uint64{uint64(i + 1)}, m, unigramOptions, unigram)
	}
	// Keyword fields are built by the same code in both: take them from
	// the prepared document.
	return doc
}

// describeFreqs renders term frequencies in a canonical order.
func describeFreqs(tf index.TokenFrequencies) string {
	var lines []string
	for term, f := range tf {
		if term != string(f.Term) {
			lines = append(lines, fmt.Sprintf("KEY %q != TERM %q", term, f.Term))
		}
		var locs []string
		for _, l := range f.Locations {
			locs = append(locs, fmt.Sprintf("%v@%d[%d:%d]", l.ArrayPositions, l.Position, l.Start, l.End))
		}
		lines = append(lines, fmt.Sprintf("%s f=%d %s", term, f.Frequency(), strings.Join(locs, " ")))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestPreparedFieldsMatchBleve(t *testing.T) {
	a := testAnalyzer(t)
	ps := lawParagraphs(t, 101)
	ps = append(ps,
		Passage{ID: "f1", Kind: corpus.KindFinding, Title: "违规发放津贴补贴", Text: "区人力资源和社会保障局违规发放津贴补贴，形式主义、官僚主义问题突出。",
			Unit: "区人力资源和社会保障局", Problems: []string{"形式主义", "官僚主义"}, Round: "第十轮", Date: time.Date(2023, 4, 5, 0, 0, 0, 0, time.UTC)},
		Passage{ID: "f2", Kind: corpus.KindFinding, Text: "", Unit: "息县", Problems: []string{"", "享乐主义"}},
		Passage{ID: "s1", Kind: corpus.KindSpeech, Title: "在巡察工作会议上的讲话", Path: []string{"一、", "（二）"}, Text: "人民法院 人民法院审理 ＧＢ／Ｔ 7714—2015 2023年 pd1728_a_1 國家賠償 和解和解",
			Mentions: []string{"息县", "河南省信阳市"}},
		Passage{ID: "x1", Text: "\xff\xfe invalid 一 ⼀ 　 \u200b"},
		// A paragraph after the first: its title is indexed on the
		// first only (titles.go).
		Passage{ID: "d-2", DocumentID: "d", N: 2, Kind: corpus.KindRegulation, Title: "中华人民共和国监察法", Text: "监察机关依法独立行使监察权。"},
	)
	docs := prepareDocuments(a, ps)
	if len(docs) != len(ps) {
		t.Fatalf("%d documents for %d passages", len(docs), len(ps))
	}
	compared := 0
	for i := range ps {
		want, got := bleveDocument(a, &ps[i]), docs[i]
		if got.ID() != ps[i].ID {
			t.Fatalf("document %d has ID %q, want %q", i, got.ID(), ps[i].ID)
		}
		var gotText []document.Field
		for _, f := range got.Fields {
			// fieldMeta has no bleve equivalent: TestMetaTerms.
			if _, ok := f.(*analysedField); ok && f.Name() != fieldMeta {
				gotText = append(gotText, f)
			}
		}
		// A value with no terms adds nothing to the index, and no field.
		var wantText []document.Field
		for _, w := range want.Fields {
			w.Analyze()
			if w.AnalyzedLength() > 0 {
				wantText = append(wantText, w)
			}
		}
		if len(gotText) != len(wantText) {
			t.Fatalf("%s: %d analysed fields, bleve has %d with terms", ps[i].ID, len(gotText), len(wantText))
		}
		for k, w := range wantText {
			g := gotText[k]
			g.Analyze()
			if g.Name() != w.Name() || !slices.Equal(g.ArrayPositions(), w.ArrayPositions()) || g.Options() != w.Options() ||
				g.EncodedFieldType() != w.EncodedFieldType() || string(g.Value()) != string(w.Value()) || g.NumPlainTextBytes() != w.NumPlainTextBytes() {
				t.Fatalf("%s field %d: got %s%v %v, want %s%v %v", ps[i].ID, k, g.Name(), g.ArrayPositions(), g.Options(), w.Name(), w.ArrayPositions(), w.Options())
			}
			if g.AnalyzedLength() != w.AnalyzedLength() {
				t.Fatalf("%s %s: length %d, bleve %d", ps[i].ID, w.Name(), g.AnalyzedLength(), w.AnalyzedLength())
			}
			if gd, wd := describeFreqs(g.AnalyzedTokenFrequencies()), describeFreqs(w.AnalyzedTokenFrequencies()); gd != wd {
				t.Fatalf("%s %s: terms differ\n got: %s\nwant: %s", ps[i].ID, w.Name(), gd, wd)
			}
			if af := g.(*analysedField); af.freqsSize != af.freqs.Size() {
				t.Fatalf("%s %s: size %d, bleve's TokenFrequencies.Size %d", ps[i].ID, w.Name(), af.freqsSize, af.freqs.Size())
			}
			compared++
		}
	}
	// Most passages have bigrams and words; few end in a character that
	// makes a unigram.
	if compared < 2*len(ps) {
		t.Fatalf("only %d fields compared", compared)
	}
	t.Logf("%d fields of %d passages agree", compared, len(ps))
}

// TestMetaTerms: a passage's fieldMeta holds one term per value it has,
// named by its key, and nothing for a value it lacks; its options are a
// keyword's; and filters and lookups find passages by these terms.
func TestMetaTerms(t *testing.T) {
	fa := fieldAnalysers.Get().(*fieldAnalyser)
	fa.a = testAnalyzer(t)
	defer fa.release()
	full := Passage{ID: "d1-p1", DocumentID: "d1", N: 1, Kind: corpus.KindRegulation, Title: "监察法", Text: "监察机关依法独立行使监察权。",
		Issuer: "全国人民代表大会: 常务委员会", Work: "监察法", Edition: "2018", Sample: true, Date: time.Date(2018, 3, 20, 0, 0, 0, 0, time.UTC)}
	bare := Passage{ID: "x", Text: "一"}
	metaOf := func(p *Passage) *analysedField {
		var meta *analysedField
		for _, f := range passageDocument(p, fa).Fields {
			if f.Name() == fieldMeta {
				if meta != nil {
					t.Fatalf("%s: two %s fields", p.ID, fieldMeta)
				}
				meta = f.(*analysedField)
			}
		}
		return meta
	}
	meta := metaOf(&full)
	if meta == nil {
		t.Fatal("no meta field")
	}
	want := []string{
		"doc:d1", "edition:2018", "issuer:全国人民代表大会: 常务委员会", "month:2018-03",
		"sample:true", metaTerm(metaTitleKey, titleKey(&full)), "work:监察法",
	}
	var got []string
	for term, tf := range meta.freqs {
		if string(tf.Term) != term || len(tf.Locations) != 0 {
			t.Fatalf("term %q: %q with %d locations", term, tf.Term, len(tf.Locations))
		}
		got = append(got, term)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("meta terms\n got %q\nwant %q", got, want)
	}
	if meta.options != keywordOptions || meta.length != len(want) || meta.freqsSize != meta.freqs.Size() {
		t.Fatalf("options %v, length %d, size %d (bleve: %d)", meta.options, meta.length, meta.freqsSize, meta.freqs.Size())
	}
	if m := metaOf(&bare); m != nil {
		t.Fatalf("a passage with no title, document or date has a meta field: %+v", m)
	}

	// Filters and lookups read them.
	ctx := context.Background()
	ix, err := Open(ctx, t.TempDir(), testAnalyzer(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	other := Passage{ID: "d2-p1", DocumentID: "d2", N: 1, Kind: corpus.KindRegulation, Title: "公务员法", Text: "监察机关依法独立行使监察权。",
		Issuer: "国务院", Work: "公务员法", Edition: "2019", Date: time.Date(2019, 3, 20, 0, 0, 0, 0, time.UTC)}
	if err := ix.Add(ctx, []Passage{full, other}); err != nil {
		t.Fatal(err)
	}
	for q, id := range map[string]string{
		"监察 机关:\"全国人民代表大会: 常务委员会\"": "d1-p1",
		"监察 版本:2019":                   "d2-p1",
		"监察 日期:2018-03-01..2018-03-31": "d1-p1",
	} {
		res, err := ix.Search(ctx, Request{Query: q, Size: 10})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(res.Hits) != 1 || res.Hits[0].ID != id {
			t.Fatalf("%s: %+v, want %s alone", q, res.Hits, id)
		}
	}
	ids, err := documentPassageIDs(ctx, ix.live, "d2")
	if err != nil || !slices.Equal(ids, []string{"d2-p1"}) {
		t.Fatalf("passages of d2: %v, %v", ids, err)
	}
}

// TestEverySegmentNamesEveryField: batches whose passages lack different
// fields still make segments that name the same fields, with the options
// the mapping gives them, so that zap merges them by copying (see
// completeFields); and indexedFields names every field a passage can have.
func TestEverySegmentNamesEveryField(t *testing.T) {
	ctx := context.Background()
	full := Passage{ID: "f1", DocumentID: "f", N: 1, Kind: corpus.KindFinding, Title: "违规发放津贴补贴", Text: "区人力资源和社会保障局违规发放津贴补贴。",
		Unit: "区人力资源和社会保障局", Problems: []string{"形式主义"}, Round: "第十轮", Status: "已整改", Focus: "作风", Issuer: "区委巡察办",
		Work: "w", Edition: "e", Sample: true, Mentions: []string{"息县"}, Date: time.Date(2023, 4, 5, 0, 0, 0, 0, time.UTC)}
	want := []string{"_id"}
	options := map[string]index.FieldIndexingOptions{}
	for _, f := range indexedFields {
		want = append(want, f.name)
		options[f.name] = f.options
	}
	// Every field of the fullest passage is in the table, with its options.
	fa := fieldAnalysers.Get().(*fieldAnalyser)
	fa.a = testAnalyzer(t)
	doc := passageDocument(&full, fa)
	fa.release()
	seen := map[string]bool{}
	for _, f := range doc.Fields {
		o, ok := options[f.Name()]
		if !ok || o != f.Options() {
			t.Fatalf("field %s with options %v: indexedFields has %v, %v", f.Name(), f.Options(), o, ok)
		}
		seen[f.Name()] = true
	}
	if len(seen) != len(indexedFields) {
		t.Fatalf("the fullest passage has %d of the %d fields: the test misses some", len(seen), len(indexedFields))
	}
	// The mapping names the same fields.
	m := newMapping()
	if len(m.DefaultMapping.Properties) != len(indexedFields) {
		t.Fatalf("the mapping has %d fields, indexedFields %d", len(m.DefaultMapping.Properties), len(indexedFields))
	}
	for name := range m.DefaultMapping.Properties {
		if _, ok := options[name]; !ok {
			t.Fatalf("the mapping's field %s is not in indexedFields", name)
		}
	}

	law := Passage{ID: "l1", DocumentID: "l", N: 1, Kind: corpus.KindRegulation, Title: "中华人民共和国监察法", Text: "监察机关依法独立行使监察权。"}
	batches := [][]Passage{{law}, {full}, {{ID: "x", Text: "一"}}}
	for _, ps := range batches {
		docs := batchDocuments(testAnalyzer(t), ps)
		var results []index.Document
		for _, d := range docs {
			d.AddIDField()
			results = append(results, d)
		}
		seg, _, err := (&zap.ZapPlugin{}).New(results)
		if err != nil {
			t.Fatal(err)
		}
		if got := seg.Fields(); !slices.Equal(got, want) {
			t.Fatalf("the segment of %s names the fields\n%v\nwant\n%v", ps[0].ID, got, want)
		}
		seg.Close()
	}
	ix := openTestIndex(t, nil)
	for _, ps := range batches {
		if err := ix.Add(ctx, ps); err != nil {
			t.Fatal(err)
		}
	}
	// The empty values add no terms: the law passage is no finding, has
	// no unit and no year.
	for q, n := range map[string]uint64{"单位:息县": 1, "类型:问题": 1, "年份:2023": 1, "监察": 1, "一": 1} {
		res, err := ix.Search(ctx, Request{Query: q, Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != n {
			t.Fatalf("%s: %d passages, want %d", q, res.Total, n)
		}
	}
}
