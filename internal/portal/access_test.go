package portal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestBusinessesAcrossTenants(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		_, s := f.signIn(t, "ana@example.com")
		got, err := f.portal.Businesses(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		want := []portal.Business{ // by name
			{TenantID: f.bank.ID, TenantName: "Acme Bank", PersonaID: f.anaBank.ID, PersonaName: "Ana Silva"},
			{TenantID: f.shop.ID, TenantName: "Corner Shop", PersonaID: f.anaShop.ID, PersonaName: "Ana"},
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("businesses\n got %+v\nwant %+v", got, want)
		}

		_, bob := f.signIn(t, "bob@example.com")
		if got, err := f.portal.Businesses(ctx, bob); err != nil || len(got) != 1 || got[0].PersonaID != f.bob.ID {
			t.Fatalf("bob's businesses: %+v, %v", got, err)
		}
		// Bob is nobody at the shop: it answers as not found.
		if _, err := f.portal.Preferences(ctx, bob, f.shop.ID); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("bob at the shop: %v", err)
		}
		if _, err := f.portal.Contact(ctx, bob, f.shop.ID, "hello", ""); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("bob writing to the shop: %v", err)
		}
		if _, err := f.portal.Conversations(ctx, bob, "no-such-tenant", store.Page{}); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("unknown tenant: %v", err)
		}
	})
}

func TestLimitedSessionSeesOnlyItsPersona(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		token, s, err := f.portal.OpenLink(ctx, tokenOf(t, f.links.Preferences(f.shop.ID, f.anaShop.ID)))
		if err != nil {
			t.Fatal(err)
		}
		if !s.Limited() || s.TenantID != f.shop.ID || s.PersonaID != f.anaShop.ID || s.Identifier != "email:ana@example.com" ||
			!s.ExpiresAt.Equal(f.clk.Now().Add(portal.LinkSessionTTL)) {
			t.Fatalf("limited session %+v", s)
		}
		if got, err := f.portal.Session(ctx, token); err != nil || got != s {
			t.Fatalf("Session(token) = %+v, %v", got, err)
		}
		got, err := f.portal.Businesses(ctx, s)
		if err != nil || len(got) != 1 || got[0].TenantID != f.shop.ID || got[0].PersonaID != f.anaShop.ID {
			t.Fatalf("businesses of a limited session: %+v, %v", got, err)
		}
		// Ana is a customer of the bank too, but this link was for the shop.
		if _, err := f.portal.Preferences(ctx, s, f.bank.ID); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("limited session at the other tenant: %v", err)
		}
		if _, err := f.portal.Contact(ctx, s, f.bank.ID, "hello", ""); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("limited session writing to the other tenant: %v", err)
		}
		if _, err := f.portal.Notices(ctx, s, f.bank.ID, store.Page{}); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("limited session reading the other tenant's notices: %v", err)
		}

		if _, _, err := f.portal.OpenLink(ctx, "not.a.token"); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("bad preference link: %v", err)
		}
		read := tokenOf(t, f.links.Read(f.shop.ID, "some-delivery"))
		if _, _, err := f.portal.OpenLink(ctx, read); !errors.Is(err, portal.ErrBadCode) {
			t.Fatalf("a read link is not a preference link: %v", err)
		}
	})
}

func TestContactLandsInTheRightTenant(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		_, s := f.signIn(t, "ana@example.com")
		convID, err := f.portal.Contact(ctx, s, f.bank.ID, "My card was swallowed by the ATM", "")
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.Conversation(ctx, f.bank.ID, convID)
		if err != nil {
			t.Fatal(err)
		}
		if c.PersonaID != f.anaBank.ID || c.Channel != portal.Name {
			t.Fatalf("conversation %+v: want Ana's at the bank on the portal", c)
		}
		if _, err := db.Conversation(ctx, f.shop.ID, convID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the conversation is visible at the shop: %v", err)
		}
		// A suspended business, or one being deleted, takes no message.
		if err := db.Suspend(ctx, f.bank.ID, tenant.Suspension{Reason: "unpaid", By: "op", Since: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var unavailable *tenant.UnavailableError
		if _, err := f.portal.Contact(ctx, s, f.bank.ID, "Anyone there?", ""); !errors.As(err, &unavailable) || unavailable.Exposure.Status() != 404 {
			t.Fatalf("contact a suspended business: %v", err)
		}
		if _, err := db.Resume(ctx, f.bank.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RequestTenantDeletion(ctx, store.TenantDeletion{TenantID: f.bank.ID, RequestedBy: "admin", RequestedAt: time.Now(), DueAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.portal.Contact(ctx, s, f.bank.ID, "Anyone there?", ""); !errors.As(err, &unavailable) || unavailable.Exposure.Status() != 410 {
			t.Fatalf("contact a business being deleted: %v", err)
		}
		if err := db.CancelTenantDeletion(ctx, f.bank.ID); err != nil {
			t.Fatal(err)
		}
		list, err := f.portal.Conversations(ctx, s, f.bank.ID, store.Page{})
		if err != nil || len(list) != 1 || list[0].ID != convID {
			t.Fatalf("conversations: %+v, %v", list, err)
		}
		if list, err := f.portal.Conversations(ctx, s, f.shop.ID, store.Page{}); err != nil || len(list) != 0 {
			t.Fatalf("shop conversations: %+v, %v", list, err)
		}
		// The conversation is the bank's: asking for it at the shop, or as Bob, finds nothing.
		if _, err := f.portal.Messages(ctx, s, f.shop.ID, convID); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("messages through the wrong tenant: %v", err)
		}
		_, bob := f.signIn(t, "bob@example.com")
		if _, err := f.portal.Messages(ctx, bob, f.bank.ID, convID); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("bob reading ana's conversation: %v", err)
		}
	})
}

func TestMessagesHideNotesAndSystemItems(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		_, s := f.signIn(t, "ana@example.com")
		convID, err := f.portal.Contact(ctx, s, f.bank.ID, "Where is my new card?", "")
		if err != nil {
			t.Fatal(err)
		}
		agent := inbox.Actor{TenantID: f.bank.ID}
		if _, err := f.core.Inbox.Note(ctx, agent, convID, "customer flagged for fraud review"); err != nil {
			t.Fatal(err)
		}
		reply, err := f.core.Inbox.Reply(ctx, agent, convID, inbox.ReplyInput{Body: "It left our office yesterday."})
		if err != nil {
			t.Fatal(err)
		}
		if reply.Channel != portal.Name {
			t.Fatalf("reply on %q, want the portal", reply.Channel)
		}
		<-f.core.Finished // the reply's delivery job, through the portal channel
		m, err := db.Message(ctx, f.bank.ID, reply.ID)
		if err != nil || m.Status != "delivered" {
			t.Fatalf("reply after delivery: %q, %v", m.Status, err)
		}

		got, err := f.portal.Messages(ctx, s, f.bank.ID, convID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Body != "Where is my new card?" || got[0].Direction != "in" ||
			got[1].Body != "It left our office yesterday." || got[1].Direction != "out" {
			t.Fatalf("messages %+v", got)
		}
		// The timeline the agents see has the note too.
		all, err := f.core.Inbox.Timeline(ctx, f.bank.ID, convID, store.Page{})
		if err != nil || len(all) <= len(got) {
			t.Fatalf("agents' timeline has %d items (%v), the customer's %d", len(all), err, len(got))
		}
	})
}

