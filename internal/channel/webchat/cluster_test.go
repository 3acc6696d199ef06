package webchat_test

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestTwoNodes runs two nodes on one PostgreSQL and one external NATS: the
// visitor's tabs are on different nodes, the agent works on the other node, and
// everything still reaches everyone.
func TestTwoNodes(t *testing.T) {
	a := newFixtureOn(t, storetest.OpenPostgres(t), bus.Options{URL: externalNATS()})
	b := a.addNode(t)
	ctx := context.Background()
	key := a.widget.Address
	s := a.session(t, key, map[string]any{"name": "Ana"})
	onA := a.dial(t, key, s.VisitorToken, "")
	onA.next()
	onB := b.dial(t, key, s.VisitorToken, "")
	onB.next() // opened before the conversation exists

	onA.send(map[string]any{"type": "message", "client_id": "c1", "body": "hello from tab A"})
	ack, _ := onA.until("ack")
	conv := ack.Message.ConversationID
	if got, _ := onB.until("message"); got.Message.ID != ack.Message.ID {
		t.Fatalf("tab on node B got %+v", got.Message)
	}

	// The agent works on node B; the visitor's tab on node A hears it.
	if err := b.svc.Typing(ctx, inbox.Actor{TenantID: a.tenant}, conv, "Ben", true); err != nil {
		t.Fatal(err)
	}
	if fr, _ := onA.until("typing"); fr.Name != "Ben" {
		t.Fatalf("typing on node A: %+v", fr)
	}
	reply, err := b.svc.Reply(ctx, inbox.Actor{TenantID: a.tenant}, conv, inbox.ReplyInput{Body: "Hi Ana"})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*client{"A": onA, "B": onB} {
		if got, _ := c.until("message"); got.Message.ID != reply.ID {
			t.Fatalf("tab on node %s got %+v", name, got.Message)
		}
	}
	// Node B's Send reaches a socket on node A that has not seen the reply.
	late := a.dial(t, key, s.VisitorToken, reply.ID)
	late.next()
	late.sync()
	if _, err := b.ch.Send(ctx, channel.Outbound{TenantID: a.tenant, MessageID: reply.ID, ConversationID: conv}); err != nil {
		t.Fatal(err)
	}
	if got, _ := late.until("message"); got.Message.ID != reply.ID {
		t.Fatalf("after node B's Send: %+v", got.Message)
	}
}
