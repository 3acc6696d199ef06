package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// sendNotice raises a card.shipped notice for the persona and records it
// sent by email, as the sender would, and returns the delivery id.
func (f *fixture) sendNotice(t *testing.T, tenantID, personaID string) string {
	t.Helper()
	ctx := context.Background()
	typ := notice.Type{Key: "card.shipped", Name: "Card shipped", Category: prefs.Transactional, Channels: []string{"email"},
		ReplyExpected: true, SendTime: notice.SendNow, DefaultLanguage: "en",
		Templates: map[string]map[string]notice.Template{"en": {"email": {Subject: "Your card is on its way", Body: "Hello {{.name}}, your card ships today."}}}}
	if _, err := f.notify.PutType(ctx, tenantID, typ); err != nil {
		t.Fatal(err)
	}
	r, err := f.notify.Raise(ctx, tenantID, notify.RaiseInput{Type: typ.Key, To: &notice.Target{PersonaID: personaID}, Data: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 1 || r.Results[0].DeliveryID == "" {
		t.Fatalf("raised %+v", r)
	}
	id := r.Results[0].DeliveryID
	err = f.db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: tenantID, ID: id, Status: notice.StatusSent, Channel: "email",
		Subject: "Your card is on its way", Body: "Hello, your card ships today.", At: f.clk.Now(),
		Steps: []notice.Step{{At: f.clk.Now(), Status: notice.StatusSent, Channel: "email"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestNoticesAreReadThroughThePortal(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		deliveryID := f.sendNotice(t, f.bank.ID, f.anaBank.ID)
		bobs := f.sendNotice(t, f.bank.ID, f.bob.ID)
		_, s := f.signIn(t, "ana@example.com")

		unread := func() map[string]int {
			t.Helper()
			bs, err := f.portal.Businesses(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, b := range bs {
				out[b.TenantID] = b.Unread
			}
			return out
		}
		if u := unread(); u[f.bank.ID] != 1 || u[f.shop.ID] != 0 {
			t.Fatalf("unread before reading: %v", u)
		}
		list, err := f.portal.Notices(ctx, s, f.bank.ID, store.Page{})
		if err != nil || len(list) != 1 || list[0].ID != deliveryID {
			t.Fatalf("notices: %+v, %v", list, err)
		}
		if _, err := f.portal.Notice(ctx, s, f.bank.ID, bobs); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("reading bob's notice: %v", err)
		}
		if _, err := f.portal.Notice(ctx, s, f.shop.ID, deliveryID); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("reading the bank's notice through the shop: %v", err)
		}
		v, err := f.portal.Notice(ctx, s, f.bank.ID, deliveryID)
		if err != nil || v.Status != notice.StatusRead {
			t.Fatalf("opened notice: %+v, %v", v.Delivery, err)
		}
		if u := unread(); u[f.bank.ID] != 0 {
			t.Fatalf("unread after reading: %v", u)
		}
	})
}

func TestContactAnswersANotice(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		f.core.Inbox.OnInbound(f.notify.InboundHook)
		deliveryID := f.sendNotice(t, f.bank.ID, f.anaBank.ID)
		bobs := f.sendNotice(t, f.bank.ID, f.bob.ID)
		_, s := f.signIn(t, "ana@example.com")

		if _, err := f.portal.Contact(ctx, s, f.bank.ID, "That was not me", bobs); !errors.Is(err, portal.ErrNoAccess) {
			t.Fatalf("answering bob's notice: %v", err)
		}
		convID, err := f.portal.Contact(ctx, s, f.bank.ID, "I did not order a card", deliveryID)
		if err != nil {
			t.Fatal(err)
		}
		timeline, err := f.core.Inbox.Timeline(ctx, f.bank.ID, convID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var meta map[string]any
		if len(timeline) == 0 || json.Unmarshal(timeline[0].Meta, &meta) != nil || meta["notification_delivery_id"] != deliveryID {
			t.Fatalf("first item %+v: want the notice's delivery id in its meta", timeline)
		}
		d, err := db.Delivery(ctx, f.bank.ID, deliveryID)
		if err != nil || d.Status != notice.StatusReplied || d.ConversationID != convID {
			t.Fatalf("delivery after the answer: %+v, %v", d, err)
		}
		// The agents see the notice the answer was for; the customer sees only
		// what was said.
		if _, err := f.core.Inbox.Note(ctx, inbox.Actor{TenantID: f.bank.ID}, convID, "checking with cards team"); err != nil {
			t.Fatal(err)
		}
		got, err := f.portal.Messages(ctx, s, f.bank.ID, convID)
		if err != nil || len(got) != 1 || got[0].Body != "I did not order a card" {
			t.Fatalf("customer's messages %+v, %v (timeline has %d items)", got, err, len(timeline))
		}
	})
}
