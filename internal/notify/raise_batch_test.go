package notify_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestRaiseRefuses checks that a bad event is refused with an error saying
// what is wrong, and that nothing of it is written.
func TestRaiseRefuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com"})
		e.putType(t, typ("shipped", prefs.Transactional, "email"))
		data := map[string]any{"what": "your order"}
		for _, tc := range []struct {
			name  string
			in    notify.RaiseInput
			is    error  // errors.Is
			field string // or a field error on
			msg   string // in the error
		}{
			{name: "unknown type", in: notify.RaiseInput{Type: "nope", To: &notice.Target{PersonaID: id}, Data: data},
				is: notify.ErrUnknownType, msg: `no notification type "nope"`},
			{name: "unknown persona by email", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{Email: "bob@example.com"}, Data: data},
				is: notify.ErrUnknownPersona, msg: "no persona with email bob@example.com"},
			{name: "unknown persona by id", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: "0190b2a4-0000-7000-8000-000000000000"}, Data: data},
				is: notify.ErrUnknownPersona, msg: "no persona with id"},
			{name: "malformed phone", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{Phone: "912 000"}, Data: data},
				field: "to", msg: "country code"},
			{name: "two targets in one", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id, Email: "ana@example.com"}, Data: data},
				field: "to", msg: "exactly one"},
			{name: "to and all", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, All: true, Data: data},
				field: "to"},
			{name: "expired", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: data, ExpiresAt: start.Add(-time.Minute)},
				field: "expires_at", msg: "expired at 2026-11-23T11:59:00Z"},
			{name: "expires now", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: data, ExpiresAt: start},
				field: "expires_at"},
			{name: "send after expiry", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: data,
				SendAt: start.Add(2 * time.Hour), ExpiresAt: start.Add(time.Hour)}, field: "send_at"},
			{name: "data the templates lack", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: map[string]any{"amount": 3}},
				field: "data", msg: `en/email subject: line 1: {{.what}} has no value: the event's data has no "what"`},
			{name: "a recipient's data", in: notify.RaiseInput{Type: "shipped", Recipients: []notify.Recipient{
				{To: notice.Target{PersonaID: id}, Data: map[string]any{"x": 1}},
				{To: notice.Target{PersonaID: id}, Data: map[string]any{"what": nil}},
			}}, field: "recipients[0].data", msg: `"what"`},
			{name: "reserved data key", in: notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": 1, "_recipients": 1}},
				field: "data"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.in.IdempotencyKey = "refused-" + tc.name
				_, err := e.svc.Raise(ctx, e.tenant, tc.in)
				switch {
				case err == nil:
					t.Fatal("raised")
				case tc.is != nil && !errors.Is(err, tc.is):
					t.Errorf("error %v, want %v", err, tc.is)
				case tc.field != "" && fieldError(err) != tc.field:
					t.Errorf("error %v, want a field error on %s", err, tc.field)
				case !strings.Contains(err.Error(), tc.msg):
					t.Errorf("error %q does not say %q", err, tc.msg)
				}
				if _, err := db.NotifyEventByKey(ctx, e.tenant, tc.in.IdempotencyKey); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("event stored: %v", err)
				}
				if ds := e.deliveries(t, store.DeliveryFilter{}); len(ds) != 0 {
					t.Errorf("%d deliveries stored", len(ds))
				}
			})
		}
		if !errors.Is(notify.ErrUnknownType, store.ErrNotFound) {
			t.Error("ErrUnknownType is not a not-found")
		}
	})
}

