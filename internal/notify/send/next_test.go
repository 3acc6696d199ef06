package send_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// delivery is a pending delivery on sms with email next.
func delivery(edit ...func(*notice.Delivery)) notice.Delivery {
	d := notice.Delivery{TenantID: "t1", ID: "d1", EventID: "e1", PersonaID: "p1", Type: "card.blocked", Category: prefs.Transactional,
		Channels: []string{"sms", "email"}, Attempt: 0, Channel: "sms", Status: notice.StatusSending, Language: "en"}
	for _, e := range edit {
		e(&d)
	}
	return d
}

var (
	onEmail = func(d *notice.Delivery) { d.Attempt, d.Channel = 1, "email" }
	sent    = func(d *notice.Delivery) { d.Status, d.ExternalID, d.DueAt = notice.StatusSent, "SM1", now }
	tried   = func(n int) func(*notice.Delivery) { return func(d *notice.Delivery) { d.Tries = n } }
	expires = func(at time.Time) func(*notice.Delivery) { return func(d *notice.Delivery) { d.ExpiresAt = at } }
)

var (
	typ       = notice.Type{Key: "card.blocked", Category: prefs.Transactional, Channels: []string{"sms", "email"}, ConfirmWithin: notice.Duration(15 * time.Minute)}
	noConfirm = notice.Type{Key: "card.blocked", Category: prefs.Transactional, Channels: []string{"sms", "email"}}
	settings  = notice.Settings{MaxAttempts: 3}
)

// want is an update as the tests state it: the fields that matter and the
// step it appends.
type want struct {
	status, channel string
	index, tries    int
	due             time.Time
	external        string
	step            notice.Step
}

