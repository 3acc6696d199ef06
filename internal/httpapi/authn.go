package httpapi

import (
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/accounts"
)

// sessionCookie names the cookie that carries a browser's session token.
const sessionCookie = "sb_session"

// authenticate finds the caller from an API key (Authorization: Bearer sbk_…) or
// the session cookie.
func (a *API) authenticate(r *http.Request) (*principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, problem(http.StatusUnauthorized, "unauthenticated", "use Authorization: Bearer <API key>")
		}
		k, err := a.accounts.VerifyAPIKey(ctx, strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		t, err := a.accounts.Tenant(ctx, k.TenantID)
		if err != nil {
			return nil, err
		}
		return &principal{Tenant: t, Key: &k}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, accounts.ErrUnauthenticated
	}
	in, err := a.accounts.Session(ctx, c.Value)
	if err != nil {
		return nil, err
	}
	return &principal{Tenant: in.Tenant, User: &in.User, session: c.Value, mustEnrol: in.MustEnrolTOTP}, nil
}

// guard wraps a route: authenticate (unless public), check the permission,
// rate-limit per caller, and honour Idempotency-Key on POST.
func (a *API) guard(rt route) http.Handler {
	h := http.Handler(rt.handler)
	if rt.public && rt.ownAuth {
		// The handler authenticates: it limits a caller it knows per caller,
		// and spends the address's sign-in budget only on a failed attempt
		// (realtimeConnect). Agents behind one office address reconnecting
		// after a restart are not one anonymous guesser.
		return h
	}
	if rt.public {
		return a.limitByIP(h)
	}
	if !rt.streams {
		h = a.idempotent(h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			if pr := toProblem(err); pr != nil && pr.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			}
			a.writeError(w, r, err)
			return
		}
		// A suspended workspace's people and systems are told why; signing
		// out still works.
		if rt.pattern != "/api/v1/auth/logout" {
			if err := a.Operator.CheckActive(r.Context(), p.Tenant.ID); err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		if p.mustEnrol && !rt.enrol {
			writeProblem(w, r, problem(http.StatusForbidden, "second-factor-setup", "your workspace requires a second factor: set one up under your account first"))
			return
		}
		if !p.can(rt.perm) {
			if err := a.readsThroughRoom(r, p, rt); err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		if !a.allow(w, p.ID()) {
			writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many requests; retry after the time in Retry-After"))
			return
		}
		h.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}
