package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// reindex: POST /api/v1/admin/reindex — rebuilds the index from the store
// beside the live one and swaps it in; searches are answered throughout.
// Answers 202 with a task to follow, or 409 while one is running.
func (s *Server) reindex(c echo.Context) error {
	if s.opts.Reindex == nil {
		return &apiError{http.StatusNotImplemented, "not_implemented", "this server cannot reindex"}
	}
	l := s.tasks
	l.mu.Lock()
	if l.reindexer != nil {
		id := l.reindexer.ID
		l.mu.Unlock()
		return &apiError{http.StatusConflict, "conflict", fmt.Sprintf("a reindex is running (task %s)", id)}
	}
	l.n++
	t := &Task{ID: fmt.Sprintf("task-%d", l.n), Kind: "reindex", State: "running"}
	l.tasks[t.ID], l.reindexer = t, t
	l.mu.Unlock()
	go func() {
		err := s.opts.Reindex(context.Background(), func(done, total uint64) {
			t.mu.Lock()
			t.Done, t.Total = int(done), int(total)
			t.mu.Unlock()
		})
		t.mu.Lock()
		t.State = "done"
		if err != nil {
			t.State, t.Error = "failed", "the reindex failed; the live index is unchanged (see the server log)"
			s.opts.Logger.Error("reindex", "task", t.ID, "err", err)
		}
		t.mu.Unlock()
		l.mu.Lock()
		l.reindexer = nil
		l.mu.Unlock()
	}()
	return c.JSON(http.StatusAccepted, t.snapshot())
}
