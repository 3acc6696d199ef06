package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// sessionFixture is a session of the tenant's {userID} fixture, made in the
// store; its id is the token's hash.
func sessionFixture(f *fixtures) string {
	uid := f.id("userID", "")
	_, hash := auth.NewSessionToken()
	now := clock.System{}.Now()
	sess := tenant.Session{TenantID: f.tf.Tenant.ID, UserID: uid, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now}
	if err := f.w.db.CreateSession(context.Background(), hash, sess, "fixture"); err != nil {
		f.t.Fatalf("session fixture: %v", err)
	}
	return hash
}

var mailedLink = regexp.MustCompile(`https?://[^/\s]+(/[a-z/-]+)\?token=(\S+)`)

// mailedToken waits for the accounts mail to to and returns the token of its link to path.
func (n *node) mailedToken(t *testing.T, to, path string) string {
	t.Helper()
	select {
	case m := <-n.accountMail.Messages:
		if len(m.To) != 1 || m.To[0] != to {
			t.Fatalf("mail to %v, want %s", m.To, to)
		}
		l := mailedLink.FindStringSubmatch(string(m.Data))
		if l == nil || l[1] != path {
			t.Fatalf("no %s link in the mail:\n%s", path, m.Data)
		}
		tok, err := url.QueryUnescape(l[2])
		if err != nil {
			t.Fatal(err)
		}
		return tok
	case <-time.After(10 * time.Second):
		t.Fatalf("no mail to %s", to)
		return ""
	}
}

func TestSignupAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, withEngine(e), withSignup(accounts.SignupOpen))
			n.seedTenant(t, "taken")
			c := n.anonymous(t, "visitor")
			var mode struct{ Mode string }
			c.do("GET", "/api/v1/signup", nil).want(http.StatusOK).decode(&mode)
			if mode.Mode != "open" {
				t.Fatalf("mode %q", mode.Mode)
			}
			p := c.do("POST", "/api/v1/signup", map[string]string{"name": "X", "slug": "taken", "email": "x@y.example"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "slug" {
				t.Fatalf("taken slug: %+v", p)
			}
			c.do("POST", "/api/v1/signup", map[string]string{"name": "X", "slug": "login", "email": "x@y.example"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			c.do("POST", "/api/v1/signup", map[string]string{"name": "Acme", "slug": "acme", "email": "ada@acme.example"}).want(http.StatusAccepted)
			tok := n.mailedToken(t, "ada@acme.example", "/signup/verify")
			var pending struct{ Slug, Name, Email string }
			c.do("POST", "/api/v1/signup/verify", map[string]string{"token": tok}).want(http.StatusOK).decode(&pending)
			if pending.Slug != "acme" || pending.Email != "ada@acme.example" {
				t.Fatalf("pending: %+v", pending)
			}
			c.do("POST", "/api/v1/signup/verify", map[string]string{"token": tok + "x"}).wantProblem(http.StatusBadRequest, "invalid-token")
			var me meResponse
			c.do("POST", "/api/v1/signup/complete", map[string]string{"token": tok, "name": "Ada", "password": testPassword}).
				want(http.StatusCreated).decode(&me)
			if me.Tenant.Slug != "acme" || me.User.Role != tenant.RoleAdmin {
				t.Fatalf("signed up as %+v", me)
			}
			// The cookie is set: the new admin is signed in, into their own workspace only.
			c.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
			var setup accounts.Setup
			c.do("GET", "/api/v1/setup", nil).want(http.StatusOK).decode(&setup)
			if len(setup.Done) != 0 || setup.Dismissed {
				t.Fatalf("a new workspace's wizard: %+v", setup)
			}
			c.do("POST", "/api/v1/signup/complete", map[string]string{"token": tok, "name": "Eve", "password": testPassword}).
				wantProblem(http.StatusUnprocessableEntity, "validation")

			off := newNode(t, withEngine(e), withSignup(accounts.SignupOff))
			off.anonymous(t, "visitor").do("POST", "/api/v1/signup", map[string]string{"name": "N", "slug": "nope", "email": "a@b.example"}).
				wantProblem(http.StatusForbidden, "signup-closed")
		})
	}
}

func TestInvitationAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, withEngine(e), withSignup(accounts.SignupOff))
			tn, admin := n.seedTenant(t, "crew")
			ac := n.sessionClient(t, admin)
			agent := n.sessionClient(t, n.seedUser(t, tn, "agent@crew.example", tenant.RoleAgent))
			agent.do("POST", "/api/v1/invitations", map[string]string{"email": "new@crew.example", "role": "agent"}).wantProblem(http.StatusForbidden, "forbidden")

			var inv accounts.SentInvitation
			ac.do("POST", "/api/v1/invitations", map[string]string{"email": "new@crew.example", "name": "New", "role": "supervisor"}).
				want(http.StatusCreated).decode(&inv)
			if !inv.Mailed || inv.Link == "" {
				t.Fatalf("invitation: %+v", inv)
			}
			first := n.mailedToken(t, "new@crew.example", "/invitation")
			var list struct{ Items []tenant.Invitation }
			ac.do("GET", "/api/v1/invitations", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 1 || list.Items[0].ID != inv.ID {
				t.Fatalf("pending: %+v", list)
			}
			ac.do("POST", "/api/v1/invitations/"+inv.ID+"/resend", nil).want(http.StatusOK)
			second := n.mailedToken(t, "new@crew.example", "/invitation")
			visitor := n.anonymous(t, "invitee")
			visitor.do("POST", "/api/v1/auth/invitation", map[string]string{"token": first}).wantProblem(http.StatusBadRequest, "invalid-token")
			var view accounts.InvitationView
			visitor.do("POST", "/api/v1/auth/invitation", map[string]string{"token": second}).want(http.StatusOK).decode(&view)
			if view.Slug != "crew" || view.Role != tenant.RoleSupervisor {
				t.Fatalf("view: %+v", view)
			}
			var me meResponse
			visitor.do("POST", "/api/v1/auth/invitation/accept", map[string]string{"token": second, "password": testPassword}).
				want(http.StatusCreated).decode(&me)
			if me.User.Email != "new@crew.example" || me.User.Name != "New" || me.User.Role != tenant.RoleSupervisor {
				t.Fatalf("joined as %+v", me.User)
			}
			visitor.do("GET", "/api/v1/me", nil).want(http.StatusOK)
			n.anonymous(t, "again").do("POST", "/api/v1/auth/invitation/accept", map[string]string{"token": second, "password": testPassword}).
				wantProblem(http.StatusBadRequest, "invalid-token")
			ac.do("DELETE", "/api/v1/invitations/"+inv.ID, nil).wantProblem(http.StatusUnprocessableEntity, "validation")
		})
	}
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, withEngine(e))
			tn, admin := n.seedTenant(t, "vault")
			ac := n.sessionClient(t, admin)
			agentUser := n.seedUser(t, tn, "agent@vault.example", tenant.RoleAgent)
			agent := n.sessionClient(t, agentUser)

			// An admin requires a second factor only once they have one.
			ac.do("PUT", "/api/v1/auth-policy", map[string]bool{"require_totp": true}).wantProblem(http.StatusUnprocessableEntity, "validation")
			var mine accounts.Enrolment
			ac.do("POST", "/api/v1/me/totp", nil).want(http.StatusCreated).decode(&mine)
			ac.do("POST", "/api/v1/me/totp/confirm", map[string]string{"code": totpCode(t, mine.Secret, time.Now())}).want(http.StatusOK)
			// Required by the workspace: the agent may only see who they are and enrol.
			ac.do("PUT", "/api/v1/auth-policy", map[string]bool{"require_totp": true}).want(http.StatusOK)
			agent.do("GET", "/api/v1/conversations", nil).wantProblem(http.StatusForbidden, "second-factor-setup")
			var me meResponse
			agent.do("GET", "/api/v1/me", nil).want(http.StatusOK).decode(&me)
			if !me.MustEnrolTOTP {
				t.Fatal("/me does not say the agent must enrol")
			}
			var en accounts.Enrolment
			agent.do("POST", "/api/v1/me/totp", nil).want(http.StatusCreated).decode(&en)
			agent.do("POST", "/api/v1/me/totp/confirm", map[string]string{"code": "12345"}).wantProblem(http.StatusUnauthorized, "bad-second-factor")
			var rc struct {
				RecoveryCodes []string `json:"recovery_codes"`
			}
			// The code of the step before now: one step of drift is allowed, and
			// the sign-in below, at now's step, is then not a replay.
			agent.do("POST", "/api/v1/me/totp/confirm", map[string]string{"code": totpCode(t, en.Secret, time.Now().Add(-30*time.Second))}).
				want(http.StatusOK).decode(&rc)
			if len(rc.RecoveryCodes) != 10 {
				t.Fatalf("recovery codes: %v", rc)
			}
			agent.do("GET", "/api/v1/conversations", nil).want(http.StatusOK)

			// Signing in asks for the code.
			c := n.anonymous(t, "agent again")
			c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "vault", "email": agentUser.Email, "password": testPassword}).
				wantProblem(http.StatusUnauthorized, "second-factor-needed")
			c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "vault", "email": agentUser.Email, "password": testPassword, "code": rc.RecoveryCodes[0]}).
				want(http.StatusOK)
			c.do("GET", "/api/v1/conversations", nil).want(http.StatusOK)

			// An admin of another tenant cannot remove it; the agent's admin can.
			_, otherAdmin := n.seedTenant(t, "other-vault")
			n.sessionClient(t, otherAdmin).do("DELETE", "/api/v1/users/"+agentUser.ID+"/totp", nil).wantProblem(http.StatusNotFound, "not-found")
			ac.do("DELETE", "/api/v1/users/"+agentUser.ID+"/totp", nil).want(http.StatusNoContent)
			c.do("GET", "/api/v1/me", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
		})
	}
}

