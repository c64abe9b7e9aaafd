package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
)

// LexiconResponse is the stored lexicon with its recent changes.
type LexiconResponse struct {
	Version uint64                `json:"version"`
	Words   []corpus.LexiconWord  `json:"words"`
	History []corpus.LexiconEvent `json:"history"`
}

// lexicon: GET /api/v1/lexicon — the words editors added or removed, and
// the last 100 changes with who, when and why.
func (s *Server) lexicon(c echo.Context) error {
	ctx := c.Request().Context()
	v, words, err := s.opts.Store.Lexicon(ctx)
	if err != nil {
		return err
	}
	h, err := s.opts.Store.LexiconHistory(ctx, 100)
	if err != nil {
		return err
	}
	if words == nil {
		words = []corpus.LexiconWord{}
	}
	if h == nil {
		h = []corpus.LexiconEvent{}
	}
	return c.JSON(http.StatusOK, LexiconResponse{Version: v, Words: words, History: h})
}

// LexiconChangeInput is the body of a lexicon change.
type LexiconChangeInput struct {
	Changes []corpus.LexiconChange `json:"changes"`
	Why     string                 `json:"why"`
}

// changeLexicon: POST /api/v1/lexicon {"changes": [{"word": …, "remove":
// false}], "why": …} — records the change under a new version; it takes
// effect at once: a task re-indexes the passages the change affects.
func (s *Server) changeLexicon(c echo.Context) error {
	var in LexiconChangeInput
	if err := c.Bind(&in); err != nil {
		return errBadRequest("the body must be JSON: {\"changes\": [{\"word\": …}], \"why\": …}: %v", err)
	}
	v, err := s.opts.Store.ChangeLexicon(c.Request().Context(), in.Changes, who(c), in.Why)
	if err != nil {
		return err
	}
	if s.opts.ApplyLexicon == nil {
		return c.JSON(http.StatusOK, map[string]any{"version": v, "applies": "at the next start"})
	}
	// Applied in the background: a new segmenter, then the affected
	// passages re-indexed, then the swap; the task shows the progress.
	l := s.tasks
	l.mu.Lock()
	l.n++
	t := &Task{ID: fmt.Sprintf("task-%d", l.n), Kind: "lexicon", State: "running"}
	l.tasks[t.ID] = t
	l.mu.Unlock()
	go func() {
		res, err := s.opts.ApplyLexicon(context.Background(), func(done, total int) {
			t.mu.Lock()
			t.Done, t.Total = done, total
			t.mu.Unlock()
		})
		t.mu.Lock()
		defer t.mu.Unlock()
		t.State, t.Done, t.Total = "done", res.Reindexed, res.Candidates
		if err != nil {
			t.State, t.Error = "failed", "applying the lexicon failed; searches use the previous analysis (see the server log)"
			s.opts.Logger.Error("apply lexicon", "task", t.ID, "err", err)
		}
	}()
	return c.JSON(http.StatusAccepted, map[string]any{"version": v, "task": t.snapshot()})
}

// LexiconPreviewInput names the words a preview adds and removes.
type LexiconPreviewInput struct {
	Add    []string `json:"add"`
	Remove []string `json:"remove"`
}

// previewLexicon: POST /api/v1/lexicon/preview {"add": […], "remove": […]}
// — how many indexed passages would be cut differently, with samples of
// the cut before and after.
func (s *Server) previewLexicon(c echo.Context) error {
	if s.opts.PreviewLexicon == nil {
		return &apiError{http.StatusNotImplemented, "not_implemented", "this server cannot preview lexicon changes"}
	}
	// Each preview builds a dictionary (about 100 MiB, half a second): one
	// at a time.
	if !s.previewMu.TryLock() {
		return &apiError{http.StatusConflict, "conflict", "another lexicon preview is running; try again in a moment"}
	}
	defer s.previewMu.Unlock()
	var in LexiconPreviewInput
	if err := c.Bind(&in); err != nil {
		return errBadRequest("the body must be JSON: {\"add\": […], \"remove\": […]}: %v", err)
	}
	if n := len(in.Add) + len(in.Remove); n == 0 || n > 100 {
		return errBadRequest("name from 1 to 100 words to add or remove, not %d", n)
	}
	for _, w := range append(in.Add, in.Remove...) {
		ch := corpus.LexiconChange{Word: w}
		if _, err := corpus.CheckLexiconChange(ch); err != nil {
			return err
		}
	}
	p, err := s.opts.PreviewLexicon(c.Request().Context(), in.Add, in.Remove)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
