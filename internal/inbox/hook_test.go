package inbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// The inbound hook runs in the message's transaction: what it records lands on
// the same timeline, and when it fails the message is not stored either.
func TestInboundHook(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			refuse := errors.New("hook refused")
			var seen []string
			f.svc.OnInbound(func(ctx context.Context, tx *outbox.Tx, in inbox.Inbound, res inbox.Ingested) error {
				if in.Body == "refuse" {
					return refuse
				}
				seen = append(seen, res.Message.ID)
				return f.svc.Record(ctx, tx, inbox.Actor{TenantID: in.TenantID}, res.Conversation.ID, "context: "+in.Body)
			})
			got := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+351912345678"), Body: "hello", ExternalID: "SM-h1"})
			if len(seen) != 1 || seen[0] != got.Message.ID {
				t.Fatalf("hook saw %v, want the new message %s", seen, got.Message.ID)
			}
			msgs, err := f.db.Messages(ctx, f.tenant, got.Conversation.ID, store.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 2 || msgs[1].Body != "context: hello" {
				t.Fatalf("timeline %+v, want the message and the hook's note", msgs)
			}
			// A retry of the same message is a duplicate: the hook does not run again.
			f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+351912345678"), Body: "hello", ExternalID: "SM-h1"})
			if len(seen) != 1 {
				t.Fatalf("hook ran for a duplicate: %v", seen)
			}
			_, err = f.svc.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "sms", From: phone("+351912345678"), Body: "refuse", ExternalID: "SM-h2"})
			if !errors.Is(err, refuse) {
				t.Fatalf("ingest with a failing hook: %v", err)
			}
			if _, err := f.db.MessageByExternalID(ctx, f.tenant, "sms", "SM-h2"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the message the hook refused was stored: %v", err)
			}
		})
	}
}
