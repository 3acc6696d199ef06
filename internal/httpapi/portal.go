package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/portal"
)

// The consumer portal's API under /portal/api: customers sign in with a code
// sent to their email or phone (or a link), and the session rides in its own
// cookie, apart from the agents'.

// portalCookie names the cookie that carries a customer's portal session.
const portalCookie = "sb_portal"

type portalKey struct{}

// portalCaller returns the signed-in customer; portal routes always have one.
func portalCaller(r *http.Request) portal.Session {
	s, _ := r.Context().Value(portalKey{}).(portal.Session)
	return s
}

// portalGuard wraps a portal route: the sign-in routes are limited per client
// address like the agents' sign-in; the others need a portal session, are
// limited per customer, and honour Idempotency-Key on POST.
func (a *API) portalGuard(rt route) http.Handler {
	if rt.public && !rt.ownAuth {
		return a.limitByIP(rt.handler)
	}
	h := a.idempotent(rt.handler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var token string
		if c, err := r.Cookie(portalCookie); err == nil {
			token = c.Value
		}
		s, err := a.Portal.Session(r.Context(), token)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if !a.allow(w, "customer:"+s.Identifier+"/"+s.PersonaID) {
			writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many requests; retry after the time in Retry-After"))
			return
		}
		// An Idempotency-Key is kept in the tenant of the path, which must exist.
		if tenantID := r.PathValue("tenantID"); tenantID != "" && r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") != "" {
			if _, err := a.accounts.Tenant(r.Context(), tenantID); err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), portalKey{}, s)))
	})
}

// setPortalCookie hands the browser a portal session.
func (a *API) setPortalCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: portalCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: a.cfg.SecureCookies || r.TLS != nil, MaxAge: max(1, int(expires.Sub(a.clock.Now()).Seconds())),
	})
}

func (a *API) portalSignIn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Portal.StartSignIn(r.Context(), in.Identifier); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) portalVerify(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
		Code       string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	token, s, err := a.Portal.VerifyCode(r.Context(), in.Identifier, in.Code)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.setPortalCookie(w, r, token, s.ExpiresAt)
	writeJSON(w, http.StatusOK, s)
}

// linkOpened is the session a link opened, and the notice it was for when it
// was a notice's read link.
type linkOpened struct {
	Session  portal.Session `json:"session"`
	NoticeID string         `json:"notice_id,omitempty"`
}

// portalLink opens a session from a link's token: the magic link mailed with a
// code (a full session), a notice's preference link or its read link (a
// session limited to that one persona; the read link also marks it read).
func (a *API) portalLink(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	var out linkOpened
	token, s, err := a.Portal.MagicLink(ctx, in.Token)
	if errors.Is(err, portal.ErrBadCode) {
		token, s, err = a.Portal.OpenLink(ctx, in.Token)
	}
	if errors.Is(err, portal.ErrBadCode) {
		out.NoticeID, token, s, err = a.Portal.OpenReadLink(ctx, in.Token)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out.Session = s
	a.setPortalCookie(w, r, token, s.ExpiresAt)
	writeJSON(w, http.StatusOK, out)
}

func (a *API) portalMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, portalCaller(r))
}

// portalSignOut ends the session, if any, and clears the cookie; it needs no
// session, so signing out twice is no error.
func (a *API) portalSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(portalCookie); err == nil && c.Value != "" {
		if err := a.Portal.SignOut(r.Context(), c.Value); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: a.cfg.SecureCookies || r.TLS != nil, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) portalVAPIDKey(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"public_key": a.Portal.VAPIDPublicKey()})
}
