package email_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestSendExtraHeaders sends a notification with its one-click unsubscribe
// headers (RFC 2369, RFC 8058) through a real SMTP relay and reads them back
// from what the relay received; headers that could inject others are refused
// before anything is sent.
func TestSendExtraHeaders(t *testing.T) {
	relay := startStrictRelay(t)
	f := newFixture(t, storetest.OpenSQLite)
	ch, err := email.New(email.Deps{DB: f.db, Inbox: f.svc, Clock: clock.System{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		email.Config{Hostname: hostname, Relay: relay.addr, RelayUser: "relay-user", RelayPassword: "s3cret-relay-pass", RootCAs: relay.roots})
	if err != nil {
		t.Fatal(err)
	}
	unsub := "<https://center.example/u/eyJ0ZW5hbnQiOiJhY21lIiwicGVyc29uYSI6IjAxSlBFUlNPTiIsInNjb3BlIjoidHlwZTpwYXltZW50LWR1ZSJ9.c2lnbmF0dXJl>"
	out := func(h map[string]string) channel.Outbound {
		return channel.Outbound{TenantID: "t", MessageID: "01JDELIVERY.0", To: "zoe@example.com", Subject: "Payment due",
			Body: "Your payment of 40 EUR is due on Friday.", Account: channel.Account{Address: "notices@northwind.example", Name: "Northwind"},
			Headers: h}
	}
	ctx := context.Background()

	if _, err := ch.Send(ctx, out(map[string]string{
		"List-Unsubscribe":      unsub,
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Notification-Type":   "Zahlung fällig",
	})); err != nil {
		t.Fatal(err)
	}
	relay.mu.Lock()
	got := append([]relayed(nil), relay.got...)
	relay.mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("relay got %d messages", len(got))
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if v := msg.Header.Get("List-Unsubscribe"); v != unsub {
		t.Errorf("List-Unsubscribe %q, want %q", v, unsub)
	}
	if v := msg.Header.Get("List-Unsubscribe-Post"); v != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", v)
	}
	if v, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("X-Notification-Type")); v != "Zahlung fällig" {
		t.Errorf("X-Notification-Type %q", v)
	}
	if v := msg.Header.Get("From"); !strings.Contains(v, "notices@northwind.example") {
		t.Errorf("From %q", v)
	}

	for _, tc := range []struct {
		name string
		h    map[string]string
	}{
		{"CR LF in a value", map[string]string{"List-Unsubscribe": unsub + "\r\nBcc: all@example.com"}},
		{"bare LF in a value", map[string]string{"List-Unsubscribe": unsub + "\nBcc: all@example.com"}},
		{"bare CR in a value", map[string]string{"List-Unsubscribe-Post": "List-Unsubscribe=One-Click\rBcc: all@example.com"}},
		{"NUL in a value", map[string]string{"List-Unsubscribe": unsub + "\x00"}},
		{"a header Compose writes", map[string]string{"Bcc": "all@example.com"}},
		{"the sender, in another case", map[string]string{"from": "ceo@example.com"}},
		{"a colon in the name", map[string]string{"Bcc: all@example.com\r\nX": "1"}},
		{"a space in the name", map[string]string{"List Unsubscribe": unsub}},
		{"an empty name", map[string]string{"": "x"}},
	} {
		_, err := ch.Send(ctx, out(tc.h))
		if !errors.Is(err, channel.ErrPermanent) {
			t.Errorf("%s: %v, want a permanent error", tc.name, err)
		}
	}
	relay.mu.Lock()
	n := len(relay.got)
	relay.mu.Unlock()
	if n != 1 {
		t.Errorf("a refused message reached the relay: %d messages", n)
	}

	// A retry writes the same bytes, headers in the same order.
	o := out(map[string]string{"List-Unsubscribe": unsub, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-A": "1", "X-B": "2"})
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	first, _, err := email.Compose(o, hostname, now)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, _, _ := email.Compose(o, hostname, now)
		if !bytes.Equal(first, again) {
			t.Fatalf("composed differently:\n%s\n----\n%s", first, again)
		}
	}
}
