package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// Store is what the API reads and writes. Both store backends implement it.
type Store interface {
	GetDocument(ctx context.Context, id string) (*corpus.Document, error)
	GetFinding(ctx context.Context, id string) (*corpus.Finding, error)
	GetParagraph(ctx context.Context, id string) (*corpus.ParagraphRecord, error)
	History(ctx context.Context, id string) ([]corpus.HistoryEntry, error)
	Apply(ctx context.Context, b corpus.Batch, who string) (corpus.BatchResult, error)
	UpdateRectification(ctx context.Context, id string, r corpus.Rectification, who, note string) (*corpus.Finding, error)
	Delete(ctx context.Context, entity corpus.Entity, id, who string) error
	Counts(ctx context.Context) (documents, findings int, err error)
	LastSeq(ctx context.Context) (uint64, error)
	EachFinding(ctx context.Context, fn func(*corpus.Finding) error) error
	Editions(ctx context.Context, work string) ([]corpus.EditionRef, error)
	Authenticate(ctx context.Context, secret string) (*corpus.Token, error)
	Lexicon(ctx context.Context) (uint64, []corpus.LexiconWord, error)
	LexiconHistory(ctx context.Context, limit int) ([]corpus.LexiconEvent, error)
	ChangeLexicon(ctx context.Context, changes []corpus.LexiconChange, who, why string) (uint64, error)
	Synonyms(ctx context.Context) (corpus.StoredSynonyms, error)
	SetSynonyms(ctx context.Context, text, who, why string) (uint64, error)
}

// Searcher is the index as the API uses it.
type Searcher interface {
	Search(ctx context.Context, r indexer.Request) (*indexer.Result, error)
	Suggest(ctx context.Context, prefix string, n int) ([]indexer.Suggestion, error)
	Similar(ctx context.Context, text, exclude string, kinds []corpus.Kind, n int) ([]indexer.Hit, []indexer.KeyTerm, error)
	QuoteCheck(ctx context.Context, quote string, n int) ([]indexer.QuoteMatch, error)
	SearchWithHits(ctx context.Context, query string, n int) ([]indexer.Hit, error)
	Count() (uint64, error)
	AppliedSeq() (uint64, error)
}

// Options configures a Server.
type Options struct {
	Store  Store
	Index  Searcher
	Parse  corpus.ParseOptions
	Logger *slog.Logger
	// Audit receives one record per request: who, what, when; never any
	// document text.
	Audit *slog.Logger
	// PublicReads lets requests without a token search and read.
	PublicReads bool
	// MaxUploadBytes bounds a file upload (default 50 MiB); JSON bodies are
	// bounded to 1 MiB.
	MaxUploadBytes int64
	// CORSOrigins lists origins allowed cross-origin requests; empty means
	// CORS stays off.
	CORSOrigins []string
	// RatePerSecond and Burst limit requests per client (token, else IP).
	RatePerSecond float64
	Burst         int
	// Changed is called after every write, so the index can sync.
	Changed func()
	// Ready reports whether the service is ready (dictionary loaded, index
	// caught up).
	Ready func() bool
	// Backup writes a consistent hot backup of store and index to w (the
	// admin backup route); nil answers 501.
	Backup func(ctx context.Context, w io.Writer) error
	// Reindex rebuilds the index beside the live one and swaps it in,
	// reporting the change sequence reached of the last (the admin reindex
	// route); nil answers 501.
	Reindex func(ctx context.Context, progress func(done, total uint64)) error
	// PreviewLexicon shows how adding and removing words would cut the
	// indexed text; nil answers 501.
	PreviewLexicon func(ctx context.Context, add, remove []string) (indexer.LexiconPreview, error)
	// ApplySynonyms makes the index expand queries with the stored synonym
	// file; nil: the edit applies at the next start.
	ApplySynonyms func(ctx context.Context) error
	// ApplyLexicon brings the running analysis to the stored lexicon,
	// re-indexing the passages the change affects; nil: a change applies
	// at the next start.
	ApplyLexicon func(ctx context.Context, progress func(done, total int)) (indexer.LexiconApplied, error)
	// Registry receives the metrics; nil makes a private one.
	Registry *prometheus.Registry
	Version  string
	// Now is the clock (tests fix it).
	Now func() time.Time
}

// Server is the HTTP API and web UI.
type Server struct {
	previewMu sync.Mutex
	opts      Options
	e         *echo.Echo
	tasks     *taskList
	metrics   *metrics
	rules     map[string]access // "METHOD /path" → role
}

// JSON body limit.
const maxJSONBytes = 1 << 20

// New builds the server.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Audit == nil {
		opts.Audit = slog.New(slog.DiscardHandler)
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = 50 << 20
	}
	if opts.RatePerSecond <= 0 {
		opts.RatePerSecond = 50
	}
	if opts.Burst <= 0 {
		opts.Burst = 100
	}
	if opts.Changed == nil {
		opts.Changed = func() {}
	}
	if opts.Ready == nil {
		opts.Ready = func() bool { return true }
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, e: echo.New(), tasks: newTaskList(), metrics: newMetrics(opts.Registry, opts.Index)}
	s.e.HideBanner, s.e.HidePort = true, true
	// The client is the TCP peer: X-Forwarded-For and X-Real-IP are sent by
	// anyone, and trusting them would let a client pick its own rate-limit
	// bucket and audit address.
	s.e.IPExtractor = echo.ExtractIPDirect()
	s.e.HTTPErrorHandler = s.handleError
	s.e.Use(middleware.Recover())
	s.e.Use(s.securityHeaders)
	if len(opts.CORSOrigins) > 0 {
		s.e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: opts.CORSOrigins, AllowHeaders: []string{"Authorization", "Content-Type"}}))
	}
	s.e.Use(s.bodyLimit)
	s.e.Use(s.observe)
	s.e.Use(s.authenticate)
	s.e.Use(middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(opts.RatePerSecond), Burst: opts.Burst, ExpiresIn: 3 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) {
			if t := tokenOf(c); t != nil {
				return "token:" + t.ID, nil
			}
			return "ip:" + c.RealIP(), nil
		},
		DenyHandler:  func(c echo.Context, _ string, _ error) error { return errRateLimited },
		ErrorHandler: func(c echo.Context, err error) error { return errRateLimited },
	}))
	s.routes()
	return s
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.e }

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

// bodyLimit bounds request bodies: uploads to MaxUploadBytes, anything else
// to 1 MiB. A compressed body is refused, never inflated.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
			return errUnsupportedEncoding
		}
		limit := int64(maxJSONBytes)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = s.opts.MaxUploadBytes
		}
		if r.ContentLength > limit {
			return errTooLarge(limit)
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

// taskList keeps import tasks in memory.
type taskList struct {
	mu        sync.Mutex
	tasks     map[string]*Task
	n         int
	reindexer *Task // the running reindex, if any
}

func newTaskList() *taskList { return &taskList{tasks: map[string]*Task{}} }
