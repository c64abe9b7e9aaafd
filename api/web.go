package api

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed web
var webFiles embed.FS

// webRoutes are the routes of the embedded web UI; all public (the API calls
// the page makes carry their own access rules).
func (s *Server) webRoutes() []route {
	sub, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded directory exists; see go:embed above
	}
	static := echo.WrapHandler(http.StripPrefix("/static/", http.FileServer(http.FS(sub))))
	index := func(c echo.Context) error {
		b, err := webFiles.ReadFile("web/index.html")
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, b)
	}
	rs := []route{{http.MethodGet, "/static/*", rolePublic, static}}
	// The page's own views, each a URL people can share; the script picks
	// the view from the path.
	for _, p := range []string{"/", "/d/:id", "/f/:id", "/ledger", "/profile", "/quote"} {
		rs = append(rs, route{http.MethodGet, p, rolePublic, index})
	}
	return rs
}

func (s *Server) registerWeb() {
	for _, r := range s.webRoutes() {
		s.e.Add(r.method, r.path, r.handler)
		s.rules[r.method+" "+r.path] = r.role
	}
}
