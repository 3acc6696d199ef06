package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// sessionCookieOf returns the sb_session cookie a response sets, or fails.
func sessionCookieOf(t *testing.T, r *response) *http.Cookie {
	t.Helper()
	for _, c := range r.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("%s: no %s cookie in %q", r.what, sessionCookie, r.Header.Values("Set-Cookie"))
	return nil
}

func TestLoginMeLogout(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "secure cookies"}[secure], func(t *testing.T) {
			t.Parallel()
			n := newNode(t, withConfig(func(c *Config) { c.SecureCookies = secure }))
			tn, admin := n.seedTenant(t, "tenant-a")
			c := n.anonymous(t, "browser")

			var me struct {
				User   tenant.User
				Tenant tenant.Tenant
			}
			r := c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": tn.Slug, "email": admin.Email, "password": testPassword}).
				want(http.StatusOK).decode(&me)
			if me.User.ID != admin.ID || me.Tenant.ID != tn.ID {
				t.Errorf("login answered user %s of tenant %s, want %s of %s", me.User.ID, me.Tenant.ID, admin.ID, tn.ID)
			}
			ck := sessionCookieOf(t, r)
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge <= 0 || ck.Value == "" {
				t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, Path=/, a lifetime and a value", r.Header.Get("Set-Cookie"))
			}
			if ck.Secure != secure {
				t.Errorf("session cookie Secure=%v, want %v", ck.Secure, secure)
			}
			if secure {
				return // the jar does not send Secure cookies over plain HTTP
			}

			c.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
			if me.User.Email != admin.Email {
				t.Errorf("GET /api/v1/me is %s, want %s", me.User.Email, admin.Email)
			}

			token := ck.Value
			r = c.do("POST", "/api/v1/auth/logout", nil).want(http.StatusNoContent)
			if ck := sessionCookieOf(t, r); ck.MaxAge >= 0 || ck.Value != "" {
				t.Errorf("logout should clear the cookie; it set %q", r.Header.Get("Set-Cookie"))
			}
			// The session is dead on the server, not just forgotten by the browser.
			n.anonymous(t, "stolen cookie").do("GET", "/api/v1/me", nil, header("Cookie", sessionCookie+"="+token)).
				wantProblem(http.StatusUnauthorized, "unauthenticated")
		})
	}
}

func TestLoginRefusesBadCredentials(t *testing.T) {
	n := newNode(t)
	tn, admin := n.seedTenant(t, "tenant-a")
	disabled := n.seedUser(t, tn, "gone@tenant-a.example", tenant.RoleAgent)
	n.sessionClient(t, admin).do("PATCH", "/api/v1/users/"+disabled.ID, map[string]any{"disabled": true}).want(http.StatusOK)
	for _, tc := range []struct{ name, tenant, email, password string }{
		{"wrong password", tn.Slug, admin.Email, "not-the-password"},
		{"unknown email", tn.Slug, "nobody@tenant-a.example", testPassword},
		{"unknown tenant", "no-such-tenant", admin.Email, testPassword},
		{"disabled user", tn.Slug, disabled.Email, testPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := n.anonymous(t, "browser").do("POST", "/api/v1/auth/login", map[string]string{"tenant": tc.tenant, "email": tc.email, "password": tc.password})
			r.wantProblem(http.StatusUnauthorized, "bad-credentials")
			if len(r.Cookies()) > 0 {
				t.Errorf("a refused sign-in set cookies: %q", r.Header.Values("Set-Cookie"))
			}
		})
	}
}

// TestCrossOriginWrites checks browsers' cross-site writes are refused (CSRF),
// while same-origin ones and those of non-browser clients pass.
func TestCrossOriginWrites(t *testing.T) {
	w := newWorld(t)
	newKey := map[string]any{"name": "csrf", "scopes": []string{"read"}}
	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		header       map[string]string
		want         int
	}{
		{"cross-site fetch", "POST", "/api/v1/api-keys", newKey, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"origin of another host", "POST", "/api/v1/api-keys", newKey, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"cross-site sign-in", "POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "email": "x@y.example", "password": "whatever-it-is"},
			map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cross-site logout", "POST", "/api/v1/auth/logout", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-origin fetch", "POST", "/api/v1/api-keys", newKey, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusCreated},
		{"same origin", "POST", "/api/v1/api-keys", newKey, map[string]string{"Origin": w.srv.URL}, http.StatusCreated},
		{"no browser headers", "POST", "/api/v1/api-keys", newKey, nil, http.StatusCreated},
		{"cross-site read", "GET", "/api/v1/users", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reqOpt
			for k, v := range tc.header {
				opts = append(opts, header(k, v))
			}
			r := w.A.admin.in(t).do(tc.method, tc.path, tc.body, opts...)
			if tc.want == http.StatusForbidden {
				r.wantProblem(http.StatusForbidden, "cross-origin")
			} else {
				r.want(tc.want)
			}
		})
	}
	// The refused writes did nothing: the session lives, and only the three
	// accepted keys exist.
	var keys struct{ Items []struct{ Name string } }
	w.A.admin.do("GET", "/api/v1/api-keys", nil).want(http.StatusOK).decode(&keys)
	if len(keys.Items) != 3 {
		t.Errorf("%d API keys exist, want the 3 made by accepted requests", len(keys.Items))
	}
}

