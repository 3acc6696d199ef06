package send_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// The sender, receipts and reads write the events the reports fold (ADR
// 0051's amendment): each status a notice reaches, with its type and
// channel, and a read with the customer's own local hour and segment.
func TestNoticeEventsForReports(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		typ := shipped
		typ.ConfirmWithin = notice.Duration(15 * time.Minute)
		f.setType(t, typ)
		ctx := context.Background()
		// Ana lives in New York (09:00 UTC is her 04:00) and is a retail customer.
		ana := persona.Persona{ID: ids.New(), TenantID: f.tenant, Name: "Ana", TimeZone: "America/New_York",
			Attributes: map[string]string{"segment": "retail"}, CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now(),
			Identifiers: []persona.Identifier{{Kind: persona.KindEmail, Value: "ana@example.com"}, {Kind: persona.KindPhone, Value: "+15005550010"}}}
		if err := f.db.CreatePersona(ctx, ana); err != nil {
			t.Fatal(err)
		}
		bo := f.persona(t, "Bo", "bo@example.com", "+15005550011")
		sent := f.raise(t, typ, order, []string{"sms", "email"}, ana.ID, bo)
		f.once(t)
		// Ana's text is delivered and read; Bo's is not confirmed and goes by email.
		d := f.wantStatus(t, sent[0], notice.StatusSent, "sms")
		for _, r := range []string{send.ReceiptDelivered, send.ReceiptRead, send.ReceiptRead} {
			if err := f.sender.Receipt(ctx, f.tenant, "sms", d.ExternalID, r); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(15 * time.Minute)
		f.once(t)
		f.once(t)
		f.wantStatus(t, sent[1], notice.StatusSent, "email")

		evs, err := f.db.EventsSince(ctx, f.tenant, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var statuses []string
		var responded []notify.Responded
		for _, ev := range evs {
			switch ev.Type {
			case event.NoticeStatus:
				var s struct {
					DeliveryID            string `json:"delivery_id"`
					Type, Channel, Status string
				}
				if err := json.Unmarshal(ev.Data, &s); err != nil {
					t.Fatal(err)
				}
				if s.Type != typ.Key {
					t.Errorf("status event of type %q", s.Type)
				}
				who := "ana"
				if s.DeliveryID == sent[1] {
					who = "bo"
				}
				statuses = append(statuses, who+" "+s.Status+" "+s.Channel)
			case event.NoticeResponded:
				var r notify.Responded
				if err := json.Unmarshal(ev.Data, &r); err != nil {
					t.Fatal(err)
				}
				responded = append(responded, r)
			}
		}
		slices.Sort(statuses)
		want := []string{"ana delivered sms", "ana read sms", "ana sent sms", "bo sent email", "bo sent sms"}
		if !slices.Equal(statuses, want) {
			t.Errorf("status events %q, want %q", statuses, want)
		}
		if len(responded) != 1 || responded[0] != (notify.Responded{DeliveryID: sent[0], Type: typ.Key, Channel: "sms", How: "read",
			Segment: "retail", LocalHour: 4}) {
			t.Errorf("responded events %+v, want Ana's read at her 04:00", responded)
		}
	})
}
