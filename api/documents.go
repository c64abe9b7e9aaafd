package api

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
)

// listDocuments: GET /api/v1/documents?q=&kind=&size=&from= — documents whose
// passages match q (all documents without q), best first.
func (s *Server) listDocuments(c echo.Context) error {
	q := filterQuery(c, c.QueryParam("q"), [][2]string{{"kind", "类型"}, {"year", "年份"}})
	req, err := searchRequest(c, q)
	if err != nil {
		return err
	}
	req.GroupBy, req.GroupSize = "document", 1
	res, err := s.opts.Index.Search(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, searchResponse(res))
}

// getDocument: GET /api/v1/documents/:id — the document with its sections
// and paragraphs.
func (s *Server) getDocument(c echo.Context) error {
	d, err := s.opts.Store.GetDocument(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// deleteDocument: DELETE /api/v1/documents/:id
func (s *Server) deleteDocument(c echo.Context) error {
	if err := s.opts.Store.Delete(c.Request().Context(), corpus.EntityDocument, c.Param("id"), who(c)); err != nil {
		return err
	}
	s.opts.Changed()
	return c.NoContent(http.StatusNoContent)
}

// Task is a background import.
type Task struct {
	mu sync.Mutex
	ID string `json:"id"`
	// Kind is import or reindex.
	Kind     string              `json:"kind"`
	State    string              `json:"state"` // running, done, failed
	Error    string              `json:"error,omitempty"`
	Total    int                 `json:"total"`
	Done     int                 `json:"done"`
	Imported int                 `json:"imported"`
	Skipped  int                 `json:"skipped_duplicates"`
	Rejected int                 `json:"rejected"`
	Results  []corpus.FileResult `json:"results"`
}

func (t *Task) snapshot() Task {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Task{ID: t.ID, Kind: t.Kind, State: t.State, Error: t.Error, Total: t.Total, Done: t.Done, Imported: t.Imported, Skipped: t.Skipped,
		Rejected: t.Rejected, Results: append([]corpus.FileResult{}, t.Results...)}
}

// uploadDocuments: POST /api/v1/documents (multipart, one or more "file"
// parts) — starts an import task and answers 202 with it.
func (s *Server) uploadDocuments(c echo.Context) error {
	form, err := c.MultipartForm()
	if err != nil {
		return errBadRequest("expected a multipart form with file parts: %v", err)
	}
	files := form.File["file"]
	if len(files) == 0 {
		return errBadRequest("no file parts named \"file\" in the upload")
	}
	dir, err := os.MkdirTemp("", "xuncha-upload-")
	if err != nil {
		return err
	}
	var paths []string
	for i, fh := range files {
		p, err := saveUpload(dir, i, fh)
		if err != nil {
			os.RemoveAll(dir)
			return err
		}
		paths = append(paths, p)
	}
	t := s.tasks.add(len(paths))
	opts := s.opts.Parse
	opts.Who = who(c)
	go s.runImport(t, dir, paths, opts)
	return c.JSON(http.StatusAccepted, t.snapshot())
}

// saveUpload writes one uploaded file under dir, keeping only the base of
// its name (a name like ../../x cannot escape dir).
func saveUpload(dir string, i int, fh *multipart.FileHeader) (string, error) {
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if name == "." || name == "/" || name == "" || strings.HasPrefix(name, ".") {
		name = fmt.Sprintf("upload-%d", i)
	}
	// Each upload in a folder of its own, under its own name: parsers take
	// a title from the file name when the text has none.
	sub := filepath.Join(dir, fmt.Sprintf("%03d", i))
	if err := os.Mkdir(sub, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(sub, name)
	src, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.Create(p)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return "", err
	}
	return p, dst.Close()
}

func (s *Server) runImport(t *Task, dir string, paths []string, opts corpus.ParseOptions) {
	defer os.RemoveAll(dir)
	ctx := context.Background()
	_, err := corpus.ImportFiles(ctx, s.opts.Store, paths, opts, func(r corpus.FileResult) {
		r.Path = filepath.Base(r.Path) // the uploaded name
		t.mu.Lock()
		t.Done++
		switch r.Outcome {
		case corpus.Imported:
			t.Imported++
		case corpus.Duplicate:
			t.Skipped++
		default:
			t.Rejected++
		}
		t.Results = append(t.Results, r)
		t.mu.Unlock()
		s.opts.Changed()
	})
	if err != nil {
		s.opts.Logger.Error("import task", "task", t.ID, "err", err)
	}
	t.mu.Lock()
	t.State = "done"
	t.mu.Unlock()
}

func (l *taskList) add(total int) *Task {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	t := &Task{ID: fmt.Sprintf("task-%d", l.n), Kind: "import", State: "running", Total: total, Results: []corpus.FileResult{}}
	l.tasks[t.ID] = t
	return t
}

// getTask: GET /api/v1/tasks/:id — an import's progress and results.
func (s *Server) getTask(c echo.Context) error {
	s.tasks.mu.Lock()
	t, ok := s.tasks.tasks[c.Param("id")]
	s.tasks.mu.Unlock()
	if !ok {
		return fmt.Errorf("task %s: %w", c.Param("id"), corpus.ErrNotFound)
	}
	return c.JSON(http.StatusOK, t.snapshot())
}

// ParagraphResponse is one paragraph (a permalink target) with its
// citations.
type ParagraphResponse struct {
	*corpus.ParagraphRecord
	Citation corpus.Citation `json:"citation"`
}

// getParagraph: GET /api/v1/paragraphs/:id — a paragraph, its document's
// metadata and how to cite it. Paragraph IDs survive re-import of the same
// text, so this is the paragraph's permalink.
func (s *Server) getParagraph(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.opts.Store.GetParagraph(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	d, err := s.opts.Store.GetDocument(ctx, p.DocumentID)
	if err != nil {
		return err
	}
	cite, err := corpus.Cite(d, p.ID, s.opts.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ParagraphResponse{ParagraphRecord: p, Citation: cite})
}

// editions: GET /api/v1/editions?work= — the editions of a regulation,
// oldest first.
func (s *Server) editions(c echo.Context) error {
	work, err := requiredParam(c, "work")
	if err != nil {
		return err
	}
	eds, err := s.opts.Store.Editions(c.Request().Context(), work)
	if err != nil {
		return err
	}
	if len(eds) == 0 {
		return fmt.Errorf("work %s: %w", work, corpus.ErrNotFound)
	}
	return c.JSON(http.StatusOK, map[string]any{"work": work, "editions": eds})
}

// compareParagraph: GET /api/v1/paragraphs/:id/compare?edition= — the
// paragraph's article beside its counterpart in another edition of the same
// regulation, with a character diff.
func (s *Server) compareParagraph(c echo.Context) error {
	ctx := c.Request().Context()
	edition, err := requiredParam(c, "edition")
	if err != nil {
		return err
	}
	p, err := s.opts.Store.GetParagraph(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	from, err := s.opts.Store.GetDocument(ctx, p.DocumentID)
	if err != nil {
		return err
	}
	eds, err := s.opts.Store.Editions(ctx, from.Work)
	if err != nil {
		return err
	}
	for _, e := range eds {
		if e.Edition != edition || e.DocumentID == from.ID {
			continue
		}
		to, err := s.opts.Store.GetDocument(ctx, e.DocumentID)
		if err != nil {
			return err
		}
		cmp, err := corpus.CompareArticle(from, p.ID, to)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cmp)
	}
	return fmt.Errorf("edition %s of %s: %w", edition, from.Work, corpus.ErrNotFound)
}
