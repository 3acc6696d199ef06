package httpapi

import (
	"errors"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type meResponse struct {
	User   tenant.User   `json:"user"`
	Tenant tenant.Tenant `json:"tenant"`
	// MustEnrolTOTP: the tenant requires a second factor this user lacks.
	MustEnrolTOTP bool `json:"must_enrol_totp,omitempty"`
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tenant   string `json:"tenant"`
		Email    string `json:"email"`
		Password string `json:"password"`
		Code     string `json:"code"` // the second factor, for users who have one
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	in2, err := a.accounts.LoginWithCode(r.Context(), in.Tenant, in.Email, in.Password, in.Code, r.UserAgent())
	if errors.Is(err, accounts.ErrTooManyCodes) {
		w.Header().Set("Retry-After", "3600")
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// Only someone who knows a password learns that, and why, the workspace
	// is suspended; the session just made is ended at once.
	if err := a.Operator.CheckActive(r.Context(), in2.Tenant.ID); err != nil {
		if lerr := a.accounts.Logout(r.Context(), in2.Token); lerr != nil {
			a.writeError(w, r, lerr)
			return
		}
		a.writeError(w, r, err)
		return
	}
	a.startSession(w, r, http.StatusOK, in2)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if p := caller(r); p.session != "" {
		if err := a.accounts.Logout(r.Context(), p.session); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Tenant string `json:"tenant"`
		Email  string `json:"email"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.RequestPasswordReset(r.Context(), in.Tenant, in.Email); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) confirmPasswordReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.ConfirmPasswordReset(r.Context(), in.Token, in.Password); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	if p.User == nil {
		writeJSON(w, http.StatusOK, map[string]any{"tenant": p.Tenant, "api_key": p.Key})
		return
	}
	u := *p.User
	u.KnowledgePublisher = p.can(access.PublishKnowledge) // the effective value, whatever the role
	writeJSON(w, http.StatusOK, meResponse{User: u, Tenant: p.Tenant, MustEnrolTOTP: p.mustEnrol})
}

func (a *API) setPresence(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Presence tenant.Presence `json:"presence"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	u, err := a.accounts.SetPresence(r.Context(), p.Tenant.ID, p.User.ID, in.Presence)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
