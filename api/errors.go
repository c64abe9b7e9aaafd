package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// ErrorBody is the one shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a stable code and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiError is an error the API itself raises, with its status and code.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

var (
	errUnauthorized        = &apiError{http.StatusUnauthorized, "unauthorized", "this request needs an API token (Authorization: Bearer …)"}
	errInvalidToken        = &apiError{http.StatusUnauthorized, "invalid_token", "the API token is not valid"}
	errRevokedToken        = &apiError{http.StatusUnauthorized, "token_revoked", "the API token has been revoked"}
	errExpiredToken        = &apiError{http.StatusUnauthorized, "token_expired", "the API token has expired; ask an administrator for a new one"}
	errRateLimited         = &apiError{http.StatusTooManyRequests, "rate_limited", "too many requests; slow down"}
	errUnsupportedEncoding = &apiError{http.StatusUnsupportedMediaType, "unsupported_encoding", "compressed request bodies are not accepted"}
	errNoRule              = &apiError{http.StatusInternalServerError, "internal", "internal error"}
)

func errForbidden(need string) error {
	return &apiError{http.StatusForbidden, "forbidden", fmt.Sprintf("this request needs a token with the %s role", need)}
}

func errTooLarge(limit int64) error {
	return &apiError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the request body is larger than %d bytes", limit)}
}

func errBadRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, "invalid_request", fmt.Sprintf(format, args...)}
}

// errorTable maps the errors the packages below report to statuses and
// codes; it is the only place that does.
var errorTable = []struct {
	target error
	status int
	code   string
}{
	{indexer.ErrQuery, http.StatusBadRequest, "invalid_query"},
	{indexer.ErrRequest, http.StatusBadRequest, "invalid_request"},
	{indexer.ErrNothingToSearch, http.StatusBadRequest, "invalid_query"},
	{corpus.ErrNotFound, http.StatusNotFound, "not_found"},
	{corpus.ErrCorrupt, http.StatusInternalServerError, "damaged_store"},
	{corpus.ErrLedger, http.StatusUnprocessableEntity, "invalid_ledger"},
	{corpus.ErrInvalid, http.StatusUnprocessableEntity, "invalid_input"},
	{corpus.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
	{corpus.ErrFormat, http.StatusUnsupportedMediaType, "unsupported_format"},
	{corpus.ErrEncoding, http.StatusUnprocessableEntity, "unreadable_text"},
	{corpus.ErrEmpty, http.StatusUnprocessableEntity, "empty_file"},
	{corpus.ErrDamaged, http.StatusUnprocessableEntity, "damaged_file"},
}

// classify returns the status, code and client message of an error; ok is
// false for an error the client must not see the details of.
func classify(err error) (status int, code, msg string, ok bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, ae.code, ae.msg, true
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "not_found", "no such route", true
		case http.StatusMethodNotAllowed:
			return he.Code, "method_not_allowed", "method not allowed on this route", true
		case http.StatusRequestEntityTooLarge:
			return he.Code, "too_large", "the request body is too large", true
		case http.StatusBadRequest, http.StatusUnsupportedMediaType:
			return he.Code, "invalid_request", fmt.Sprint(he.Message), true
		}
		return http.StatusInternalServerError, "internal", "internal error", false
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; there is nobody to tell and nothing to log.
		return 499, "client_closed", "the request was cancelled", true
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit), true
	}
	if errors.Is(err, syscall.ENOSPC) {
		// Logged with the file it was writing; the client learns only that.
		return http.StatusInsufficientStorage, "disk_full", "the server's disk is full: nothing was stored; ask the operator to free space", false
	}
	for _, e := range errorTable {
		if errors.Is(err, e.target) {
			return e.status, e.code, err.Error(), true
		}
	}
	return http.StatusInternalServerError, "internal", "internal error", false
}

// handleError renders every error in the one JSON shape; unknown errors are
// logged and reach the client only as "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, msg, ok := classify(err)
	if !ok {
		s.opts.Logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status) // the client is gone or the write failed: nothing to do
		return
	}
	_ = c.JSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}}) // as above
}
