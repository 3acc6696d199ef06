package portal_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

var smsCodeRE = regexp.MustCompile(`^(\d{6}) is your sign-in code`)

func TestSignInByPhone(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		tw := twiliotest.New(t, map[string]string{"ACshop": "token-of-shop"})
		ch, err := sms.New(sms.Deps{DB: db, Inbox: f.core.Inbox, Clock: f.clk, Log: f.core.Log, HTTP: tw.Client()},
			sms.Config{TwilioAPIBase: tw.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.core.Channels.Register(ch); err != nil {
			t.Fatal(err)
		}
		// Only the shop knows Ana's phone; the bank has a number too, but not her.
		for _, a := range []channel.Account{
			{ID: ids.New(), TenantID: f.shop.ID, Channel: "sms", Address: "+15005550006"},
			{ID: ids.New(), TenantID: f.bank.ID, Channel: "sms", Address: "+15005550007"},
		} {
			a.Settings = map[string]string{sms.SettingProvider: "twilio", sms.SettingAccountSID: "ACshop", sms.SettingAuthToken: "token-of-shop"}
			if err := db.CreateChannelAccount(ctx, a, f.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}

		if err := f.portal.StartSignIn(ctx, "+49 (151) 1234-5678"); err != nil {
			t.Fatal(err)
		}
		if err := f.portal.StartSignIn(ctx, "+49 151 0000 0000"); err != nil { // nobody's: same answer, no text
			t.Fatal(err)
		}
		f.portal.Flush()
		sent := tw.Texts()
		if len(sent) != 1 || sent[0].Get("To") != "+4915112345678" || sent[0].Get("From") != "+15005550006" {
			t.Fatalf("texts sent: %v", sent)
		}
		m := smsCodeRE.FindStringSubmatch(sent[0].Get("Body"))
		if m == nil {
			t.Fatalf("no code in %q", sent[0].Get("Body"))
		}
		_, s, err := f.portal.VerifyCode(ctx, "+4915112345678", m[1])
		if err != nil {
			t.Fatal(err)
		}
		if s.Identifier != "phone:+4915112345678" {
			t.Fatalf("session %+v", s)
		}
		got, err := f.portal.Businesses(ctx, s)
		if err != nil || len(got) != 1 || got[0].PersonaID != f.anaShop.ID {
			t.Fatalf("businesses by phone: %+v, %v", got, err)
		}
		convID, err := f.portal.Contact(ctx, s, f.shop.ID, "Is my order ready?", "")
		if err != nil {
			t.Fatal(err)
		}
		if c, err := db.Conversation(ctx, f.shop.ID, convID); err != nil || c.PersonaID != f.anaShop.ID {
			t.Fatalf("conversation %+v, %v", c, err)
		}
	})
}
