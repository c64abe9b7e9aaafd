package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
)

// allFindings loads every finding (findings number in the thousands, not
// millions: a district or a city's ledgers).
func (s *Server) allFindings(c echo.Context) ([]*corpus.Finding, error) {
	var fs []*corpus.Finding
	err := s.opts.Store.EachFinding(c.Request().Context(), func(f *corpus.Finding) error {
		fs = append(fs, f)
		return nil
	})
	return fs, err
}

// requiredParam returns a non-empty query parameter or a 400 naming it.
func requiredParam(c echo.Context, name string) (string, error) {
	v := strings.TrimSpace(c.QueryParam(name))
	if v == "" {
		return "", errBadRequest("the %s parameter is required", name)
	}
	if len(v) > 200 {
		return "", errBadRequest("the %s parameter is longer than 200 bytes", name)
	}
	return v, nil
}

// UnitProfileResponse is a unit's profile with its mentions in speeches and
// notices.
type UnitProfileResponse struct {
	corpus.UnitProfile
	Mentions []HitJSON `json:"mentions"`
}

// unitProfile: GET /api/v1/units/profile?unit= — findings across rounds,
// counts by focus and problem type, rectification rate, overdue
// rectifications, repeated problems, and mentions in speeches and notices.
func (s *Server) unitProfile(c echo.Context) error {
	unit, err := requiredParam(c, "unit")
	if err != nil {
		return err
	}
	fs, err := s.allFindings(c)
	if err != nil {
		return err
	}
	p := corpus.ProfileOf(unit, fs, s.opts.Now())
	if len(p.Findings) == 0 {
		return fmt.Errorf("unit %s: %w", unit, corpus.ErrNotFound)
	}
	out := UnitProfileResponse{UnitProfile: p, Mentions: []HitJSON{}}
	q := `"` + strings.ReplaceAll(unit, `"`, "") + `" (类型:讲话 OR 类型:通报)`
	res, err := s.opts.Index.SearchWithHits(c.Request().Context(), q, 10)
	if err == nil {
		for _, h := range res {
			out.Mentions = append(out.Mentions, hitJSON(h))
		}
	}
	return c.JSON(http.StatusOK, out)
}

// repeated: GET /api/v1/repeated?unit= — problems found at a unit in two or
// more rounds (屡查屡犯), for one unit or all.
func (s *Server) repeated(c echo.Context) error {
	fs, err := s.allFindings(c)
	if err != nil {
		return err
	}
	unit := strings.TrimSpace(c.QueryParam("unit"))
	var sel []*corpus.Finding
	for _, f := range fs {
		if unit == "" || f.Unit == unit {
			sel = append(sel, f)
		}
	}
	rs := corpus.RepeatedProblems(sel)
	if rs == nil {
		rs = []corpus.Repeat{}
	}
	return c.JSON(http.StatusOK, map[string]any{"repeated": rs})
}

// roundReport: GET /api/v1/rounds/report?round=&format=json|xlsx|csv — a
// round's counts per unit and per focus; xlsx and csv give the 整改台账.
func (s *Server) roundReport(c echo.Context) error {
	round, err := requiredParam(c, "round")
	if err != nil {
		return err
	}
	fs, err := s.allFindings(c)
	if err != nil {
		return err
	}
	rep := corpus.ReportOf(round, fs, s.opts.Now())
	if len(rep.Findings) == 0 {
		return fmt.Errorf("round %s: %w", round, corpus.ErrNotFound)
	}
	var buf bytes.Buffer
	filename := url.PathEscape(round + "整改台账")
	switch c.QueryParam("format") {
	case "", "json":
		return c.JSON(http.StatusOK, rep)
	case "xlsx":
		if err := corpus.WriteLedgerXLSX(&buf, round, rep.Findings); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+filename+".xlsx")
		return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	case "csv":
		buf.WriteString("\uFEFF") // so that Excel reads the UTF-8
		if err := corpus.WriteLedgerCSV(&buf, rep.Findings); err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+filename+".csv")
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	}
	return errBadRequest("format must be json, xlsx or csv")
}
