package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// hanging is a provider that is down the slow way: every send waits until
// the test releases it (or its job's context ends), as a provider's API
// that accepts connections and never answers makes each call wait out its
// timeout.
type hanging struct {
	release chan struct{}
	entered chan string
}

func (h *hanging) Name() string { return "hang" }
func (h *hanging) Capabilities() channel.Capabilities {
	return channel.Capabilities{Identifier: "phone", MaxLength: 1000}
}
func (h *hanging) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	h.entered <- out.MessageID
	select {
	case <-h.release:
		return channel.Sent{ExternalID: "h-" + out.MessageID}, nil
	case <-ctx.Done():
		return channel.Sent{}, ctx.Err()
	}
}

// TestOutageDelaysOnlyItsChannel: a provider that hangs never holds the
// node's last workers (a quarter is the reserve); a message on another
// channel is sent while more than the whole pool's worth of the hanging
// channel's wait. Without the bound, four hanging sends took the four
// workers and the SMS waited for the outage to end.
func TestOutageDelaysOnlyItsChannel(t *testing.T) {
	db := storetest.OpenSQLite(t)
	sms := &recorder{name: "sms", kind: "phone", done: make(chan string, 10)}
	down := &hanging{release: make(chan struct{}), entered: make(chan string, 20)}
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clock.System{}, Channels: []channel.Channel{sms, down},
		MaxWorkers: 4, ShareWorkers: true})
	defer close(down.release)
	tn := storetest.NewTenant(t, db, "bank")
	ctx := context.Background()
	in, err := core.Inbox.Ingest(ctx, inbox.Inbound{TenantID: tn.ID, Channel: "sms", From: phone("+442079460958"), Body: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	agent := storetest.NewUser(t, db, tn.ID, "ben@bank.example", tenant.RoleAgent)
	actor := inbox.Actor{TenantID: tn.ID, UserID: agent.ID}
	for range 6 {
		if _, err := core.Inbox.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Channel: "hang", Body: "are you there?"}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 { // the hanging channel's bound is taken: all but the reserve of one
		select {
		case <-down.entered:
		case <-time.After(20 * time.Second):
			t.Fatal("the hanging channel was never asked to send")
		}
	}
	m, err := core.Inbox.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Channel: "sms", Body: "We are on it."})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-sms.done:
		if id != m.ID {
			t.Fatalf("sms sent %s, want %s", id, m.ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the SMS waited for the hanging provider: its outage held every worker")
	}
	select {
	case id := <-down.entered:
		t.Fatalf("a fourth send (%s) entered the hanging channel beyond its bound of 3", id)
	default:
	}
}
