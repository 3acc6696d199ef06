package httpapi

import (
	"context"
	"database/sql"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// fanoutTo lets the outbox reach a webhook service made after it, as the app's
// wiring does (the job queue needs the deliverer, which needs the outbox).
type fanoutTo struct{ svc **webhook.Service }

func (f fanoutTo) FanoutTx(ctx context.Context, s *store.Store, tx *sql.Tx, ev event.Event) error {
	return (*f.svc).FanoutTx(ctx, s, tx, ev)
}

// loopChannel is the API tests' channel: it accepts every message at once, so
// tests can watch a reply go from queued to sent through the real delivery job.
type loopChannel struct{}

func (loopChannel) Name() string { return "loop" }
func (loopChannel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Identifier: "external", MaxLength: 1000}
}
func (loopChannel) Send(_ context.Context, out channel.Outbound) (channel.Sent, error) {
	return channel.Sent{ExternalID: "loop-" + out.MessageID}, nil
}

func testChannels() []channel.Channel { return []channel.Channel{loopChannel{}} }

// ingest makes a customer contact on the loop channel, with an attachment.
func (n *node) ingest(t *testing.T, tenantID, customer, body string) inbox.Ingested {
	t.Helper()
	res, err := n.inbox.Ingest(context.Background(), inbox.Inbound{TenantID: tenantID, Channel: "loop",
		From: persona.Identifier{Kind: persona.KindExternal, Value: customer}, FromName: "Customer " + customer, Body: body,
		Attachments: []inbox.File{{Name: "statement.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 fixture")}}})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}
