package webchat

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Problem is an RFC 9457 problem detail, shaped as the API's.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldIssue `json:"errors,omitempty"`
}

// FieldIssue says which input field is wrong and why.
type FieldIssue struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func problem(status int, kind, detail string) Problem {
	return Problem{Type: "urn:switchboard:problem:" + kind, Title: http.StatusText(status), Status: status, Detail: detail}
}

// toProblem is the one table from this package's errors to HTTP answers. An
// unknown widget key, and a conversation or file of someone else, are 404.
func toProblem(err error) (Problem, bool) {
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &fe):
		p := problem(http.StatusUnprocessableEntity, "validation", fe.Error())
		p.Errors = []FieldIssue{{Field: fe.Field, Reason: fe.Reason}}
		return p, true
	case errors.Is(err, errTooLarge):
		return problem(http.StatusRequestEntityTooLarge, "too-large", "the file is larger than this widget accepts"), true
	case errors.Is(err, ErrTokenExpired):
		return problem(http.StatusUnauthorized, "expired-token", "the visitor token expired; open a new session"), true
	case errors.Is(err, ErrTokenInvalid):
		return problem(http.StatusUnauthorized, "invalid-token", "the visitor token is not valid for this widget"), true
	case errors.Is(err, store.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such widget or resource"), true
	}
	return Problem{}, false
}

// fail answers with the problem for err; unexpected errors are logged and
// reveal nothing.
func (c *Channel) fail(w http.ResponseWriter, r *http.Request, err error) {
	p, ok := toProblem(err)
	if !ok {
		c.log.ErrorContext(r.Context(), "webchat request failed", "route", r.Pattern, "err", err)
		p = problem(http.StatusInternalServerError, "internal", "something went wrong on our side")
	}
	writeProblem(w, r, p)
}

func writeProblem(w http.ResponseWriter, _ *http.Request, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}
