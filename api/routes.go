package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Prefix is the versioned prefix of the JSON API.
const Prefix = "/api/v1"

// route is one route and the role it needs.
type route struct {
	method, path string
	role         access
	handler      echo.HandlerFunc
}

// routeTable lists every route of the server with its access rule. The
// OpenAPI document lists exactly these (a test checks it), and the role
// test walks every one with every kind of caller.
func (s *Server) routeTable() []route {
	return []route{
		{http.MethodGet, "/healthz", rolePublic, s.healthz},
		{http.MethodGet, "/readyz", rolePublic, s.readyz},
		{http.MethodGet, "/metrics", roleReader, echo.WrapHandler(promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{}))},
		{http.MethodGet, Prefix + "/openapi.json", rolePublic, s.openAPI},

		{http.MethodGet, Prefix + "/search", roleReader, s.search},
		{http.MethodGet, Prefix + "/suggest", roleReader, s.suggest},
		{http.MethodGet, Prefix + "/stats", roleReader, s.stats},
		{http.MethodPost, Prefix + "/quote-check", roleReader, s.quoteCheck},
		{http.MethodPost, Prefix + "/precedents", roleReader, s.precedents},

		{http.MethodGet, Prefix + "/documents", roleReader, s.listDocuments},
		{http.MethodPost, Prefix + "/documents", roleEditor, s.uploadDocuments},
		{http.MethodGet, Prefix + "/documents/:id", roleReader, s.getDocument},
		{http.MethodDelete, Prefix + "/documents/:id", roleEditor, s.deleteDocument},
		{http.MethodGet, Prefix + "/tasks/:id", roleReader, s.getTask},
		{http.MethodGet, Prefix + "/paragraphs/:id", roleReader, s.getParagraph},
		{http.MethodGet, Prefix + "/paragraphs/:id/compare", roleReader, s.compareParagraph},
		{http.MethodGet, Prefix + "/editions", roleReader, s.editions},

		{http.MethodGet, Prefix + "/findings", roleReader, s.listFindings},
		{http.MethodPost, Prefix + "/findings", roleEditor, s.createFinding},
		{http.MethodGet, Prefix + "/findings/:id", roleReader, s.getFinding},
		{http.MethodDelete, Prefix + "/findings/:id", roleEditor, s.deleteFinding},
		{http.MethodPatch, Prefix + "/findings/:id/rectification", roleEditor, s.updateRectification},
		{http.MethodGet, Prefix + "/findings/:id/similar", roleReader, s.similarFindings},
		{http.MethodGet, Prefix + "/units/profile", roleReader, s.unitProfile},
		{http.MethodGet, Prefix + "/repeated", roleReader, s.repeated},
		{http.MethodGet, Prefix + "/rounds/report", roleReader, s.roundReport},

		{http.MethodGet, Prefix + "/lexicon", roleReader, s.lexicon},
		{http.MethodPost, Prefix + "/lexicon", roleEditor, s.changeLexicon},
		{http.MethodPost, Prefix + "/lexicon/preview", roleEditor, s.previewLexicon},
		{http.MethodGet, Prefix + "/synonyms", roleReader, s.synonyms},
		{http.MethodPut, Prefix + "/synonyms", roleEditor, s.setSynonyms},

		{http.MethodGet, Prefix + "/admin/backup", roleAdmin, s.backup},
		{http.MethodPost, Prefix + "/admin/reindex", roleAdmin, s.reindex},
	}
}

// routes registers the route table and the web UI.
func (s *Server) routes() {
	s.rules = map[string]access{}
	for _, r := range s.routeTable() {
		s.e.Add(r.method, r.path, r.handler)
		s.rules[r.method+" "+r.path] = r.role
	}
	s.registerWeb()
}

// routeExists reports whether a route is registered for method and path.
func (s *Server) routeExists(method, path string) bool {
	for _, r := range s.e.Routes() {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}
