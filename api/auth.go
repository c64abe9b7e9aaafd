package api

import (
	"errors"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
)

// access is the role a route needs; rolePublic needs none.
type access string

const (
	rolePublic access = "public"
	roleReader access = access(corpus.RoleReader)
	roleEditor access = access(corpus.RoleEditor)
	roleAdmin  access = access(corpus.RoleAdmin)
)

const tokenKey = "xuncha.token"

func tokenOf(c echo.Context) *corpus.Token {
	t, _ := c.Get(tokenKey).(*corpus.Token)
	return t
}

// authenticate enforces the access rule of the matched route. A route
// without a rule is refused (and the route test fails), so no route can be
// added unguarded.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		path := c.Path()
		rule, ok := s.rules[c.Request().Method+" "+path]
		if !ok {
			if path == "" || c.Get("echo_route_not_found") != nil || !s.routeExists(c.Request().Method, path) {
				return next(c) // no such route: the router answers 404 or 405
			}
			s.opts.Logger.Error("route without an access rule", "method", c.Request().Method, "path", path)
			return errNoRule
		}
		if rule == rolePublic {
			return next(c)
		}
		header := c.Request().Header.Get("Authorization")
		if header == "" {
			if rule == roleReader && s.opts.PublicReads {
				return next(c)
			}
			return errUnauthorized
		}
		secret, ok := strings.CutPrefix(header, "Bearer ")
		if !ok {
			return errInvalidToken
		}
		t, err := s.opts.Store.Authenticate(c.Request().Context(), strings.TrimSpace(secret))
		switch {
		case errors.Is(err, corpus.ErrTokenRevoked):
			return errRevokedToken
		case errors.Is(err, corpus.ErrTokenExpired):
			return errExpiredToken
		case errors.Is(err, corpus.ErrTokenInvalid):
			return errInvalidToken
		case err != nil:
			return err
		}
		c.Set(tokenKey, t)
		if !t.Role.Allows(corpus.Role(rule)) {
			return errForbidden(string(rule))
		}
		return next(c)
	}
}

// who names the caller for attribution: the token's name, or "anonymous".
func who(c echo.Context) string {
	if t := tokenOf(c); t != nil {
		return t.Name
	}
	return "anonymous"
}

// observe records metrics and the audit trail of every request.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status, _, _, _ = classify(err)
		}
		route := c.Path()
		if route == "" {
			route = "(none)"
		}
		s.metrics.observe(c.Request().Method, route, status, time.Since(start))
		attrs := []any{"who", who(c), "client", c.RealIP(), "method", c.Request().Method, "route", route, "status", status}
		if id := c.Param("id"); id != "" {
			attrs = append(attrs, "id", id)
		}
		if q := c.QueryParam("q"); q != "" {
			attrs = append(attrs, "query", q)
		}
		if t := tokenOf(c); t != nil {
			attrs = append(attrs, "role", string(t.Role))
		}
		s.opts.Audit.Info("request", attrs...)
		return err
	}
}
