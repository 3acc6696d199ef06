package accounts_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const password = "correct-horse-battery"

var start = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// rig is an accounts service on a real store, bus and SMTP sink, with a
// clock the test moves.
type rig struct {
	acc   *accounts.Service
	db    *store.DB
	clock *clock.Fake
	mail  *smtpsink.Sink
}

func newRig(t *testing.T, e storetest.Engine, mode accounts.SignupMode) *rig {
	t.Helper()
	db := e.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bus.Open(context.Background(), bus.Options{DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	clk := clock.NewFake(start)
	sink := smtpsink.Start(t)
	out := outbox.New(db, b, clk, log)
	acc := accounts.New(db, out, clk, mailer.New(sink.Addr, "center@switchboard.test", "", "", clk), log,
		accounts.Config{SecretKey: []byte("0123456789abcdef0123456789abcdef"), BaseURL: "https://center.example", Signup: mode})
	return &rig{acc: acc, db: db, clock: clk, mail: sink}
}

var linkRE = regexp.MustCompile(`https://center\.example(/[a-z/-]+)\?token=(\S+)`)

// mailedToken waits for the next mail, checks it went to to, and returns the
// token of the link in it.
func (r *rig) mailedToken(t *testing.T, to, path string) string {
	t.Helper()
	select {
	case m := <-r.mail.Messages:
		if len(m.To) != 1 || m.To[0] != to {
			t.Fatalf("mail to %v, want %s", m.To, to)
		}
		l := linkRE.FindStringSubmatch(string(m.Data))
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

func (r *rig) noMail(t *testing.T) {
	t.Helper()
	select {
	case m := <-r.mail.Messages:
		t.Fatalf("unexpected mail to %v", m.To)
	default:
	}
}

func fieldErr(t *testing.T, err error, field, says string) {
	t.Helper()
	var fe *tenant.FieldError
	if !errors.As(err, &fe) || fe.Field != field || !strings.Contains(fe.Reason, says) {
		t.Fatalf("got %v, want a %s error saying %q", err, field, says)
	}
}

func TestSignupOpen(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, e, accounts.SignupOpen)
			req := accounts.SignupRequest{Name: "Acme Support", Slug: "acme", AdminEmail: "Ada@Acme.example", RemoteAddr: "192.0.2.1"}

			for _, bad := range []struct {
				in          accounts.SignupRequest
				field, says string
			}{
				{accounts.SignupRequest{Slug: "acme", AdminEmail: "a@b.example"}, "name", "required"},
				{accounts.SignupRequest{Name: "X", Slug: "admin", AdminEmail: "a@b.example"}, "slug", "reserved"},
				{accounts.SignupRequest{Name: "X", Slug: "a", AdminEmail: "a@b.example"}, "slug", "3–40"},
				{accounts.SignupRequest{Name: "X", Slug: "fine-slug", AdminEmail: "nope"}, "email", "not a valid"},
			} {
				fieldErr(t, r.acc.RequestSignup(ctx, bad.in), bad.field, bad.says)
			}
			r.noMail(t)

			if err := r.acc.RequestSignup(ctx, req); err != nil {
				t.Fatal(err)
			}
			tok := r.mailedToken(t, "ada@acme.example", "/signup/verify")
			// Nothing exists until the link is followed.
			if _, err := r.db.TenantBySlug(ctx, "acme"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("workspace made before the email was verified: %v", err)
			}
			p, err := r.acc.VerifySignup(ctx, tok)
			if err != nil || p.Slug != "acme" || p.Name != "Acme Support" || p.AdminEmail != "ada@acme.example" {
				t.Fatalf("verify: %+v %v", p, err)
			}
			in, err := r.acc.CompleteSignup(ctx, tok, "Ada Lovelace", password, "test")
			if err != nil {
				t.Fatal(err)
			}
			if in.Token == "" || in.User.Role != tenant.RoleAdmin || in.User.Name != "Ada Lovelace" || !in.Tenant.Sandbox {
				t.Fatalf("signed in as %+v in %+v", in.User, in.Tenant)
			}
			if _, err := r.acc.Login(ctx, "acme", "ada@acme.example", password, "test"); err != nil {
				t.Fatalf("the admin cannot sign in with the password they chose: %v", err)
			}
			// The link is spent: its workspace exists.
			_, err = r.acc.CompleteSignup(ctx, tok, "Eve", password, "test")
			fieldErr(t, err, "slug", "taken")
			// A taken address is said to be taken at once.
			fieldErr(t, r.acc.RequestSignup(ctx, accounts.SignupRequest{Name: "Other", Slug: "acme", AdminEmail: "x@y.example"}), "slug", "taken")

			// A link expires.
			if err := r.acc.RequestSignup(ctx, accounts.SignupRequest{Name: "Late", Slug: "late", AdminEmail: "late@x.example"}); err != nil {
				t.Fatal(err)
			}
			late := r.mailedToken(t, "late@x.example", "/signup/verify")
			r.clock.Advance(accounts.SignupVerifyTTL + time.Minute)
			if _, err := r.acc.CompleteSignup(ctx, late, "Late", password, "test"); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("expired link: %v", err)
			}
			// A forged one is refused.
			if _, err := r.acc.CompleteSignup(ctx, tok[:len(tok)-3]+"AAA", "Eve", password, "test"); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("forged link: %v", err)
			}
		})
	}
}