func (w want) update(d notice.Delivery) store.DeliveryUpdate {
	u := store.DeliveryUpdate{TenantID: d.TenantID, ID: d.ID, Status: w.status, Channel: w.channel, ChannelIndex: w.index, Tries: w.tries,
		DueAt: w.due, ExternalID: w.external, At: now}
	if w.step != (notice.Step{}) {
		w.step.At = now
		u.Steps = []notice.Step{w.step}
	}
	return u
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       notice.Delivery
		typ     notice.Type
		refused map[string]string
		send    bool
		want    want
	}{
		{name: "nothing in the way", d: delivery(), typ: typ, send: true},
		{name: "refused on another channel only", d: delivery(), typ: typ, refused: map[string]string{"email": "unsubscribed"}, send: true},
		{name: "confirmation deadline passed: next channel with the reason", d: delivery(sent), typ: typ,
			want: want{status: "pending", channel: "email", index: 1, due: now,
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "not confirmed within 15m on sms; trying email"}}},
		{name: "confirmation deadline passed on the last channel: stays sent", d: delivery(sent, onEmail), typ: typ,
			want: want{status: "sent", channel: "email", index: 1, external: "SM1",
				step: notice.Step{Status: "sent", Channel: "email", Detail: "not confirmed within 15m on email; no other channel to try"}}},
		{name: "confirmation deadline passed after the notice expired", d: delivery(sent, expires(now)), typ: typ,
			want: want{status: "sent", channel: "sms", external: "SM1",
				step: notice.Step{Status: "sent", Channel: "sms", Detail: "not confirmed within 15m on sms; the notice expired, no other channel tried"}}},
		{name: "expired", d: delivery(expires(now.Add(-time.Second))), typ: typ,
			want: want{status: "expired", channel: "sms",
				step: notice.Step{Status: "expired", Channel: "sms", Detail: "the notice expired at 2026-11-26T08:59:59Z before it could be sent"}}},
		{name: "expiring later", d: delivery(expires(now.Add(time.Second))), typ: typ, send: true},
		{name: "consent withdrawn everywhere: cancelled", d: delivery(), typ: typ,
			refused: map[string]string{"sms": "unsubscribed from card.blocked", "email": "unsubscribed from card.blocked"},
			want: want{status: "cancelled", channel: "sms",
				step: notice.Step{Status: "cancelled", Channel: "sms", Detail: "consent withdrawn before the send: unsubscribed from card.blocked"}}},
		{name: "consent withdrawn on the channel: next channel", d: delivery(), typ: typ, refused: map[string]string{"sms": "STOP"},
			want: want{status: "pending", channel: "email", index: 1, due: now,
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "consent withdrawn on sms (STOP); trying email"}}},
		{name: "consent withdrawn on the last channel", d: delivery(onEmail), typ: typ, refused: map[string]string{"email": "no email"},
			want: want{status: "cancelled", channel: "email", index: 1,
				step: notice.Step{Status: "cancelled", Channel: "email", Detail: "consent withdrawn before the send: no email"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, decided := send.Check(tc.d, tc.typ, tc.refused, now)
			if decided == tc.send {
				t.Fatalf("decided %v, want %v: %+v", decided, !tc.send, got)
			}
			if tc.send {
				return
			}
			if w := tc.want.update(tc.d); !reflect.DeepEqual(got, w) {
				t.Errorf("update\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestNext(t *testing.T) {
	timeout := errors.New("dial tcp: i/o timeout")
	gone := fmt.Errorf("number not in service: %w", channel.ErrPermanent)
	for _, tc := range []struct {
		name string
		d    notice.Delivery
		typ  notice.Type
		set  notice.Settings
		o    send.Outcome
		want want
		// subject and body stored with the update
		subject, body string
	}{
		{name: "sent with a confirmation deadline", d: delivery(), typ: typ,
			o:       send.Outcome{Sent: channel.Sent{ExternalID: "SM9", Status: "sent"}, Subject: "Card blocked", Body: "Your card was blocked."},
			subject: "Card blocked", body: "Your card was blocked.",
			want: want{status: "sent", channel: "sms", tries: 1, due: now.Add(15 * time.Minute), external: "SM9",
				step: notice.Step{Status: "sent", Channel: "sms", Detail: "sent on sms; email next unless confirmed within 15m"}}},
		{name: "sent, type waits for failures only", d: delivery(), typ: noConfirm, o: send.Outcome{Sent: channel.Sent{ExternalID: "SM9"}},
			want: want{status: "sent", channel: "sms", tries: 1, external: "SM9", step: notice.Step{Status: "sent", Channel: "sms", Detail: "sent on sms"}}},
		{name: "sent on the last channel: nothing to confirm for", d: delivery(onEmail), typ: typ, o: send.Outcome{Sent: channel.Sent{ExternalID: "m1@x"}},
			want: want{status: "sent", channel: "email", index: 1, tries: 1, external: "m1@x", step: notice.Step{Status: "sent", Channel: "email", Detail: "sent on email"}}},
		{name: "taken over after the hand-over: sent, unconfirmed, confirmation as after a send", d: delivery(), typ: typ,
			o: send.Outcome{Unconfirmed: true, Sent: channel.Sent{Status: "sent"}},
			want: want{status: "sent", channel: "sms", tries: 1, due: now.Add(15 * time.Minute),
				step: notice.Step{Status: "sent", Channel: "sms", Detail: "sent on sms, unconfirmed: the node sending it stopped while handing it over, " +
					"and sms cannot tell whether it went; not sent again; email next unless confirmed within 15m"}}},
		{name: "delivered on handing over", d: delivery(), typ: typ, o: send.Outcome{Sent: channel.Sent{ExternalID: "a1", Status: "delivered"}},
			want: want{status: "delivered", channel: "sms", tries: 1, external: "a1", step: notice.Step{Status: "delivered", Channel: "sms", Detail: "delivered on sms"}}},
		{name: "retryable error: retry with backoff", d: delivery(), typ: typ, set: settings, o: send.Outcome{Err: timeout, Backoff: 30 * time.Second},
			want: want{status: "pending", channel: "sms", tries: 1, due: now.Add(30 * time.Second),
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "sms failed: dial tcp: i/o timeout (try 1 of 3); retrying in 30s"}}},
		{name: "retryable error, default max attempts", d: delivery(tried(1)), typ: typ, o: send.Outcome{Err: timeout, Backoff: time.Minute},
			want: want{status: "pending", channel: "sms", tries: 2, due: now.Add(time.Minute),
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "sms failed: dial tcp: i/o timeout (try 2 of 3); retrying in 1m"}}},
		{name: "retryable error, attempts used up: next channel", d: delivery(tried(2)), typ: typ, set: settings, o: send.Outcome{Err: timeout, Backoff: time.Minute},
			want: want{status: "pending", channel: "email", index: 1, due: now,
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "sms failed: dial tcp: i/o timeout (try 3 of 3); trying email"}}},
		{name: "one attempt allowed", d: delivery(), typ: typ, set: notice.Settings{MaxAttempts: 1}, o: send.Outcome{Err: timeout},
			want: want{status: "pending", channel: "email", index: 1, due: now,
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "sms failed: dial tcp: i/o timeout (try 1 of 1); trying email"}}},
		{name: "permanent error: next channel at once", d: delivery(), typ: typ, set: settings, o: send.Outcome{Err: gone, Backoff: time.Minute},
			want: want{status: "pending", channel: "email", index: 1, due: now,
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "sms failed: number not in service: permanent delivery failure; trying email"}}},
		{name: "last channel fails for good: failed", d: delivery(onEmail), typ: typ, set: settings, o: send.Outcome{Err: gone},
			want: want{status: "failed", channel: "email", index: 1, tries: 1,
				step: notice.Step{Status: "failed", Channel: "email", Detail: "email failed: number not in service: permanent delivery failure; no other channel to try"}}},
		{name: "last channel out of attempts: failed", d: delivery(onEmail, tried(2)), typ: typ, set: settings, o: send.Outcome{Err: timeout},
			want: want{status: "failed", channel: "email", index: 1, tries: 3,
				step: notice.Step{Status: "failed", Channel: "email", Detail: "email failed: dial tcp: i/o timeout (try 3 of 3); no other channel to try"}}},
		{name: "rate limited: held, no try counted", d: delivery(tried(1)), typ: typ, o: send.Outcome{Held: 1500 * time.Millisecond},
			want: want{status: "pending", channel: "sms", tries: 1, due: now.Add(1500 * time.Millisecond),
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "held: rate limit on sms until 2026-11-26T09:00:01.5Z"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := send.Next(tc.d, tc.o, tc.typ, tc.set, now)
			w := tc.want.update(tc.d)
			w.Subject, w.Body = tc.subject, tc.body
			if !reflect.DeepEqual(got, w) {
				t.Errorf("update\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestReceipted(t *testing.T) {
	delivered := func(d *notice.Delivery) { d.Status = notice.StatusDelivered }
	for _, tc := range []struct {
		name   string
		d      notice.Delivery
		status string
		change bool
		want   want
	}{
		{name: "delivered after sent", d: delivery(sent), status: "delivered", change: true,
			want: want{status: "delivered", channel: "sms", external: "SM1", step: notice.Step{Status: "delivered", Channel: "sms", Detail: "delivered on sms (provider receipt)"}}},
		{name: "read after delivered", d: delivery(sent, delivered), status: "read", change: true,
			want: want{status: "read", channel: "sms", external: "SM1", step: notice.Step{Status: "read", Channel: "sms", Detail: "read on sms (provider receipt)"}}},
		{name: "delivered after read: never back", d: delivery(sent, func(d *notice.Delivery) { d.Status = notice.StatusRead }), status: "delivered"},
		{name: "delivered twice", d: delivery(sent, delivered), status: "delivered"},
		{name: "failed after sent: next channel", d: delivery(sent), status: "failed", change: true,
			want: want{status: "pending", channel: "email", index: 1, due: now,
				step: notice.Step{Status: "pending", Channel: "sms", Detail: "sms failed: the provider reported the message undelivered: permanent delivery failure; trying email"}}},
		{name: "undelivered on the last channel: failed", d: delivery(sent, onEmail), status: "undelivered", change: true,
			want: want{status: "failed", channel: "email", index: 1, tries: 1, external: "SM1",
				step: notice.Step{Status: "failed", Channel: "email", Detail: "email failed: the provider reported the message undelivered: permanent delivery failure; no other channel to try"}}},
		{name: "failed after delivered: ignored", d: delivery(sent, delivered), status: "failed"},
		{name: "unknown status", d: delivery(sent), status: "queued"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := send.Receipted(tc.d, tc.status, typ, settings, now)
			if changed != tc.change {
				t.Fatalf("changed %v, want %v: %+v", changed, tc.change, got)
			}
			if changed && !reflect.DeepEqual(got, tc.want.update(tc.d)) {
				t.Errorf("update\n got %+v\nwant %+v", got, tc.want.update(tc.d))
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	for try, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 40: time.Hour} {
		if got := send.DefaultBackoff(try); got != want {
			t.Errorf("try %d: %s, want %s", try, got, want)
		}
	}
}
