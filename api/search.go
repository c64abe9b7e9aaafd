package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// HitJSON is one search hit as the API returns it. Highlights are character
// (not byte) offsets into Text.
type HitJSON struct {
	ID          string     `json:"id"`
	DocumentID  string     `json:"document_id,omitempty"`
	Kind        string     `json:"kind"`
	KindLabel   string     `json:"kind_label"`
	Title       string     `json:"title"`
	Path        []string   `json:"path,omitempty"`
	N           int        `json:"n,omitempty"`
	Article     string     `json:"article,omitempty"`
	Unit        string     `json:"unit,omitempty"`
	Round       string     `json:"round,omitempty"`
	Status      string     `json:"status,omitempty"`
	Focus       string     `json:"focus,omitempty"`
	Problems    []string   `json:"problems,omitempty"`
	Date        string     `json:"date,omitempty"`
	Issuer      string     `json:"issuer,omitempty"`
	Disposition string     `json:"disposition,omitempty"`
	Mentions    []string   `json:"mentions,omitempty"`
	Edition     string     `json:"edition,omitempty"`
	Sample      bool       `json:"sample,omitempty"`
	Score       float64    `json:"score"`
	Snippet     string     `json:"snippet"`
	Text        string     `json:"text"`
	Highlights  []SpanJSON `json:"highlights,omitempty"`
}

// SpanJSON is a range of characters [start, end).
type SpanJSON struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// FacetJSON is one facet value with its count.
type FacetJSON struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// GroupJSON is one group of a grouped search.
type GroupJSON struct {
	Value string    `json:"value"`
	Count int       `json:"count"`
	Hits  []HitJSON `json:"hits"`
}

// SearchResponse is the answer to a search.
type SearchResponse struct {
	Total  uint64                 `json:"total"`
	TookMS float64                `json:"took_ms"`
	Hits   []HitJSON              `json:"hits"`
	Facets map[string][]FacetJSON `json:"facets,omitempty"`
	Groups []GroupJSON            `json:"groups,omitempty"`
}

// HitFromIndex converts an index hit to its JSON form.
func HitFromIndex(h indexer.Hit) HitJSON { return hitJSON(h) }

func hitJSON(h indexer.Hit) HitJSON {
	out := HitJSON{
		ID: h.ID, DocumentID: h.DocumentID, Kind: string(h.Kind), KindLabel: corpus.KindLabel(h.Kind), Title: h.Title,
		Path: h.Path, N: h.N, Article: h.Article, Unit: h.Unit, Round: h.Round, Status: h.Status, Focus: h.Focus,
		Problems: h.Problems, Issuer: h.Issuer, Disposition: h.Disposition, Mentions: h.Mentions, Edition: h.Edition, Sample: h.Sample, Score: h.Score,
		Snippet: h.Snippet, Text: h.Text,
	}
	if !h.Date.IsZero() {
		out.Date = h.Date.Format("2006-01-02")
	}
	for _, sp := range h.Highlights {
		out.Highlights = append(out.Highlights, SpanJSON{
			Start: utf8.RuneCountInString(h.Text[:sp.Start]),
			End:   utf8.RuneCountInString(h.Text[:sp.End]),
		})
	}
	return out
}

func searchResponse(res *indexer.Result) SearchResponse {
	out := SearchResponse{Total: res.Total, TookMS: float64(res.Took.Microseconds()) / 1000, Hits: make([]HitJSON, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, hitJSON(h))
	}
	if res.Facets != nil {
		out.Facets = map[string][]FacetJSON{}
		for name, counts := range res.Facets {
			fs := make([]FacetJSON, 0, len(counts))
			for _, c := range counts {
				fs = append(fs, FacetJSON{Value: c.Value, Count: c.Count})
			}
			out.Facets[name] = fs
		}
	}
	for _, g := range res.Groups {
		gj := GroupJSON{Value: g.Value, Count: g.Count, Hits: make([]HitJSON, 0, len(g.Hits))}
		for _, h := range g.Hits {
			gj.Hits = append(gj.Hits, hitJSON(h))
		}
		out.Groups = append(out.Groups, gj)
	}
	return out
}

// intParam reads an optional integer query parameter.
func intParam(c echo.Context, name string, def int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 9 {
		return 0, errBadRequest("%s must be a whole number, not %q", name, truncateParam(v))
	}
	return n, nil
}

func truncateParam(v string) string {
	if len(v) > 40 {
		return v[:40] + "…"
	}
	return v
}

// searchRequest binds the search parameters shared by search, documents and
// findings.
func searchRequest(c echo.Context, q string) (indexer.Request, error) {
	size, err := intParam(c, "size", 0)
	if err != nil {
		return indexer.Request{}, err
	}
	from, err := intParam(c, "from", 0)
	if err != nil {
		return indexer.Request{}, err
	}
	groupSize, err := intParam(c, "group_size", 0)
	if err != nil {
		return indexer.Request{}, err
	}
	facets := c.QueryParam("facets")
	return indexer.Request{
		Query: q, Size: size, From: from, Sort: c.QueryParam("sort"),
		Facets: facets == "1" || facets == "true", GroupBy: c.QueryParam("group_by"), GroupSize: groupSize,
	}, nil
}

// search: GET /api/v1/search?q=&size=&from=&sort=&facets=&group_by=&group_size=
func (s *Server) search(c echo.Context) error {
	return s.answerSearch(c, c.QueryParam("q"))
}

// answerSearch runs query q with the request's other search parameters
// and writes the response.
func (s *Server) answerSearch(c echo.Context, q string) error {
	req, err := searchRequest(c, q)
	if err != nil {
		return err
	}
	res, err := s.opts.Index.Search(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, searchResponse(res))
}

// suggest: GET /api/v1/suggest?prefix=&n=
func (s *Server) suggest(c echo.Context) error {
	n, err := intParam(c, "n", 8)
	if err != nil {
		return err
	}
	sugg, err := s.opts.Index.Suggest(c.Request().Context(), c.QueryParam("prefix"), n)
	if err != nil {
		return err
	}
	if sugg == nil {
		sugg = []indexer.Suggestion{}
	}
	return c.JSON(http.StatusOK, map[string]any{"suggestions": sugg})
}

// filterQuery appends field filters taken from query parameters to q, in
// the search-box syntax, quoting values with spaces.
func filterQuery(c echo.Context, q string, params [][2]string) string {
	parts := []string{q}
	for _, pf := range params {
		param, field := pf[0], pf[1]
		v := strings.TrimSpace(c.QueryParam(param))
		if v == "" {
			continue
		}
		if strings.ContainsAny(v, " \t\"") {
			v = `"` + strings.ReplaceAll(v, `"`, "") + `"`
		}
		parts = append(parts, field+":"+v)
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}