// TestPermissions checks what each role and API-key scope may do.
func TestPermissions(t *testing.T) {
	w := newWorld(t)
	agent := w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)
	supervisor := w.seedUser(t, w.A.Tenant, "supervisor@tenant-a.example", tenant.RoleSupervisor)
	callers := map[string]*client{
		"admin":      w.A.admin,
		"agent":      w.sessionClient(t, agent),
		"supervisor": w.sessionClient(t, supervisor),
	}
	for _, scope := range tenant.Scopes {
		callers["key "+string(scope)] = keyClient(t, w.A.admin, string(scope))
	}
	newKey := map[string]any{"name": "k", "scopes": []string{"read"}}
	newUser := map[string]any{"email": "new@tenant-a.example", "name": "New", "role": "agent", "password": "long-enough-password"}
	rename := map[string]any{"name": "Renamed"}
	for _, tc := range []struct {
		who          string
		method, path string
		body         any
		want         int
	}{
		{"agent", "GET", "/api/v1/users", nil, http.StatusOK},
		{"agent", "GET", "/api/v1/users/" + supervisor.ID, nil, http.StatusOK},
		{"agent", "PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, http.StatusOK},
		{"agent", "POST", "/api/v1/api-keys", newKey, http.StatusForbidden},
		{"agent", "GET", "/api/v1/api-keys", nil, http.StatusForbidden},
		{"agent", "POST", "/api/v1/users", newUser, http.StatusForbidden},
		{"agent", "PATCH", "/api/v1/users/" + agent.ID, map[string]any{"role": "admin"}, http.StatusForbidden},
		{"agent", "POST", "/api/v1/users/" + supervisor.ID + "/password-reset-link", nil, http.StatusForbidden},
		{"agent", "GET", "/api/v1/audit-log", nil, http.StatusForbidden},
		{"supervisor", "GET", "/api/v1/audit-log", nil, http.StatusOK},
		{"supervisor", "PATCH", "/api/v1/users/" + agent.ID, rename, http.StatusForbidden},
		{"admin", "PATCH", "/api/v1/users/" + agent.ID, rename, http.StatusOK},
		{"key read", "GET", "/api/v1/users", nil, http.StatusOK},
		{"key read", "GET", "/api/v1/audit-log", nil, http.StatusOK},
		{"key read", "GET", "/api/v1/me", nil, http.StatusOK},
		{"key read", "POST", "/api/v1/users", newUser, http.StatusForbidden},
		{"key read", "POST", "/api/v1/api-keys", newKey, http.StatusForbidden},
		{"key read", "GET", "/api/v1/api-keys", nil, http.StatusForbidden},
		{"key webhooks:manage", "GET", "/api/v1/users", nil, http.StatusForbidden},
		{"key events:write", "GET", "/api/v1/users", nil, http.StatusForbidden},
		{"key events:write", "GET", "/api/v1/me", nil, http.StatusOK},
		{"key admin", "GET", "/api/v1/api-keys", nil, http.StatusOK},
		{"key admin", "PATCH", "/api/v1/users/" + agent.ID, rename, http.StatusOK},
	} {
		t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
			r := callers[tc.who].in(t).do(tc.method, tc.path, tc.body)
			if tc.want == http.StatusForbidden {
				r.wantProblem(tc.want, "forbidden")
			} else {
				r.want(tc.want)
			}
		})
	}
}