func TestSignupLimits(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, storetest.Engines()[0], accounts.SignupOpen)
	ask := func(slug, email, ip string) error {
		return r.acc.RequestSignup(ctx, accounts.SignupRequest{Name: "N", Slug: slug, AdminEmail: email, RemoteAddr: ip})
	}
	for i := range 3 {
		if err := ask("flood", "victim@x.example", "192.0.2.1"); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
		r.mailedToken(t, "victim@x.example", "/signup/verify")
	}
	// The same inbox from another address is refused too: the limit is per email.
	if err := ask("flood", "victim@x.example", "192.0.2.99"); !errors.Is(err, accounts.ErrSignupLimited) {
		t.Fatalf("fourth mail to one inbox in an hour: %v", err)
	}
	r.noMail(t)
	r.clock.Advance(time.Hour + time.Second)
	if err := ask("flood", "victim@x.example", "192.0.2.1"); err != nil {
		t.Fatalf("after an hour: %v", err)
	}
	r.mailedToken(t, "victim@x.example", "/signup/verify")
	// One address may not sign up for many inboxes.
	n := 0
	for ; n < 50; n++ {
		if err := ask("flood", "v"+string(rune('a'+n%26))+string(rune('a'+n/26))+"@x.example", "198.51.100.7"); err != nil {
			if !errors.Is(err, accounts.ErrSignupLimited) {
				t.Fatal(err)
			}
			break
		}
		<-r.mail.Messages
	}
	if n != 20 {
		t.Fatalf("one address made %d sign-ups in an hour, want 20", n)
	}
}

func TestSignupModes(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			off := newRig(t, e, accounts.SignupOff)
			if err := off.acc.RequestSignup(ctx, accounts.SignupRequest{Name: "N", Slug: "nope", AdminEmail: "a@b.example"}); !errors.Is(err, accounts.ErrSignupClosed) {
				t.Fatalf("sign-up off: %v", err)
			}

			r := newRig(t, e, accounts.SignupInvite)
			req := accounts.SignupRequest{Name: "Invited", Slug: "invited", AdminEmail: "boss@invited.example"}
			fieldErr(t, r.acc.RequestSignup(ctx, req), "code", "by invitation")
			req.Code = "sbs_madeup"
			fieldErr(t, r.acc.RequestSignup(ctx, req), "code", "not a usable")
			code, exp, err := r.acc.CreateSignupCode(ctx, "for Invited Ltd", 48*time.Hour)
			if err != nil || !exp.Equal(start.Add(48*time.Hour)) {
				t.Fatalf("code: %v %v", exp, err)
			}
			req.Code = code
			if err := r.acc.RequestSignup(ctx, req); err != nil {
				t.Fatal(err)
			}
			tok := r.mailedToken(t, "boss@invited.example", "/signup/verify")
			// Two sign-ups with one code: only the first to finish gets a workspace.
			req2 := accounts.SignupRequest{Name: "Second", Slug: "second", AdminEmail: "two@second.example", Code: code}
			if err := r.acc.RequestSignup(ctx, req2); err != nil {
				t.Fatal(err)
			}
			tok2 := r.mailedToken(t, "two@second.example", "/signup/verify")
			if _, err := r.acc.CompleteSignup(ctx, tok, "Boss", password, "test"); err != nil {
				t.Fatal(err)
			}
			_, err = r.acc.CompleteSignup(ctx, tok2, "Two", password, "test")
			fieldErr(t, err, "code", "not a usable")
			if _, err := r.db.TenantBySlug(ctx, "second"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a workspace was made with a spent code: %v", err)
			}
			fieldErr(t, r.acc.RequestSignup(ctx, req2), "code", "not a usable")
		})
	}
}

