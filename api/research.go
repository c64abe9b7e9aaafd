package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// TextInput is the body of a quote check or a precedents search.
type TextInput struct {
	Text string `json:"text"`
	Size int    `json:"size"`
}

func (s *Server) bindText(c echo.Context, def int) (TextInput, error) {
	var in TextInput
	if err := c.Bind(&in); err != nil {
		return in, errBadRequest("the body must be JSON: {\"text\": …, \"size\": …}: %v", err)
	}
	if in.Size == 0 {
		in.Size = def
	}
	return in, nil
}

// QuoteMatchJSON is one source of a quotation.
type QuoteMatchJSON struct {
	HitJSON
	Similarity float64          `json:"similarity"`
	Exact      bool             `json:"exact"`
	Match      SpanJSON         `json:"match"`
	Diffs      []QuoteDiffJSON  `json:"diffs"`
	Citation   *corpus.Citation `json:"citation,omitempty"`
}

// QuoteDiffJSON is one difference; start and end are character offsets
// into the hit's text.
type QuoteDiffJSON struct {
	Quote  string `json:"quote"`
	Source string `json:"source"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
}

// quoteCheck: POST /api/v1/quote-check {"text": "…", "size": 5} — the
// paragraphs that contain a quotation exactly or nearly, best first, with
// the differences and each source's citation.
func (s *Server) quoteCheck(c echo.Context) error {
	in, err := s.bindText(c, 5)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ms, err := s.opts.Index.QuoteCheck(ctx, in.Text, in.Size)
	if err != nil {
		return err
	}
	out := []QuoteMatchJSON{}
	for _, m := range ms {
		h := hitJSON(m.Hit)
		chars := func(b int) int { return len([]rune(m.Text[:b])) }
		qm := QuoteMatchJSON{HitJSON: h, Similarity: m.Similarity, Exact: m.Exact,
			Match: SpanJSON{Start: chars(m.Match.Start), End: chars(m.Match.End)}, Diffs: []QuoteDiffJSON{}}
		for _, d := range m.Diffs {
			qm.Diffs = append(qm.Diffs, QuoteDiffJSON{Quote: d.Quote, Source: d.Source, Start: chars(d.Start), End: chars(d.End)})
		}
		if m.DocumentID != "" && m.Kind != corpus.KindFinding {
			if d, err := s.opts.Store.GetDocument(ctx, m.DocumentID); err == nil {
				if cite, err := corpus.Cite(d, m.ID, s.opts.Now()); err == nil {
					qm.Citation = &cite
				}
			}
		}
		out = append(out, qm)
	}
	return c.JSON(http.StatusOK, map[string]any{"matches": out})
}

// precedents: POST /api/v1/precedents {"text": "…", "size": 5} — for a draft
// finding, the most similar past findings and notice cases, with how each
// was characterised (focus, problem types) and disposed of.
func (s *Server) precedents(c echo.Context) error {
	in, err := s.bindText(c, 5)
	if err != nil {
		return err
	}
	hits, keys, err := s.opts.Index.Similar(c.Request().Context(), in.Text, "", []corpus.Kind{corpus.KindFinding, corpus.KindNotice}, in.Size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, similarResponse(hits, keys))
}

func similarResponse(hits []indexer.Hit, keys []indexer.KeyTerm) map[string]any {
	terms := []string{}
	for _, k := range keys {
		terms = append(terms, k.Term)
	}
	out := []HitJSON{}
	for _, h := range hits {
		out = append(out, hitJSON(h))
	}
	return map[string]any{"key_terms": terms, "hits": out}
}
