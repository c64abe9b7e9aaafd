// Package api serves xuncha over HTTP: the JSON API under /api/v1 and the
// embedded web UI. It is the only package that imports echo.
package api
