package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
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

// SynonymsResponse is the synonym file queries are expanded with.
type SynonymsResponse struct {
	// Source is "store" (edited through the API or the CLI) or
	// "embedded" (the file built into the binary; Version 0).
	Source  string    `json:"source"`
	Version uint64    `json:"version"`
	Text    string    `json:"text"`
	At      time.Time `json:"at,omitzero"`
	Who     string    `json:"who,omitempty"`
	Why     string    `json:"why,omitempty"`
}

// synonyms: GET /api/v1/synonyms — the synonym file in use.
func (s *Server) synonyms(c echo.Context) error {
	cur, err := s.opts.Store.Synonyms(c.Request().Context())
	if err != nil {
		return err
	}
	if cur.Version == 0 {
		return c.JSON(http.StatusOK, SynonymsResponse{Source: "embedded", Text: indexer.EmbeddedSynonymFile()})
	}
	return c.JSON(http.StatusOK, SynonymsResponse{Source: "store", Version: cur.Version, Text: cur.Text, At: cur.At, Who: cur.Who, Why: cur.Why})
}

// SynonymsInput is the body of a synonym edit.
type SynonymsInput struct {
	Text string `json:"text"`
	Why  string `json:"why"`
}

// setSynonyms: PUT /api/v1/synonyms {"text": …, "why": …} — replaces the
// synonym file (checked first: an error names the line); stored under a new
// version and used from the next query on, here at once and on the other
// nodes of a shared store at their next poll. Nothing is re-indexed:
// synonyms expand queries only.
func (s *Server) setSynonyms(c echo.Context) error {
	var in SynonymsInput
	if err := c.Bind(&in); err != nil {
		return errBadRequest("the body must be JSON: {\"text\": …, \"why\": …}: %v", err)
	}
	if strings.TrimSpace(in.Text) == "" {
		return errBadRequest("the synonym file is empty; send the whole file (GET /api/v1/synonyms gives the current one)")
	}
	if _, err := indexer.ParseSynonyms(strings.NewReader(in.Text), "upload"); err != nil {
		return errBadRequest("%v", err)
	}
	ctx := c.Request().Context()
	v, err := s.opts.Store.SetSynonyms(ctx, in.Text, who(c), in.Why)
	if err != nil {
		return err
	}
	if s.opts.ApplySynonyms != nil {
		if err := s.opts.ApplySynonyms(ctx); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"version": v})
}