// newTenant makes a workspace through the CLI's door and returns its admin,
// signed in, as an actor.
func (r *rig) newTenant(t *testing.T, slug string) (tenant.Tenant, accounts.Actor) {
	t.Helper()
	ws, err := r.acc.CreateWorkspace(context.Background(), accounts.NewWorkspace{Slug: slug, Name: "T " + slug, AdminEmail: "admin@" + slug + ".example"})
	if err != nil {
		t.Fatal(err)
	}
	return ws.Tenant, accounts.Actor{TenantID: ws.Tenant.ID, Type: "user", ID: ws.Admin.ID}
}

func TestInvitations(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, e, accounts.SignupOff)
			ta, admin := r.newTenant(t, "inv-a")
			_, other := r.newTenant(t, "inv-b")

			fieldErr(t, func() error {
				_, err := r.acc.Invite(ctx, admin, accounts.NewInvitation{Email: "admin@inv-a.example", Role: tenant.RoleAgent})
				return err
			}(), "email", "already exists")
			sent, err := r.acc.Invite(ctx, admin, accounts.NewInvitation{Email: "Sam@inv-a.example", Name: "Sam", Role: tenant.RoleSupervisor})
			if err != nil || !sent.Mailed {
				t.Fatalf("invite: %+v %v", sent, err)
			}
			first := r.mailedToken(t, "sam@inv-a.example", "/invitation")

			// Another tenant's admin can neither see, resend nor revoke it.
			if l, _ := r.acc.Invitations(ctx, other.TenantID, store.Page{}); len(l) != 0 {
				t.Fatalf("tenant B lists A's invitations: %+v", l)
			}
			if _, err := r.acc.ResendInvitation(ctx, other, sent.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("resend from another tenant: %v", err)
			}
			if err := r.acc.RevokeInvitation(ctx, other, sent.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("revoke from another tenant: %v", err)
			}

			// A resend kills the earlier link.
			if _, err := r.acc.ResendInvitation(ctx, admin, sent.ID); err != nil {
				t.Fatal(err)
			}
			second := r.mailedToken(t, "sam@inv-a.example", "/invitation")
			if _, err := r.acc.ViewInvitation(ctx, first); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("the first link after a resend: %v", err)
			}
			v, err := r.acc.ViewInvitation(ctx, second)
			if err != nil || v.Slug != "inv-a" || v.Email != "sam@inv-a.example" || v.Role != tenant.RoleSupervisor {
				t.Fatalf("view: %+v %v", v, err)
			}
			_, err = r.acc.AcceptInvitation(ctx, second, "Sam Vimes", "short", "test")
			fieldErr(t, err, "password", "")
			// Nobody joins a suspended workspace; the invitation waits for its resumption.
			if err := r.db.Suspend(ctx, ta.ID, tenant.Suspension{Reason: "unpaid", By: "op", Since: time.Now()}); err != nil {
				t.Fatal(err)
			}
			var unavailable *tenant.UnavailableError
			if _, err := r.acc.AcceptInvitation(ctx, second, "Sam Vimes", password, "test"); !errors.As(err, &unavailable) {
				t.Fatalf("accept in a suspended workspace: %v", err)
			}
			if _, err := r.db.Resume(ctx, ta.ID); err != nil {
				t.Fatal(err)
			}
			in, err := r.acc.AcceptInvitation(ctx, second, "Sam Vimes", password, "test")
			if err != nil || in.User.Role != tenant.RoleSupervisor || in.User.TenantID != ta.ID || in.Token == "" {
				t.Fatalf("accept: %+v %v", in.User, err)
			}
			if _, err := r.acc.AcceptInvitation(ctx, second, "Again", password, "test"); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("a link used twice: %v", err)
			}
			if l, _ := r.acc.Invitations(ctx, ta.ID, store.Page{}); len(l) != 0 {
				t.Fatalf("accepted invitation still pending: %+v", l)
			}

			// Revoked and expired links do not work.
			rev, err := r.acc.Invite(ctx, admin, accounts.NewInvitation{Email: "rev@inv-a.example", Role: tenant.RoleAgent})
			if err != nil {
				t.Fatal(err)
			}
			revTok := r.mailedToken(t, "rev@inv-a.example", "/invitation")
			if err := r.acc.RevokeInvitation(ctx, admin, rev.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := r.acc.AcceptInvitation(ctx, revTok, "Rev", password, "test"); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("revoked link: %v", err)
			}
			if _, err := r.acc.Invite(ctx, admin, accounts.NewInvitation{Email: "late@inv-a.example", Role: tenant.RoleAgent}); err != nil {
				t.Fatal(err)
			}
			lateTok := r.mailedToken(t, "late@inv-a.example", "/invitation")
			r.clock.Advance(accounts.InvitationTTL + time.Minute)
			if _, err := r.acc.AcceptInvitation(ctx, lateTok, "Late", password, "test"); !errors.Is(err, auth.ErrInvalidToken) {
				t.Fatalf("expired link: %v", err)
			}
			audit, err := r.acc.Audit(ctx, ta.ID, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, a := range audit {
				actions = append(actions, a.Action)
			}
			for _, want := range []string{"invitation.create", "invitation.resend", "invitation.accept", "invitation.revoke"} {
				if !strings.Contains(strings.Join(actions, " "), want) {
					t.Errorf("audit lacks %s: %v", want, actions)
				}
			}
		})
	}
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTP(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, e, accounts.SignupOff)
			tn, admin := r.newTenant(t, "totp")
			u, err := r.acc.CreateUser(ctx, admin, accounts.NewUser{Email: "agent@totp.example", Name: "Agent", Role: tenant.RoleAgent, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			me := accounts.Actor{TenantID: tn.ID, Type: "user", ID: u.ID}

			// Required by the tenant (an admin who has none cannot require it;
			// the operator's system actor can): a session without one may only enrol.
			_, err = r.acc.SetAuthPolicy(ctx, admin, tenant.AuthPolicy{RequireTOTP: true})
			fieldErr(t, err, "require_totp", "your own second factor first")
			if _, err := r.acc.SetAuthPolicy(ctx, accounts.Actor{TenantID: tn.ID, Type: "system", ID: "test"}, tenant.AuthPolicy{RequireTOTP: true}); err != nil {
				t.Fatal(err)
			}
			in, err := r.acc.Login(ctx, "totp", u.Email, password, "test")
			if err != nil {
				t.Fatal(err)
			}
			if s, err := r.acc.Session(ctx, in.Token); err != nil || !s.MustEnrolTOTP {
				t.Fatalf("session of a user who must enrol: %+v %v", s, err)
			}

			en, err := r.acc.StartTOTP(ctx, tn, u)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(en.URI, "otpauth://totp/") || !strings.Contains(en.URI, "secret="+en.Secret) || !strings.HasPrefix(en.QRCode, "data:image/png;base64,") {
				t.Fatalf("enrolment: %+v", en)
			}
			if _, err := r.acc.ConfirmTOTP(ctx, me, "000000"); !errors.Is(err, accounts.ErrBadCode) && code(t, en.Secret, start) != "000000" {
				t.Fatalf("wrong code: %v", err)
			}
			codes, err := r.acc.ConfirmTOTP(ctx, me, code(t, en.Secret, r.clock.Now()))
			if err != nil || len(codes) != 10 {
				t.Fatalf("confirm: %v %v", codes, err)
			}
			if s, _ := r.acc.Session(ctx, in.Token); s.MustEnrolTOTP {
				t.Fatal("still made to enrol after enrolling")
			}
			if _, err := r.acc.StartTOTP(ctx, tn, u); !errors.Is(err, accounts.ErrAlreadyEnrolled) {
				t.Fatalf("second enrolment: %v", err)
			}

			// Sign-in asks for the code, refuses a wrong one and a replayed one.
			r.clock.Advance(30 * time.Second)
			if _, err := r.acc.Login(ctx, "totp", u.Email, password, "test"); !errors.Is(err, accounts.ErrSecondFactorNeeded) {
				t.Fatalf("sign-in without a code: %v", err)
			}
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, "wrong-password", code(t, en.Secret, r.clock.Now()), "test"); !errors.Is(err, accounts.ErrBadCredentials) {
				t.Fatalf("wrong password with a right code: %v", err)
			}
			now := code(t, en.Secret, r.clock.Now())
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, password, now, "test"); err != nil {
				t.Fatalf("sign-in with the code: %v", err)
			}
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, password, now, "test"); !errors.Is(err, accounts.ErrBadCode) {
				t.Fatalf("the same code twice: %v", err)
			}
			// One step of drift is accepted; three are not.
			r.clock.Advance(30 * time.Second)
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, password, code(t, en.Secret, r.clock.Now().Add(30*time.Second)), "test"); err != nil {
				t.Fatalf("a code one step ahead: %v", err)
			}
			r.clock.Advance(2 * time.Minute)
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, password, code(t, en.Secret, r.clock.Now().Add(-90*time.Second)), "test"); !errors.Is(err, accounts.ErrBadCode) {
				t.Fatalf("a code three steps old: %v", err)
			}

			// A recovery code works once.
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, password, strings.ToUpper(codes[3]), "test"); err != nil {
				t.Fatalf("recovery code: %v", err)
			}
			if _, err := r.acc.LoginWithCode(ctx, "totp", u.Email, password, codes[3], "test"); !errors.Is(err, accounts.ErrBadCode) {
				t.Fatalf("a recovery code twice: %v", err)
			}
			st, _ := r.acc.TOTPStatus(ctx, tn.ID, u.ID)
			if !st.Enrolled || !st.Required || st.RecoveryCodes != 9 {
				t.Fatalf("status: %+v", st)
			}

			// Removing it takes the password; an admin of another tenant cannot.
			fieldErr(t, r.acc.RemoveTOTP(ctx, me, u.ID, "nope"), "password", "not your current")
			_, other := r.newTenant(t, "totp-b")
			if err := r.acc.RemoveTOTP(ctx, other, u.ID, ""); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("removal from another tenant: %v", err)
			}
			if err := r.acc.RemoveTOTP(ctx, admin, u.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := r.acc.Session(ctx, in.Token); !errors.Is(err, accounts.ErrUnauthenticated) {
				t.Fatalf("sessions outlived an admin's removal of the second factor: %v", err)
			}
			if _, err := r.acc.Login(ctx, "totp", u.Email, password, "test"); err != nil {
				t.Fatalf("sign-in after removal: %v", err)
			}
		})
	}
}