// TestSessionRevokeAPI: a user ends one of their sessions and an admin ends
// all of a user's; a revoked session's next request is refused and its
// realtime socket closes at once, through the auth.changed event.
func TestSessionRevokeAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			n := newNode(t, withEngine(e))
			tn, admin := n.seedTenant(t, "desks")
			u := n.seedUser(t, tn, "agent@desks.example", tenant.RoleAgent)
			laptop, phone := n.sessionClient(t, u), n.sessionClient(t, u)
			ws := n.feed(t, phone, 0)

			var list struct{ Items []accounts.SessionInfo }
			laptop.do("GET", "/api/v1/users/"+u.ID+"/sessions", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 2 {
				t.Fatalf("sessions: %+v", list)
			}
			var other string
			for _, s := range list.Items {
				if !s.Current {
					other = s.ID
				}
			}
			laptop.do("GET", "/api/v1/users/"+admin.ID+"/sessions", nil).wantProblem(http.StatusForbidden, "forbidden")
			laptop.do("DELETE", "/api/v1/users/"+u.ID+"/sessions/"+other, nil).want(http.StatusNoContent)
			wantRevoked(t, ws)
			phone.do("GET", "/api/v1/me", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
			laptop.do("GET", "/api/v1/me", nil).want(http.StatusOK)

			ac := n.sessionClient(t, admin)
			ac.do("GET", "/api/v1/users/"+u.ID+"/sessions", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 1 {
				t.Fatalf("admin sees %+v", list)
			}
			ws2 := n.feed(t, laptop, 0)
			ac.do("DELETE", "/api/v1/users/"+u.ID+"/sessions", nil).want(http.StatusNoContent)
			wantRevoked(t, ws2)
			laptop.do("GET", "/api/v1/me", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")
		})
	}
}
