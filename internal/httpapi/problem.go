package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/operator"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Problem is an RFC 9457 problem detail, the body of every error response.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldIssue `json:"errors,omitempty"`
}

// FieldIssue says which input field is wrong and why.
type FieldIssue struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problem builds a problem for status; type is a stable, documented URI fragment.
func problem(status int, kind, detail string) *Problem {
	return &Problem{Type: "urn:switchboard:problem:" + kind, Title: http.StatusText(status), Status: status, Detail: detail}
}

func (p *Problem) Error() string { return p.Detail }

// errorStatus is the one table that maps domain errors to HTTP answers. A record of
// another tenant is ErrNotFound like a missing one, so ids cannot be probed.
func toProblem(err error) *Problem {
	var p *Problem
	var fe *tenant.FieldError
	var tooBig *http.MaxBytesError
	var suspended *operator.SuspendedError
	var unavailable *tenant.UnavailableError
	var overLimit *plan.LimitError
	var badLimit *plan.FieldError
	if sp := sandboxProblem(err); sp != nil {
		return sp
	}
	if kp := knowledgeProblem(err); kp != nil {
		return kp
	}
	if sp := swarmProblem(err); sp != nil {
		return sp
	}
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &suspended):
		return problem(http.StatusForbidden, "workspace-suspended", suspended.Error())
	case errors.As(err, &unavailable):
		return problem(unavailable.Exposure.Status(), "workspace-unavailable", unavailable.Error())
	case errors.As(err, &overLimit):
		pr := problem(http.StatusPaymentRequired, "plan-limit", overLimit.Error())
		pr.Errors = []FieldIssue{{Field: overLimit.Limit, Reason: overLimit.Error()}}
		return pr
	case errors.As(err, &badLimit):
		pr := problem(http.StatusUnprocessableEntity, "validation", badLimit.Error())
		pr.Errors = []FieldIssue{{Field: badLimit.Field, Reason: badLimit.Reason}}
		return pr
	case errors.Is(err, operator.ErrUnauthenticated):
		return problem(http.StatusUnauthorized, "unauthenticated", "present an operator token (Authorization: Bearer sbo_…)")
	case errors.As(err, &fe):
		pr := problem(http.StatusUnprocessableEntity, "validation", fe.Error())
		pr.Errors = []FieldIssue{{Field: fe.Field, Reason: fe.Reason}}
		return pr
	case errors.As(err, &tooBig):
		return problem(http.StatusRequestEntityTooLarge, "too-large", "the request body is larger than the limit")
	case errors.Is(err, notify.ErrUnknownType): // before ErrNotFound, which it wraps
		return problem(http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, notify.ErrUnknownPersona):
		pr := problem(http.StatusUnprocessableEntity, "validation", err.Error())
		pr.Errors = []FieldIssue{{Field: "to", Reason: "matches no persona"}}
		return pr
	case errors.Is(err, store.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such resource")
	case errors.Is(err, store.ErrConflict):
		return problem(http.StatusConflict, "conflict", "the resource already exists or changed meanwhile")
	case errors.Is(err, accounts.ErrBadCredentials):
		return problem(http.StatusUnauthorized, "bad-credentials", err.Error())
	case errors.Is(err, accounts.ErrSecondFactorNeeded):
		return problem(http.StatusUnauthorized, "second-factor-needed", err.Error())
	case errors.Is(err, accounts.ErrBadCode):
		return problem(http.StatusUnauthorized, "bad-second-factor", err.Error())
	case errors.Is(err, accounts.ErrAlreadyEnrolled), errors.Is(err, accounts.ErrNotEnrolled):
		return problem(http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, accounts.ErrSignupClosed):
		return problem(http.StatusForbidden, "signup-closed", err.Error())
	case errors.Is(err, accounts.ErrSignupLimited), errors.Is(err, accounts.ErrTooManyCodes):
		return problem(http.StatusTooManyRequests, "rate-limited", err.Error())
	case errors.Is(err, accounts.ErrNoMail):
		return problem(http.StatusServiceUnavailable, "no-mail", err.Error())
	case errors.Is(err, accounts.ErrUnauthenticated):
		return problem(http.StatusUnauthorized, "unauthenticated", "sign in or present an API key")
	case errors.Is(err, auth.ErrInvalidToken):
		return problem(http.StatusBadRequest, "invalid-token", "the link is invalid, already used or expired")
	case errors.Is(err, portal.ErrNoAccess):
		return problem(http.StatusNotFound, "not-found", "no such resource")
	case errors.Is(err, portal.ErrUnauthenticated):
		return problem(http.StatusUnauthorized, "unauthenticated", "sign in to the portal")
	case errors.Is(err, portal.ErrBadCode):
		return problem(http.StatusUnauthorized, "bad-code", "the code or link is wrong, used or expired; ask for a new one")
	case errors.Is(err, portal.ErrCannotSend):
		pr := problem(http.StatusUnprocessableEntity, "cannot-send", "this center cannot send sign-in codes to that kind of address")
		pr.Errors = []FieldIssue{{Field: "identifier", Reason: "no way to send a code to it here"}}
		return pr
	}
	return nil
}

// writeError answers with the problem for err; unknown errors are logged and
// become a 500 that reveals nothing of the cause.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := toProblem(err)
	if p == nil {
		a.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestID(r.Context()), "route", r.Pattern)
		p = problem(http.StatusInternalServerError, "internal", "something went wrong on our side; the request id helps us find it")
	} else if p.Status >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", requestID(r.Context()))
	}
	writeProblem(w, r, p)
}

func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	cp := *p
	cp.Instance, cp.RequestID = r.URL.Path, requestID(r.Context())
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(cp.Status)
	if err := json.NewEncoder(w).Encode(cp); err != nil {
		slog.Debug("write problem", "err", err)
	}
}