func TestSessionsRevoke(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, e, accounts.SignupOff)
			tn, admin := r.newTenant(t, "sess")
			u, err := r.acc.CreateUser(ctx, admin, accounts.NewUser{Email: "agent@sess.example", Name: "Agent", Role: tenant.RoleAgent, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			me := accounts.Actor{TenantID: tn.ID, Type: "user", ID: u.ID}
			one, _ := r.acc.Login(ctx, "sess", u.Email, password, "Firefox")
			two, _ := r.acc.Login(ctx, "sess", u.Email, password, "Chromium")
			l, err := r.acc.UserSessions(ctx, tn.ID, u.ID, accounts.SessionID(one.Token))
			if err != nil || len(l) != 2 {
				t.Fatalf("sessions: %+v %v", l, err)
			}
			var cur int
			for _, s := range l {
				if s.Current {
					cur++
				}
			}
			if cur != 1 {
				t.Fatalf("%d sessions marked current", cur)
			}
			_, other := r.newTenant(t, "sess-b")
			if err := r.acc.RevokeSession(ctx, other, u.ID, accounts.SessionID(two.Token)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("revoke from another tenant: %v", err)
			}
			if _, err := r.acc.UserSessions(ctx, other.TenantID, u.ID, ""); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("list from another tenant: %v", err)
			}
			if err := r.acc.RevokeSession(ctx, me, u.ID, accounts.SessionID(two.Token)); err != nil {
				t.Fatal(err)
			}
			if _, err := r.acc.Session(ctx, two.Token); !errors.Is(err, accounts.ErrUnauthenticated) {
				t.Fatalf("revoked session still works: %v", err)
			}
			if _, err := r.acc.Session(ctx, one.Token); err != nil {
				t.Fatalf("the other session ended too: %v", err)
			}
			if err := r.acc.RevokeAllSessions(ctx, admin, u.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := r.acc.Session(ctx, one.Token); !errors.Is(err, accounts.ErrUnauthenticated) {
				t.Fatalf("session outlived revoke-all: %v", err)
			}
		})
	}
}