// TestRaiseBatch raises to a batch with recipients of every kind, one that
// matches nobody and one that repeats a persona: each gets its result, in
// order, and none is dropped.
func TestRaiseBatch(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		ana := e.persona(t, who{name: "Ana", email: "ana@example.com"})
		bea := e.persona(t, who{name: "Bea", phone: "+351912000002"})
		cat := e.persona(t, who{name: "Cat", email: "cat@example.com", external: "C-7"})
		dan := e.persona(t, who{name: "Dan"}) // no address at all
		e.putType(t, typ("shipped", prefs.Transactional, "email", "sms"))
		raised, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", Data: map[string]any{"what": "orders"},
			IdempotencyKey: "batch-1", Recipients: []notify.Recipient{
				{To: notice.Target{Email: " ANA@Example.com "}},
				{To: notice.Target{Phone: "+351 912 000 002"}, Data: map[string]any{"what": "your parcel"}},
				{To: notice.Target{Email: "nobody@example.com"}},
				{To: notice.Target{ExternalID: "C-7"}},
				{To: notice.Target{PersonaID: ana}},
				{To: notice.Target{PersonaID: dan}},
			}})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			persona, status, err string
			channels             []string
		}{
			{ana, "pending", "", []string{"email"}},
			{bea, "pending", "", []string{"sms"}},
			{"", "rejected", "no persona with email nobody@example.com", nil},
			{cat, "pending", "", []string{"email"}},
			{"", "rejected", "same persona as recipient 0", nil},
			{dan, "suppressed", "", nil},
		}
		if len(raised.Results) != len(want) {
			t.Fatalf("%d results", len(raised.Results))
		}
		for i, w := range want {
			r := raised.Results[i]
			if r.Index != i || r.PersonaID != w.persona || r.Status != w.status || r.Error != w.err || !reflect.DeepEqual(r.Channels, w.channels) {
				t.Errorf("result %d: %+v, want %+v", i, r, w)
			}
		}
		if c := raised.Counts; c["pending"] != 3 || c["rejected"] != 2 || c["suppressed"] != 1 || raised.Event.Recipients != 6 {
			t.Errorf("counts %v, recipients %d", c, raised.Event.Recipients)
		}
		if ds := e.deliveries(t, store.DeliveryFilter{EventID: raised.Event.ID}); len(ds) != 4 {
			t.Errorf("%d deliveries, want 4", len(ds))
		}
		if _, ok := raised.Event.Data["_recipients"]; ok {
			t.Errorf("event shows the recipients' data: %v", raised.Event.Data)
		}

		// The recipient's own data is what its notice is written from.
		v, err := e.svc.Delivery(ctx, e.tenant, raised.Results[1].DeliveryID)
		if err != nil {
			t.Fatal(err)
		}
		if v.EventData["what"] != "your parcel" || v.Body != "your parcel, in full." {
			t.Errorf("bea's notice: data %v body %q", v.EventData, v.Body)
		}
		v, err = e.svc.Delivery(ctx, e.tenant, raised.Results[0].DeliveryID)
		if err != nil {
			t.Fatal(err)
		}
		if v.EventData["what"] != "orders" || v.Subject != "About orders" {
			t.Errorf("ana's notice: data %v subject %q", v.EventData, v.Subject)
		}

		// The same key again: the first answer, nothing written.
		again, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", Data: map[string]any{"what": "orders"},
			IdempotencyKey: "batch-1", Recipients: []notify.Recipient{
				{To: notice.Target{Email: "ana@example.com"}},
				{To: notice.Target{Phone: "+351912000002"}, Data: map[string]any{"what": "your parcel"}},
				{To: notice.Target{Email: "nobody@example.com"}},
				{To: notice.Target{ExternalID: "C-7"}},
				{To: notice.Target{PersonaID: ana}},
				{To: notice.Target{PersonaID: dan}},
			}})
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || again.Event.ID != raised.Event.ID || !reflect.DeepEqual(again.Counts, raised.Counts) {
			t.Errorf("repeat: duplicate %v event %s counts %v", again.Duplicate, again.Event.ID, again.Counts)
		}
		for i := range raised.Results {
			a, b := raised.Results[i], again.Results[i]
			if a.DeliveryID != b.DeliveryID || a.Status != b.Status || a.Error != b.Error || !a.SendAt.Equal(b.SendAt) {
				t.Errorf("repeat result %d: %+v, first %+v", i, b, a)
			}
		}
		if ds := e.deliveries(t, store.DeliveryFilter{}); len(ds) != 4 {
			t.Errorf("%d deliveries after the repeat, want 4", len(ds))
		}
	})
}

// TestRaiseAll raises to every persona of the tenant across several pages.
func TestRaiseAll(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		other := newEnv(t, db, notify.Deps{})
		other.persona(t, who{name: "Not ours", email: "x@example.com"})
		e.putType(t, typ("outage", prefs.Critical, "email", "sms"))
		const n = 2*2000 + 17 // three pages
		var withSMS int
		ws := make([]who, n)
		for i := range ws {
			ws[i].name = "P"
			switch i % 3 {
			case 0:
				ws[i].email = fmt.Sprintf("p%d@example.com", i)
			case 1:
				ws[i].phone = "+3519" + pad(i)
				withSMS++
			}
		}
		e.personas(t, ws)
		raised, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "outage", All: true, Data: map[string]any{"what": "an outage"}, IdempotencyKey: "all-1"})
		if err != nil {
			t.Fatal(err)
		}
		suppressed := n / 3 // no address
		if c := raised.Counts; c["pending"] != n-suppressed || c["suppressed"] != suppressed || raised.Event.Recipients != n || raised.Results != nil {
			t.Errorf("counts %v recipients %d", c, raised.Event.Recipients)
		}
		ds := e.deliveries(t, store.DeliveryFilter{EventID: raised.Event.ID})
		sms := 0
		for _, d := range ds {
			if d.Channel == "sms" {
				sms++
			}
		}
		if len(ds) != n || sms != withSMS {
			t.Errorf("%d deliveries, %d by sms; want %d, %d", len(ds), sms, n, withSMS)
		}
		if ds := other.deliveries(t, store.DeliveryFilter{}); len(ds) != 0 {
			t.Errorf("another tenant's persona got %d deliveries", len(ds))
		}
		again, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "outage", All: true, Data: map[string]any{"what": "an outage"}, IdempotencyKey: "all-1"})
		if err != nil || !again.Duplicate || again.Event.ID != raised.Event.ID || again.Event.Recipients != n {
			t.Errorf("repeat: %+v %v", again.Event, err)
		}
		if ds := e.deliveries(t, store.DeliveryFilter{}); len(ds) != n {
			t.Errorf("%d deliveries after the repeat", len(ds))
		}
	})
}

// pad writes i in eight digits, for phone numbers.
func pad(i int) string { return fmt.Sprintf("%08d", i) }