func TestPreferencesAreTheCustomersWord(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		_, s := f.signIn(t, "ana@example.com")
		v, err := f.portal.SetPreferences(ctx, s, f.bank.ID, prefs.Preferences{Channels: map[string]bool{"sms": false}})
		if err != nil {
			t.Fatal(err)
		}
		if v.PersonaID != f.anaBank.ID || v.Own.Channels["sms"] {
			t.Fatalf("view %+v", v)
		}
		recs, err := f.notify.Consent(ctx, f.bank.ID, f.anaBank.ID)
		if err != nil || len(recs) != 1 {
			t.Fatalf("consent records %+v, %v", recs, err)
		}
		if r := recs[0]; r.Scope != "channel:sms" || r.Granted || r.Source != consent.SourceCustomer || r.Actor != "customer:email:ana@example.com" {
			t.Fatalf("consent record %+v", r)
		}
		// The shop's persona is untouched.
		if v, err := f.portal.Preferences(ctx, s, f.shop.ID); err != nil || v.PersonaID != f.anaShop.ID || len(v.Own.Channels) != 0 {
			t.Fatalf("shop preferences %+v, %v", v, err)
		}
	})
}

func TestSubscribePush(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		_, s := f.signIn(t, "ana@example.com")
		sub := store.PushSubscription{Endpoint: "https://push.example/send/abc", P256dh: "BPk", Auth: "c2VjcmV0", UserAgent: "Firefox",
			PersonaID: f.bob.ID} // a persona id from the client is ignored
		if err := f.portal.SubscribePush(ctx, s, f.bank.ID, sub); err != nil {
			t.Fatal(err)
		}
		got, err := db.PushSubscriptions(ctx, f.bank.ID, f.anaBank.ID)
		if err != nil || len(got) != 1 || got[0].Endpoint != sub.Endpoint {
			t.Fatalf("ana's subscriptions %+v, %v", got, err)
		}
		if got, _ := db.PushSubscriptions(ctx, f.bank.ID, f.bob.ID); len(got) != 0 {
			t.Fatalf("bob got a subscription: %+v", got)
		}
		for _, bad := range []store.PushSubscription{
			{Endpoint: "http://push.example/x", P256dh: "a", Auth: "b"},
			{Endpoint: "https://push.example/x", Auth: "b"},
		} {
			var fe *tenant.FieldError
			if err := f.portal.SubscribePush(ctx, s, f.bank.ID, bad); !errors.As(err, &fe) {
				t.Fatalf("bad subscription %+v: %v", bad, err)
			}
		}
	})
}

func TestPortalChannelDeliversToWhoeverCanSignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		if c := f.portal.Capabilities(); c.Identifier != "" || c.Realtime {
			t.Fatalf("capabilities %+v", c)
		}
		sent, err := f.portal.Send(ctx, channel.Outbound{TenantID: f.bank.ID, MessageID: "m1", To: f.anaBank.ID, Body: "hi"})
		if err != nil || sent.Status != "delivered" {
			t.Fatalf("send to ana: %+v, %v", sent, err)
		}
		visitor := persona.Persona{ID: ids.New(), TenantID: f.bank.ID, Identifiers: []persona.Identifier{{Kind: persona.KindWidget, Value: "v-1"}},
			Attributes: map[string]string{}, CreatedAt: f.clk.Now(), UpdatedAt: f.clk.Now()}
		if err := db.CreatePersona(ctx, visitor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.portal.Send(ctx, channel.Outbound{TenantID: f.bank.ID, MessageID: "m2", To: visitor.ID, Body: "hi"}); !errors.Is(err, channel.ErrPermanent) {
			t.Fatalf("send to a chat visitor with no email or phone: %v", err)
		}
	})
}
