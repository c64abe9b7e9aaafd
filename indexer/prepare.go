package indexer

import (
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/document"
	index "github.com/blevesearch/bleve_index_api"
)

// Passages are analysed before they reach bleve, by prepareDocuments, for
// two reasons.
//
//   - A bleve batch analyses its documents on its worker goroutines and then
//     builds the batch's segment on the calling goroutine, with the workers
//     idle; done here, the analysis of the next batch runs while bleve builds
//     the segment of this one (see syncInto), and both cores stay busy.
//   - A passage's text is normalised once for its three representations
//     (bleve would call each field's analyzer, and each would normalise), and
//     the term frequencies are built straight from the token buffer: no
//     analysis.Token per token, no string per map key.
//
// The result is a document whose text fields are analysedField values: the
// same name, array positions, options, length and term frequencies as
// bleve's TextField would hold after Analyze (TestPreparedFieldsMatchBleve
// compares them field by field), with Analyze a no-op.

// analysisWorkers is how many goroutines analyse a batch of passages; 0
// means one per CPU. SetAnalysisWorkers sets it.
var analysisWorkers atomic.Int32

func workers() int {
	if n := int(analysisWorkers.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// analysedField is a text field whose analysis is already done.
type analysedField struct {
	name           string
	arrayPositions []uint64
	options        index.FieldIndexingOptions
	text           string
	length         int
	freqs          index.TokenFrequencies
	// freqsSize is freqs.Size(), computed as they are built: bleve asks
	// for every document's size on the goroutine that builds the segment,
	// and walking the map there took 5% of a rebuild.
	freqsSize int
}

var (
	analysedFieldSize = int(reflect.TypeOf(analysedField{}).Size())
	// As bleve_index_api sizes a TokenFrequencies map.
	sizeOfMap           = int(reflect.TypeOf(map[int]int{}).Size())
	sizeOfMapEntry      = int(reflect.TypeOf("").Size() + reflect.TypeOf(&index.TokenFreq{}).Size())
	sizeOfTokenFreq     = int(reflect.TypeOf(index.TokenFreq{}).Size())
	sizeOfTokenLocation = int(reflect.TypeOf(index.TokenLocation{}).Size())
)

func (f *analysedField) Name() string                        { return f.name }
func (f *analysedField) ArrayPositions() []uint64            { return f.arrayPositions }
func (f *analysedField) Options() index.FieldIndexingOptions { return f.options }
func (f *analysedField) Analyze()                            {}
func (f *analysedField) Value() []byte                       { return []byte(f.text) }
func (f *analysedField) NumPlainTextBytes() uint64           { return uint64(len(f.text)) }
func (f *analysedField) EncodedFieldType() byte              { return 't' }
func (f *analysedField) AnalyzedLength() int                 { return f.length }
func (f *analysedField) AnalyzedTokenFrequencies() index.TokenFrequencies {
	return f.freqs
}
func (f *analysedField) Size() int {
	return analysedFieldSize + len(f.name) + len(f.text) + 8*len(f.arrayPositions) + f.freqsSize
}

// fieldAnalyser analyses field values into analysedFields, reusing its
// buffers from one value to the next. It is used by one goroutine.
type fieldAnalyser struct {
	a                       *Analyzer
	bigram, uni, word, meta tokenBuf
	n                       Normalized
	u                       []int
	// normalised is the text fa.n and fa.u hold, if held is set.
	normalised string
	held       bool
	// lastWords keeps, per field, the words of the last value: a
	// document's passages share its title.
	lastWords map[string]*memoWords
	// everyUnigram makes the unigram fields hold every unit, as they did
	// before rules-3: the char query's tests compare with such an index.
	everyUnigram bool
}

type memoWords struct {
	text string
	buf  tokenBuf
}

// normalise normalises text into the analyser's buffers, unless they hold
// it already (a passage's three text fields share one normalisation).
func (fa *fieldAnalyser) normalise(text string) {
	if fa.held && text == fa.normalised {
		return
	}
	fa.n.Runes, fa.n.Offsets = fa.n.Runes[:0], fa.n.Offsets[:0]
	tab := foldTable()
	for i, r := range text {
		fa.n.Offsets = append(fa.n.Offsets, i)
		fa.n.Runes = append(fa.n.Runes, foldRune(tab, r))
	}
	fa.n.Offsets = append(fa.n.Offsets, len(text))
	fa.u = fa.u[:0]
	for i, r := range fa.n.Runes {
		if r != ' ' {
			fa.u = append(fa.u, i)
		}
	}
	fa.normalised, fa.held = text, true
}

// representation names which of the three analyses a field takes.
type representation int

const (
	reprBigram representation = iota
	reprUnigram
	reprWord
)

// field analyses one value of a field. It returns nil if the value has no
// terms: such a field would add nothing to the index but zap's work on it
// (in a rebuild of the laws, 92% of the passages' unigram fields; the
// segment still names the field, see completeFields).
func (fa *fieldAnalyser) field(name string, pos []uint64, text string, opts index.FieldIndexingOptions, repr representation) *analysedField {
	fa.normalise(text)
	var buf *tokenBuf
	switch repr {
	case reprBigram:
		buf = &fa.bigram
		buf.reset()
		bigrams(&fa.n, fa.u, buf)
	case reprUnigram:
		buf = &fa.uni
		buf.reset()
		if fa.everyUnigram {
			unigrams(&fa.n, fa.u, buf)
		} else {
			lastUnigram(&fa.n, fa.u, buf)
		}
	case reprWord:
		if name == fieldTitleWord {
			buf = fa.memoWords(name, text)
			break
		}
		buf = &fa.word
		buf.reset()
		fa.a.words(&fa.n, IndexMode, buf)
	}
	if len(buf.toks) == 0 {
		return nil
	}
	freqs, size := buf.frequencies(pos, opts)
	return &analysedField{
		name:           name,
		arrayPositions: pos,
		options:        opts,
		text:           text,
		length:         len(buf.toks),
		freqs:          freqs,
		freqsSize:      size,
	}
}

// metaBuf collects the terms of a passage's fieldMeta.
type metaBuf struct{ *tokenBuf }

// beginMeta starts the terms of a passage's fieldMeta.
func (fa *fieldAnalyser) beginMeta() metaBuf {
	fa.meta.reset()
	return metaBuf{&fa.meta}
}

// add adds the term that says the passage's k is value, unless value is
// empty.
func (m metaBuf) add(k metaKey, value string) {
	if value == "" {
		return
	}
	a := len(m.arena)
	m.arena = append(m.arena, metaPrefix(k)...)
	m.arena = append(m.arena, value...)
	m.toks = append(m.toks, bufToken{a: a, b: len(m.arena), pos: len(m.toks) + 1})
}

// metaField returns the passage's fieldMeta, or nil if it has no terms.
// Its value is its terms, one after the other (bleve counts its bytes; it
// is not stored).
func (fa *fieldAnalyser) metaField() *analysedField {
	if len(fa.meta.toks) == 0 {
		return nil
	}
	freqs, size := fa.meta.frequencies(nil, keywordOptions)
	return &analysedField{
		name:      fieldMeta,
		options:   keywordOptions,
		text:      string(fa.meta.arena),
		length:    len(fa.meta.toks),
		freqs:     freqs,
		freqsSize: size,
	}
}

// memoWords returns the words of text, the value of field name, reusing them
// if the last value of that field was the same.
func (fa *fieldAnalyser) memoWords(name, text string) *tokenBuf {
	if fa.lastWords == nil {
		fa.lastWords = map[string]*memoWords{}
	}
	m := fa.lastWords[name]
	if m == nil {
		m = &memoWords{}
		fa.lastWords[name] = m
	} else if m.text == text {
		return &m.buf
	}
	m.text = text
	m.buf.reset()
	fa.a.words(&fa.n, IndexMode, &m.buf)
	return &m.buf
}

func (t *tokenBuf) reset() { t.arena, t.toks = t.arena[:0], t.toks[:0] }

// frequencies returns the buffer's term frequencies as bleve's
// analysis.TokenFrequency would compute them from the same tokens with
// positions only (offsets are not kept in the index: highlights come from
// the stored text), and their size as TokenFrequencies.Size reports it. The
// terms are slices of one string: one allocation for all of them, and none
// for the map keys.
func (t *tokenBuf) frequencies(arrayPositions []uint64, opts index.FieldIndexingOptions) (index.TokenFrequencies, int) {
	arena := string(t.arena)
	termBytes := []byte(arena)
	rv := make(index.TokenFrequencies, len(t.toks))
	freqs := make([]index.TokenFreq, 0, len(t.toks))
	vectors := opts.IncludeTermVectors()
	// Every term is counted; with vectors, the counts size each term's
	// share of one slice of location pointers (no slice per term: zap
	// reads them all again, and they were 21 million small allocations
	// in a rebuild of the laws), and tfs remembers each token's term.
	tfs := t.tfs[:0]
	for _, k := range t.toks {
		term := arena[k.a:k.b]
		tf, ok := rv[term]
		if !ok {
			freqs = append(freqs, index.TokenFreq{Term: termBytes[k.a:k.b:k.b]})
			tf = &freqs[len(freqs)-1]
			rv[term] = tf
		}
		tf.SetFrequency(tf.Frequency() + 1)
		if vectors {
			tfs = append(tfs, tf)
		}
	}
	if vectors {
		locs := make([]index.TokenLocation, len(t.toks))
		ptrs := make([]*index.TokenLocation, len(t.toks))
		off := 0
		for i := range freqs {
			n := freqs[i].Frequency()
			freqs[i].Locations = ptrs[off : off : off+n]
			off += n
		}
		for i, k := range t.toks {
			locs[i] = index.TokenLocation{ArrayPositions: arrayPositions, Position: k.pos}
			tf := tfs[i]
			tf.Locations = append(tf.Locations, &locs[i])
		}
		clear(tfs)
	}
	t.tfs = tfs[:0]
	if opts.SkipFreqNorm() {
		for i := range freqs {
			freqs[i].SetFrequency(0)
		}
	}
	size := sizeOfMap + len(freqs)*(sizeOfMapEntry+sizeOfTokenFreq)
	for _, tf := range freqs {
		size += 2 * len(tf.Term)
	}
	if vectors {
		size += len(t.toks) * (sizeOfTokenLocation + 8*len(arrayPositions))
	}
	return rv, size
}

// fieldAnalysers keeps the analysers' buffers between batches.
var fieldAnalysers = sync.Pool{New: func() any { return new(fieldAnalyser) }}

// prepareDocuments builds and analyses the bleve documents of ps on up to
// workers() goroutines.
func prepareDocuments(a *Analyzer, ps []Passage) []*document.Document {
	docs := make([]*document.Document, len(ps))
	w := min(workers(), (len(ps)+63)/64)
	if w <= 1 {
		fa := fieldAnalysers.Get().(*fieldAnalyser)
		fa.a = a
		for i := range ps {
			docs[i] = passageDocument(&ps[i], fa)
		}
		fa.release()
		return docs
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	const chunk = 32
	for range w {
		wg.Go(func() {
			fa := fieldAnalysers.Get().(*fieldAnalyser)
			fa.a = a
			defer fa.release()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(ps) {
					return
				}
				for i := lo; i < min(lo+chunk, len(ps)); i++ {
					docs[i] = passageDocument(&ps[i], fa)
				}
			}
		})
	}
	wg.Wait()
	return docs
}

// release returns the analyser to the pool, dropping what refers to the
// last text and analyzer.
func (fa *fieldAnalyser) release() {
	fa.a, fa.normalised, fa.held = nil, "", false
	clear(fa.lastWords)
	fieldAnalysers.Put(fa)
}

// batchDocuments returns the documents of a batch that indexes ps: they
// are analysed, and the first names every field (completeFields).
func batchDocuments(a *Analyzer, ps []Passage) []*document.Document {
	docs := prepareDocuments(a, ps)
	if len(docs) > 0 {
		completeFields(docs[0])
	}
	return docs
}

// completeFields gives doc an empty value of every indexed field it lacks,
// so that the segment of its batch names every field of the index.
//
// zap merges segments that name the same fields (with the same options) by
// copying each posting's encoded frequencies and positions; if one of them
// lacks a field, it decodes and encodes every position of every posting of
// every field instead. A batch of law paragraphs often holds no issuer, no
// date or no unit, and with them segments merged the slow way: on a third of
// the laws, the final merge took 2.3 s instead of 1.3 s. An empty value adds
// the field's name to the segment and nothing to its postings, norms or doc
// values: zap takes the field's terms from its frequencies, and it has none.
func completeFields(doc *document.Document) {
	has := make(map[string]bool, len(doc.Fields))
	for _, f := range doc.Fields {
		has[f.Name()] = true
	}
	for _, f := range indexedFields {
		if !has[f.name] {
			doc.AddField(&analysedField{name: f.name, options: f.options})
		}
	}
}
