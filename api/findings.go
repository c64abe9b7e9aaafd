package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
)

// FindingInput is the body of a new finding.
type FindingInput struct {
	Unit        string   `json:"unit"`
	Round       string   `json:"round"`
	Group       string   `json:"group"`
	Focus       string   `json:"focus"`
	Problems    []string `json:"problems"`
	Description string   `json:"description"`
	Facts       string   `json:"facts"`
	Disposition string   `json:"disposition"`
	Person      string   `json:"person"`
	Post        string   `json:"post"`
	Date        string   `json:"date"`
	RectificationInput
}

// RectificationInput is the body of a rectification update.
type RectificationInput struct {
	Status      string `json:"status"`
	Measures    string `json:"measures"`
	Responsible string `json:"responsible"`
	Deadline    string `json:"deadline"`
	CompletedAt string `json:"completed_at"`
	// Note says why (kept in the finding's history).
	Note string `json:"note"`
}

// FindingResponse is a finding with its history.
type FindingResponse struct {
	*corpus.Finding
	History []corpus.HistoryEntry `json:"history"`
}

func parseOptionalDate(field, v string) (time.Time, error) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, nil
	}
	t, ok := corpus.ParseDate(v)
	if !ok {
		return time.Time{}, errBadRequest("%s %q is not a date (2025-05-20)", field, truncateParam(v))
	}
	return t, nil
}

func (in RectificationInput) rectification() (corpus.Rectification, error) {
	r := corpus.Rectification{Status: corpus.StatusNotStarted, Measures: in.Measures, Responsible: in.Responsible}
	if in.Status != "" {
		st, ok := corpus.ParseStatus(in.Status)
		if !ok {
			return r, errBadRequest("status %q is not one of 未整改, 整改中, 已整改, 长期坚持", truncateParam(in.Status))
		}
		r.Status = st
	}
	var err error
	if r.Deadline, err = parseOptionalDate("deadline", in.Deadline); err != nil {
		return r, err
	}
	r.CompletedAt, err = parseOptionalDate("completed_at", in.CompletedAt)
	return r, err
}

// listFindings: GET /api/v1/findings?q=&unit=&round=&status=&focus=&problem=&year=
// (and the paging, sort, facet and grouping parameters of search).
func (s *Server) listFindings(c echo.Context) error {
	q := filterQuery(c, c.QueryParam("q"), [][2]string{
		{"unit", "单位"}, {"round", "轮次"}, {"status", "状态"}, {"focus", "聚焦"}, {"problem", "类别"}, {"year", "年份"},
	})
	return s.answerSearch(c, strings.TrimSpace(q+" 类型:问题"))
}

// getFinding: GET /api/v1/findings/:id — the finding and its history.
func (s *Server) getFinding(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := s.opts.Store.GetFinding(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	h, err := s.opts.Store.History(ctx, f.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, FindingResponse{Finding: f, History: h})
}

// createFinding: POST /api/v1/findings
func (s *Server) createFinding(c echo.Context) error {
	var in FindingInput
	if err := c.Bind(&in); err != nil {
		return errBadRequest("the body must be a JSON finding: %v", err)
	}
	r, err := in.rectification()
	if err != nil {
		return err
	}
	date, err := parseOptionalDate("date", in.Date)
	if err != nil {
		return err
	}
	f := &corpus.Finding{Unit: strings.TrimSpace(in.Unit), Round: strings.TrimSpace(in.Round), Group: in.Group,
		Problems: in.Problems, Description: strings.TrimSpace(in.Description), Facts: in.Facts, Disposition: in.Disposition,
		Person: in.Person, Post: in.Post, Date: date, Rectification: r}
	if in.Focus != "" {
		fc, ok := corpus.ParseFocus(in.Focus)
		if !ok {
			return errBadRequest("focus %q is not one of the 四个聚焦 (1–4)", truncateParam(in.Focus))
		}
		f.Focus = fc
	}
	f.ID = corpus.FindingID(f.Unit, f.Round, f.Description)
	if _, err := s.opts.Store.Apply(c.Request().Context(), corpus.Batch{Findings: []*corpus.Finding{f}}, who(c)); err != nil {
		return err
	}
	s.opts.Changed()
	return c.JSON(http.StatusCreated, f)
}

// updateRectification: PATCH /api/v1/findings/:id/rectification
func (s *Server) updateRectification(c echo.Context) error {
	var in RectificationInput
	if err := c.Bind(&in); err != nil {
		return errBadRequest("the body must be a JSON rectification: %v", err)
	}
	if in.Status == "" {
		return errBadRequest("status is required")
	}
	r, err := in.rectification()
	if err != nil {
		return err
	}
	f, err := s.opts.Store.UpdateRectification(c.Request().Context(), c.Param("id"), r, who(c), in.Note)
	if err != nil {
		return err
	}
	s.opts.Changed()
	return c.JSON(http.StatusOK, f)
}

// deleteFinding: DELETE /api/v1/findings/:id (its history is kept)
func (s *Server) deleteFinding(c echo.Context) error {
	if err := s.opts.Store.Delete(c.Request().Context(), corpus.EntityFinding, c.Param("id"), who(c)); err != nil {
		return err
	}
	s.opts.Changed()
	return c.NoContent(http.StatusNoContent)
}

// similarFindings: GET /api/v1/findings/:id/similar?size= — past findings and
// notice cases most like this one.
func (s *Server) similarFindings(c echo.Context) error {
	ctx := c.Request().Context()
	size, err := intParam(c, "size", 5)
	if err != nil {
		return err
	}
	f, err := s.opts.Store.GetFinding(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	hits, keys, err := s.opts.Index.Similar(ctx, f.Text(), f.ID, []corpus.Kind{corpus.KindFinding, corpus.KindNotice}, size)
	if err != nil {
		return err
	}
	out := struct {
		KeyTerms []string  `json:"key_terms"`
		Hits     []HitJSON `json:"hits"`
	}{KeyTerms: []string{}, Hits: []HitJSON{}}
	for _, k := range keys {
		out.KeyTerms = append(out.KeyTerms, k.Term)
	}
	for _, h := range hits {
		out.Hits = append(out.Hits, hitJSON(h))
	}
	return c.JSON(http.StatusOK, out)
}
