package email_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestHandOverBeforeData: the channel calls Outbound.HandOver once the relay
// accepted the recipient and before the data, not when the recipient is
// refused; when HandOver fails, the relay gets no message and the send fails
// with its error, to be retried.
func TestHandOverBeforeData(t *testing.T) {
	relay := startStrictRelay(t)
	f := newFixture(t, storetest.OpenSQLite)
	ch, err := email.New(email.Deps{DB: f.db, Inbox: f.svc, Clock: clock.System{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		email.Config{Hostname: hostname, Relay: relay.addr, RelayUser: "relay-user", RelayPassword: "s3cret-relay-pass", RootCAs: relay.roots})
	if err != nil {
		t.Fatal(err)
	}
	relayed := func() int {
		relay.mu.Lock()
		defer relay.mu.Unlock()
		return len(relay.got)
	}
	ctx := context.Background()
	calls := 0
	refused := errors.New("the lease is lost")
	fail := false
	out := channel.Outbound{TenantID: "t", MessageID: "01JHANDOVER", To: "zoe@example.com", Subject: "Your card", Body: "Hello",
		Account: channel.Account{Address: "support@northwind.example"},
		HandOver: func(context.Context) error {
			calls++
			if relayed() != 0 {
				t.Error("HandOver called after the relay had the data")
			}
			if fail {
				return refused
			}
			return nil
		}}

	fail = true
	if _, err := ch.Send(ctx, out); !errors.Is(err, refused) || errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("send with a failing HandOver: %v, want its error, retryable", err)
	}
	if calls != 1 || relayed() != 0 {
		t.Fatalf("HandOver called %d times, relay got %d messages; want 1 and 0", calls, relayed())
	}

	fail = false
	if _, err := ch.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || relayed() != 1 {
		t.Fatalf("HandOver called %d times, relay got %d messages; want 2 and 1", calls, relayed())
	}

	out.To = "gone@example.com" // refused at RCPT: nothing is handed over
	if _, err := ch.Send(ctx, out); !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("unknown recipient: %v", err)
	}
	if calls != 2 {
		t.Fatalf("HandOver called for a refused recipient")
	}
}
