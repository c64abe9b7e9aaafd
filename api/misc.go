package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 once the dictionary is loaded and the index has caught
// up with the store, 503 before.
func (s *Server) readyz(c echo.Context) error {
	if !s.opts.Ready() {
		return c.JSON(http.StatusServiceUnavailable, ErrorBody{Error: ErrorDetail{Code: "not_ready", Message: "loading the dictionary or catching up the index"}})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPIDoc)
}

// StatsResponse summarises the service.
type StatsResponse struct {
	Version    string `json:"version"`
	Documents  int    `json:"documents"`
	Findings   int    `json:"findings"`
	Passages   uint64 `json:"passages"`
	StoreSeq   uint64 `json:"store_seq"`
	AppliedSeq uint64 `json:"applied_seq"`
}

// stats: GET /api/v1/stats
func (s *Server) stats(c echo.Context) error {
	ctx := c.Request().Context()
	docs, findings, err := s.opts.Store.Counts(ctx)
	if err != nil {
		return err
	}
	seq, err := s.opts.Store.LastSeq(ctx)
	if err != nil {
		return err
	}
	passages, err := s.opts.Index.Count()
	if err != nil {
		return err
	}
	applied, err := s.opts.Index.AppliedSeq()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, StatsResponse{Version: s.opts.Version, Documents: docs, Findings: findings, Passages: passages, StoreSeq: seq, AppliedSeq: applied})
}

// backup: GET /api/v1/admin/backup — a consistent hot backup of store and
// index, streamed as a gzipped tar.
func (s *Server) backup(c echo.Context) error {
	if s.opts.Backup == nil {
		return &apiError{http.StatusNotImplemented, "not_implemented", "backups are not configured on this server"}
	}
	c.Response().Header().Set("Content-Type", "application/gzip")
	c.Response().Header().Set("Content-Disposition", `attachment; filename="xuncha-backup.tar.gz"`)
	c.Response().WriteHeader(http.StatusOK)
	if err := s.opts.Backup(c.Request().Context(), c.Response()); err != nil {
		// The status is sent; a cut-off stream is how the client learns.
		s.opts.Logger.Error("backup", "err", err)
	}
	return nil
}