// TestUnauthenticated checks callers without valid credentials get 401, with
// WWW-Authenticate saying how to authenticate (RFC 9110 requires it on 401).
func TestUnauthenticated(t *testing.T) {
	n := newNode(t)
	c := n.anonymous(t, "stranger")
	forged := "sbk_AAAAAAAAAAAAAAAAAAAAAA_" + strings.Repeat("A", 43)
	for _, tc := range []struct {
		name string
		opts []reqOpt
	}{
		{"no credentials", []reqOpt{outsideSpec}},
		{"forged API key", []reqOpt{header("Authorization", "Bearer "+forged)}},
		{"malformed API key", []reqOpt{header("Authorization", "Bearer sbk_nope")}},
		{"unknown session", []reqOpt{header("Cookie", sessionCookie+"=no-such-session")}},
		{"basic authentication", []reqOpt{header("Authorization", "Basic dXNlcjpwYXNz"), outsideSpec}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.in(t).do("GET", "/api/v1/users", nil, tc.opts...)
			r.wantProblem(http.StatusUnauthorized, "unauthenticated")
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
}

func TestRevokedKeyStopsAtOnce(t *testing.T) {
	w := newWorld(t)
	key := keyClient(t, w.A.admin, "read")
	key.do("GET", "/api/v1/users", nil).want(http.StatusOK)

	w.A.admin.do("DELETE", "/api/v1/api-keys/"+key.keyID, nil).want(http.StatusNoContent)
	key.do("GET", "/api/v1/users", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")

	var k tenant.APIKey
	w.A.admin.do("GET", "/api/v1/api-keys/"+key.keyID, nil).want(http.StatusOK).decode(&k)
	if k.RevokedAt.IsZero() {
		t.Errorf("revoked key shows no revoked_at")
	}
	w.A.admin.do("DELETE", "/api/v1/api-keys/"+key.keyID, nil).want(http.StatusNoContent) // again: harmless
}

func TestPasswordReset(t *testing.T) {
	w := newWorld(t)
	user := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
	oldSession := w.sessionClient(t, user)
	oldSession.do("GET", "/api/v1/me", nil).want(http.StatusOK)
	anon := w.anonymous(t, "anonymous")

	// Asking by email says the same whether or not the user exists.
	for _, email := range []string{user.Email, "nobody@tenant-a.example"} {
		anon.do("POST", "/api/v1/auth/password-reset", map[string]string{"tenant": w.A.Tenant.Slug, "email": email}).
			want(http.StatusAccepted)
	}

	var link struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	w.A.admin.do("POST", "/api/v1/users/"+user.ID+"/password-reset-link", nil).want(http.StatusCreated).decode(&link)
	u, err := url.Parse(link.URL)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("reset link %q carries no token", link.URL)
	}
	token := u.Query().Get("token")
	if d := time.Until(link.ExpiresAt); d < 50*time.Minute || d > 70*time.Minute {
		t.Errorf("reset link expires in %v, want about an hour", d)
	}

	const newPassword = "a-brand-new-password"
	confirm := func(token, password string, opts ...reqOpt) *response {
		return anon.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "password": password}, opts...)
	}
	p := confirm(token, "short", outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
	if len(p.Errors) != 1 || p.Errors[0].Field != "password" {
		t.Errorf("weak password: errors %+v, want one naming password", p.Errors)
	}
	confirm("forged."+token, newPassword).wantProblem(http.StatusBadRequest, "invalid-token")
	confirm(token, newPassword).want(http.StatusNoContent)

	oldSession.do("GET", "/api/v1/me", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
	anon.do("POST", "/api/v1/auth/login", map[string]string{"tenant": w.A.Tenant.Slug, "email": user.Email, "password": testPassword}).
		wantProblem(http.StatusUnauthorized, "bad-credentials")
	w.login(t, w.A.Tenant.Slug, user.Email, newPassword).do("GET", "/api/v1/me", nil).want(http.StatusOK)

	confirm(token, "yet-another-password").wantProblem(http.StatusBadRequest, "invalid-token")
}

// TestPasswordResetRevealsNothing checks asking for a reset link answers the
// same whether or not the workspace and the user exist, so neither can be
// discovered through it.
func TestPasswordResetRevealsNothing(t *testing.T) {
	n := newNode(t)
	tn, admin := n.seedTenant(t, "tenant-a")
	anon := n.anonymous(t, "anonymous")
	ask := func(tenant, email string) int {
		return anon.do("POST", "/api/v1/auth/password-reset", map[string]string{"tenant": tenant, "email": email}).StatusCode
	}
	for _, email := range []string{admin.Email, "nobody@tenant-a.example", "not an email"} {
		known, unknown := ask(tn.Slug, email), ask("no-such-tenant", email)
		if known != unknown {
			t.Errorf("email %q: status %d in an existing workspace, %d in none; the answer tells which exists", email, known, unknown)
		}
		if strings.Contains(email, "@") && known != http.StatusAccepted {
			t.Errorf("email %q: status %d, want 202", email, known)
		}
	}
}
