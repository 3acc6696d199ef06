package httpapi

// Joining a center: public sign-up with a verified email, invitations into a
// workspace, the second factor, sessions a user (or their admin) can end, and
// the first-run wizard's progress.

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// startSession sets the session cookie of a sign-in and answers with who it is.
func (a *API) startSession(w http.ResponseWriter, r *http.Request, status int, in accounts.SignedIn) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: in.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: a.cfg.SecureCookies || r.TLS != nil, MaxAge: int(accounts.SessionTTL.Seconds()),
	})
	writeJSON(w, status, meResponse{User: in.User, Tenant: in.Tenant})
}

func (a *API) signupSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"mode": string(a.accounts.SignupMode())})
}

func (a *API) requestSignup(w http.ResponseWriter, r *http.Request) {
	var in accounts.SignupRequest
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	in.RemoteAddr = clientIP(r)
	if err := a.accounts.RequestSignup(r.Context(), in); err != nil {
		if errors.Is(err, accounts.ErrSignupLimited) {
			w.Header().Set("Retry-After", "3600") // the most the hourly window can take to free a place
		}
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

type tokenBody struct {
	Token string `json:"token"`
}

func (a *API) verifySignup(w http.ResponseWriter, r *http.Request) {
	var in tokenBody
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.accounts.VerifySignup(r.Context(), in.Token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// newPassword is what the one who follows a sign-up or invitation link sends.
type newPassword struct {
	Token    string `json:"token"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

func (a *API) completeSignup(w http.ResponseWriter, r *http.Request) {
	var in newPassword
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.accounts.CompleteSignup(r.Context(), in.Token, in.Name, in.Password, r.UserAgent())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.startSession(w, r, http.StatusCreated, s)
}

func (a *API) viewInvitation(w http.ResponseWriter, r *http.Request) {
	var in tokenBody
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.accounts.ViewInvitation(r.Context(), in.Token)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	var in newPassword
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.accounts.AcceptInvitation(r.Context(), in.Token, in.Name, in.Password, r.UserAgent())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.startSession(w, r, http.StatusCreated, s)
}

func (a *API) listInvitations(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	l, err := a.accounts.Invitations(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(l, limit, func(i tenant.Invitation) string { return i.ID }))
}

func (a *API) createInvitation(w http.ResponseWriter, r *http.Request) {
	var in accounts.NewInvitation
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	// The plan's agents limit counts the seat the invitation promises.
	if err := a.Operator.Check(r.Context(), caller(r).Tenant.ID, plan.Agents, 1); err != nil {
		a.writeError(w, r, err)
		return
	}
	sent, err := a.accounts.Invite(r.Context(), caller(r).actor(r), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sent)
}

func (a *API) resendInvitation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "invitationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	sent, err := a.accounts.ResendInvitation(r.Context(), caller(r).actor(r), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sent)
}

func (a *API) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "invitationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.RevokeInvitation(r.Context(), caller(r).actor(r), id); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) totpStatus(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	st, err := a.accounts.TOTPStatus(r.Context(), p.Tenant.ID, p.User.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (a *API) startTOTP(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	en, err := a.accounts.StartTOTP(r.Context(), p.Tenant, *p.User)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// The secret is shown this once: no browser or proxy cache keeps it (a
	// retry with the same Idempotency-Key gets the sealed stored answer, as
	// for a new API key).
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, en)
}

func (a *API) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	codes, err := a.accounts.ConfirmTOTP(r.Context(), caller(r).actor(r), in.Code)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string][]string{"recovery_codes": codes})
}

func (a *API) removeMyTOTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	if err := a.accounts.RemoveTOTP(r.Context(), p.actor(r), p.User.ID, in.Password); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) removeUserTOTP(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.RemoveTOTP(r.Context(), caller(r).actor(r), id, ""); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getAuthPolicy(w http.ResponseWriter, r *http.Request) {
	p, err := a.accounts.AuthPolicy(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) putAuthPolicy(w http.ResponseWriter, r *http.Request) {
	var in struct {
		RequireTOTP *bool `json:"require_totp"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.RequireTOTP == nil {
		a.writeError(w, r, &tenant.FieldError{Field: "require_totp", Reason: "is required"})
		return
	}
	p, err := a.accounts.SetAuthPolicy(r.Context(), caller(r).actor(r), tenant.AuthPolicy{RequireTOTP: *in.RequireTOTP})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

var sessionIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// sessionsOf reads the user whose sessions are asked for: the caller's own,
// or any of the tenant's users for whoever manages users.
func (a *API) sessionsOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return "", false
	}
	p := caller(r)
	if (p.User == nil || p.User.ID != id) && !p.can(permManageUsers) {
		writeProblem(w, r, problem(http.StatusForbidden, "forbidden", "only an admin may see or end another user's sessions"))
		return "", false
	}
	return id, true
}

func (a *API) listUserSessions(w http.ResponseWriter, r *http.Request) {
	id, ok := a.sessionsOf(w, r)
	if !ok {
		return
	}
	p := caller(r)
	l, err := a.accounts.UserSessions(r.Context(), p.Tenant.ID, id, accounts.SessionID(p.session))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": l})
}

func (a *API) revokeUserSession(w http.ResponseWriter, r *http.Request) {
	id, ok := a.sessionsOf(w, r)
	if !ok {
		return
	}
	sid := r.PathValue("sessionID")
	if !sessionIDRE.MatchString(sid) {
		a.writeError(w, r, store.ErrNotFound)
		return
	}
	if err := a.accounts.RevokeSession(r.Context(), caller(r).actor(r), id, sid); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) revokeUserSessions(w http.ResponseWriter, r *http.Request) {
	id, ok := a.sessionsOf(w, r)
	if !ok {
		return
	}
	if err := a.accounts.RevokeAllSessions(r.Context(), caller(r).actor(r), id); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getSetup(w http.ResponseWriter, r *http.Request) {
	s, err := a.accounts.Setup(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *API) putSetup(w http.ResponseWriter, r *http.Request) {
	var in accounts.SetupChange
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.accounts.UpdateSetup(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}
