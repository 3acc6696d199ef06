package portal_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const baseURL = "https://center.example"

// fixture is a center with two businesses that both know Ana by her email;
// the first also knows her phone, and Bob is a customer of the second only.
type fixture struct {
	db     *store.DB
	clk    *clock.Fake
	core   *inboxtest.Core
	sink   *smtpsink.Sink
	links  *notify.Links
	notify *notify.Service
	portal *portal.Portal

	shop, bank       tenant.Tenant
	anaShop, anaBank persona.Persona
	bob              persona.Persona
}

func newFixture(t *testing.T, db *store.DB, relay bool) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, clk: clock.NewFake(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))}
	f.core = inboxtest.Start(t, db, inboxtest.Options{Clock: f.clk})
	secret := []byte("0123456789abcdef0123456789abcdef")
	f.links = notify.NewLinks(secret, baseURL, f.clk)
	f.notify = notify.New(notify.Deps{DB: db, Out: f.core.Out, Inbox: f.core.Inbox, Links: f.links, Clock: f.clk, Log: f.core.Log})
	d := portal.Deps{DB: db, Notify: f.notify, Inbox: f.core.Inbox, Links: f.links, Channels: f.core.Channels,
		Clock: f.clk, Log: f.core.Log, Secret: secret, BaseURL: baseURL}
	if relay {
		f.sink = smtpsink.Start(t)
		d.Mail = mailer.New(f.sink.Addr, "portal@center.example", "", "", f.clk)
	}
	f.portal = portal.New(d)
	if err := f.core.Channels.Register(f.portal); err != nil {
		t.Fatal(err)
	}

	now := f.clk.Now()
	f.shop = tenant.Tenant{ID: ids.New(), Slug: "shop", Name: "Corner Shop", CreatedAt: now}
	f.bank = tenant.Tenant{ID: ids.New(), Slug: "bank", Name: "Acme Bank", CreatedAt: now}
	for _, tn := range []tenant.Tenant{f.shop, f.bank} {
		if err := db.CreateTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(tenantID, name string, idents ...persona.Identifier) persona.Persona {
		t.Helper()
		p := persona.Persona{ID: ids.New(), TenantID: tenantID, Name: name, Identifiers: idents,
			Attributes: map[string]string{}, CreatedAt: now, UpdatedAt: now}
		if err := db.CreatePersona(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.anaShop = mk(f.shop.ID, "Ana", email("ana@example.com"), phone("+4915112345678"))
	f.anaBank = mk(f.bank.ID, "Ana Silva", email("ana@example.com"))
	f.bob = mk(f.bank.ID, "Bob", email("bob@example.com"))
	return f
}

func email(v string) persona.Identifier { return persona.Identifier{Kind: persona.KindEmail, Value: v} }
func phone(v string) persona.Identifier { return persona.Identifier{Kind: persona.KindPhone, Value: v} }

// codeMail is a sign-in mail as received: its recipient, code and magic-link token.
type codeMail struct {
	To, Code, Token string
}

var (
	codeRE  = regexp.MustCompile(`code is (\d{6})`)
	tokenRE = regexp.MustCompile(regexp.QuoteMeta(baseURL+"/portal/login#token=") + `(\S+)`)
)

// nextMail reads the next mail the relay received; the sink holds what
// arrived, and Flush returns only after the relay accepted every code mail.
func (f *fixture) nextMail(t *testing.T) codeMail {
	t.Helper()
	f.portal.Flush()
	var got smtpsink.Message
	select {
	case got = <-f.sink.Messages:
	default:
		t.Fatal("no mail was sent")
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got.Data)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(msg.Body)
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	c := codeMail{To: strings.Join(got.To, ",")}
	if m := codeRE.FindSubmatch(body); m != nil {
		c.Code = string(m[1])
	}
	if m := tokenRE.FindSubmatch(body); m != nil {
		c.Token, _ = url.QueryUnescape(string(m[1]))
	}
	if c.Code == "" || c.Token == "" || !strings.Contains(subject, c.Code) {
		t.Fatalf("no code or link in the mail %q:\n%s", subject, body)
	}
	return c
}

// tokenOf is the token at the end of a signed link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, baseURL+"/") {
		t.Fatalf("link %q", link)
	}
	return path.Base(u.Path)
}

func (f *fixture) noMail(t *testing.T) {
	t.Helper()
	f.portal.Flush()
	select {
	case got := <-f.sink.Messages:
		t.Fatalf("unexpected mail to %v", got.To)
	default:
	}
}

// signIn signs in by email code and returns the session token.
func (f *fixture) signIn(t *testing.T, identifier string) (string, portal.Session) {
	t.Helper()
	ctx := context.Background()
	if err := f.portal.StartSignIn(ctx, identifier); err != nil {
		t.Fatal(err)
	}
	m := f.nextMail(t)
	token, s, err := f.portal.VerifyCode(ctx, identifier, m.Code)
	if err != nil {
		t.Fatal(err)
	}
	return token, s
}

func eachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

func TestCodeSignsInOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if err := f.portal.StartSignIn(ctx, "  Ana@Example.COM "); err != nil {
			t.Fatal(err)
		}
		m := f.nextMail(t)
		if m.To != "ana@example.com" {
			t.Fatalf("mailed to %q", m.To)
		}
		token, s, err := f.portal.VerifyCode(ctx, "ana@example.com", m.Code)
		if err != nil {
			t.Fatal(err)
		}
		want := portal.Session{Identifier: "email:ana@example.com", ExpiresAt: f.clk.Now().Add(portal.SessionTTL)}
		if s != want {
			t.Fatalf("session %+v, want %+v", s, want)
		}
		if got, err := f.portal.Session(ctx, token); err != nil || got != want {
			t.Fatalf("Session(token) = %+v, %v", got, err)
		}
		if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", m.Code); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("second use of a code: %v", err)
		}
		if _, _, err := f.portal.MagicLink(ctx, m.Token); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("magic link of a used code: %v", err)
		}

		f.clk.Advance(portal.SessionTTL)
		if _, err := f.portal.Session(ctx, token); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Fatalf("session after 30 days: %v", err)
		}
	})
}

func TestWrongCodesCountAttempts(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if err := f.portal.StartSignIn(ctx, "+49 151 1234 5678"); err == nil || !errors.Is(err, portal.ErrCannotSend) {
			// No sms channel runs in this center: phones cannot sign in.
			t.Fatalf("phone sign-in without sms: %v", err)
		}
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		m := f.nextMail(t)
		wrong := "000000"
		if m.Code == wrong {
			wrong = "111111"
		}
		for i := range portal.MaxCodeAttempts - 1 {
			if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", wrong); !errors.Is(err, portal.ErrBadCode) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
		}
		// One attempt left: the right code still works after four wrong ones.
		if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", m.Code); err != nil {
			t.Fatalf("right code on the last attempt: %v", err)
		}

		f.clk.Advance(portal.ResendAfter)
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		m = f.nextMail(t)
		for range portal.MaxCodeAttempts {
			f.portal.VerifyCode(ctx, "ana@example.com", wrong)
		}
		if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", m.Code); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("right code after %d wrong ones: %v", portal.MaxCodeAttempts, err)
		}
		if _, _, err := f.portal.MagicLink(ctx, m.Token); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("magic link of a dead code: %v", err)
		}
	})
}

func TestExpiredCodeRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		m := f.nextMail(t)
		f.clk.Advance(portal.CodeTTL)
		if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", m.Code); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("expired code: %v", err)
		}
		if _, _, err := f.portal.MagicLink(ctx, m.Token); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("expired magic link: %v", err)
		}
	})
}

func TestMagicLinkSignsInOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		m := f.nextMail(t)
		f.clk.Advance(portal.CodeTTL - time.Second)
		token, s, err := f.portal.MagicLink(ctx, m.Token)
		if err != nil || s.Identifier != "email:ana@example.com" || s.Limited() {
			t.Fatalf("magic link: %+v, %v", s, err)
		}
		if _, err := f.portal.Session(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.portal.MagicLink(ctx, m.Token); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("second use of a magic link: %v", err)
		}
		if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", m.Code); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("code after its magic link: %v", err)
		}
		forged := m.Token[:len(m.Token)-2] + "AA"
		if _, _, err := f.portal.MagicLink(ctx, forged); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("forged magic link: %v", err)
		}
	})
}

func TestUnknownIdentifierGetsTheSameAnswer(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if err := f.portal.StartSignIn(ctx, "nobody@example.com"); err != nil {
			t.Fatalf("unknown email: %v", err)
		}
		f.noMail(t) // after Flush the relay has accepted any code mail: it would be here
		if _, _, err := f.portal.VerifyCode(ctx, "nobody@example.com", "123456"); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("code for an unknown email: %v", err)
		}
		if err := f.portal.StartSignIn(ctx, "not an address@"); err == nil {
			t.Fatal("malformed identifier accepted")
		}
	})
}

func TestOneCodeAMinute(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		first := f.nextMail(t)
		f.clk.Advance(portal.ResendAfter - time.Second)
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		f.noMail(t)
		f.clk.Advance(time.Second)
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		second := f.nextMail(t)
		// Only the latest code is taken; the earlier mail's link still works.
		if first.Code != second.Code {
			if _, _, err := f.portal.VerifyCode(ctx, "ana@example.com", first.Code); !errors.Is(err, portal.ErrBadCode) {
				t.Fatalf("superseded code: %v", err)
			}
		}
		if _, _, err := f.portal.MagicLink(ctx, first.Token); err != nil {
			t.Fatalf("earlier magic link: %v", err)
		}
	})
}

func TestNoRelayIsSaidForEveryEmail(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, false), context.Background()
		for _, id := range []string{"ana@example.com", "nobody@example.com"} {
			if err := f.portal.StartSignIn(ctx, id); !errors.Is(err, portal.ErrCannotSend) {
				t.Fatalf("%s without a relay: %v", id, err)
			}
		}
	})
}

func TestSignOut(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		token, _ := f.signIn(t, "ana@example.com")
		if err := f.portal.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := f.portal.Session(ctx, token); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Fatalf("session after sign-out: %v", err)
		}
		if _, err := f.portal.Session(ctx, "made-up"); !errors.Is(err, portal.ErrUnauthenticated) {
			t.Fatalf("made-up token: %v", err)
		}
	})
}

// TestDailyCodeCap: an identifier gets at most MaxCodesPerDay codes in a
// day, whatever the spacing; the next day it gets codes again.
func TestDailyCodeCap(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		for range portal.MaxCodesPerDay {
			if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
				t.Fatal(err)
			}
			f.nextMail(t)
			f.clk.Advance(portal.ResendAfter)
		}
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatalf("over the cap the answer must stay the same: %v", err)
		}
		f.noMail(t)
		f.clk.Advance(24 * time.Hour)
		if err := f.portal.StartSignIn(ctx, "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		if m := f.nextMail(t); m.Code == "" {
			t.Fatal("no code the next day")
		}
	})
}