// TestTOTPGuessing: a password alone buys ten wrong codes an hour; the
// eleventh try is refused even with the right code, until the hour is over.
func TestTOTPGuessing(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, storetest.Engines()[0], accounts.SignupOff)
	tn, admin := r.newTenant(t, "guess")
	u, err := r.acc.CreateUser(ctx, admin, accounts.NewUser{Email: "a@guess.example", Name: "A", Role: tenant.RoleAgent, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	en, err := r.acc.StartTOTP(ctx, tn, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.acc.ConfirmTOTP(ctx, accounts.Actor{TenantID: tn.ID, Type: "user", ID: u.ID}, code(t, en.Secret, r.clock.Now())); err != nil {
		t.Fatal(err)
	}
	right := code(t, en.Secret, r.clock.Now().Add(30*time.Second))
	wrong := "000000"
	if wrong == right {
		wrong = "111111"
	}
	for i := range 10 {
		if _, err := r.acc.LoginWithCode(ctx, "guess", u.Email, password, wrong, "test"); !errors.Is(err, accounts.ErrBadCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if _, err := r.acc.LoginWithCode(ctx, "guess", u.Email, password, right, "test"); !errors.Is(err, accounts.ErrTooManyCodes) {
		t.Fatalf("the right code after ten wrong ones: %v", err)
	}
	r.clock.Advance(time.Hour + time.Minute)
	if _, err := r.acc.LoginWithCode(ctx, "guess", u.Email, password, code(t, en.Secret, r.clock.Now()), "test"); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

// TestWizardDueForNewWorkspaces: a workspace made through a door (the CLI,
// sign-up, the operator) has its first-run wizard due until it is finished or
// put away; a workspace made otherwise (the demo's) never has.
func TestWizardDueForNewWorkspaces(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			r := newRig(t, e, accounts.SignupOff)
			ctx := context.Background()
			ws, err := r.acc.CreateWorkspace(ctx, accounts.NewWorkspace{Slug: "acme", Name: "Acme", AdminEmail: "ops@acme.example"})
			if err != nil {
				t.Fatal(err)
			}
			if s, err := r.acc.Setup(ctx, ws.Tenant.ID); err != nil || !s.Due {
				t.Fatalf("a new workspace's wizard: %+v %v, want due", s, err)
			}
			for i, step := range accounts.SetupSteps {
				s, err := r.acc.UpdateSetup(ctx, ws.Tenant.ID, accounts.SetupChange{Done: step})
				if err != nil || s.Due != (i < len(accounts.SetupSteps)-1) {
					t.Fatalf("after %s: %+v %v", step, s, err)
				}
			}
			other, err := r.acc.CreateWorkspace(ctx, accounts.NewWorkspace{Slug: "globex", Name: "Globex", AdminEmail: "ops@globex.example"})
			if err != nil {
				t.Fatal(err)
			}
			put := true
			if s, err := r.acc.UpdateSetup(ctx, other.Tenant.ID, accounts.SetupChange{Dismissed: &put}); err != nil || s.Due {
				t.Fatalf("a wizard put away: %+v %v, want not due", s, err)
			}
			demo, _, err := r.acc.CreateTenant(ctx, "demo-bank", "Demo Bank", false, accounts.NewUser{Email: "admin@demo.example", Name: "Admin", Password: password})
			if err != nil {
				t.Fatal(err)
			}
			if s, err := r.acc.Setup(ctx, demo.ID); err != nil || s.Due {
				t.Fatalf("a demo workspace's wizard: %+v %v, want not due", s, err)
			}
		})
	}
}
