package retention_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/retention"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Events and finished webhook deliveries older than their retention go;
// younger ones, and pending deliveries however old, stay. Each tenant's
// event horizon rises to the last seq pruned, so a realtime client resuming
// from before it is told to reload. On both engines, with the clock moved.
func TestPrune(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ctx := context.Background()
			now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
			a, b := storetest.NewTenant(t, db, "keep-a").ID, storetest.NewTenant(t, db, "keep-b").ID
			emit := func(tenantID string, age time.Duration) event.Event {
				t.Helper()
				ev, err := db.InsertEvent(ctx, event.Event{ID: ids.New(), TenantID: tenantID, Type: "test.kept", Data: []byte(`{}`), At: now.Add(-age)})
				if err != nil {
					t.Fatal(err)
				}
				return ev
			}
			emit(a, 40*24*time.Hour)
			oldB := emit(b, 35*24*time.Hour)
			oldA2 := emit(a, 31*24*time.Hour)
			newA := emit(a, 24*time.Hour)
			newB := emit(b, time.Hour)

			ep := store.WebhookEndpoint{ID: ids.New(), TenantID: a, URL: "https://hooks.example.com/a", SealedSecret: "sealed:x",
				EventTypes: []string{"*"}, Active: true, CreatedAt: now, UpdatedAt: now}
			if err := db.CreateWebhookEndpoint(ctx, a, ep); err != nil {
				t.Fatal(err)
			}
			delivery := func(status string, age time.Duration) string {
				t.Helper()
				d := store.WebhookDelivery{ID: ids.New(), TenantID: a, EndpointID: ep.ID, EventID: ids.New(), EventType: "test.kept",
					Payload: json.RawMessage(`{}`), Status: status, NextAttemptAt: now, CreatedAt: now.Add(-age), UpdatedAt: now.Add(-age)}
				if err := db.CreateWebhookDelivery(ctx, a, d); err != nil {
					t.Fatal(err)
				}
				return d.ID
			}
			oldDone, oldFailed := delivery("succeeded", 60*24*time.Hour), delivery("failed", 45*24*time.Hour)
			oldPending, newDone := delivery("pending", 60*24*time.Hour), delivery("succeeded", 2*24*time.Hour)

			p := retention.NewPruner(db, retention.Config{Events: 30 * 24 * time.Hour, WebhookDeliveries: 30 * 24 * time.Hour},
				clock.NewFake(now), nil)
			// Receipts no send claimed: one two days old, one from now.
			if err := db.KeepEarlyReceipt(ctx, a, "sms", "SM-old", "delivered", now.Add(-48*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := db.KeepEarlyReceipt(ctx, a, "sms", "SM-new", "delivered", now); err != nil {
				t.Fatal(err)
			}
			got, err := p.Prune(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.Events != 3 || got.WebhookDeliveries != 2 || got.EarlyReceipts != 1 {
				t.Fatalf("pruned %+v, want 3 events, 2 deliveries and 1 early receipt", got)
			}
			if kept, _ := db.TakeEarlyReceipts(ctx, a, "sms", "SM-new"); len(kept) != 1 {
				t.Fatalf("the fresh early receipt: %v, want kept", kept)
			}
			left, _ := db.EventsSince(ctx, a, 0, 100)
			if len(left) != 1 || left[0].Seq != newA.Seq {
				t.Fatalf("tenant a's events left: %+v, want only the one a day old", left)
			}
			if left, _ := db.EventsSince(ctx, b, 0, 100); len(left) != 1 || left[0].Seq != newB.Seq {
				t.Fatalf("tenant b's events left: %+v", left)
			}
			if h, _ := db.EventHorizon(ctx, a); h != oldA2.Seq {
				t.Fatalf("tenant a's horizon %d, want %d", h, oldA2.Seq)
			}
			if h, _ := db.EventHorizon(ctx, b); h != oldB.Seq {
				t.Fatalf("tenant b's horizon %d, want %d", h, oldB.Seq)
			}
			for id, want := range map[string]bool{oldDone: false, oldFailed: false, oldPending: true, newDone: true} {
				_, err := db.WebhookDelivery(ctx, a, id)
				if kept := err == nil; kept != want {
					t.Errorf("delivery %s kept %v, want %v (%v)", id, kept, want, err)
				}
			}

			// A second run finds nothing; retention 0 keeps everything.
			if got, err := p.Prune(ctx); err != nil || got != (retention.Pruned{}) {
				t.Fatalf("second run pruned %+v (%v)", got, err)
			}
			forever := retention.NewPruner(db, retention.Config{}, clock.NewFake(now.Add(365*24*time.Hour)), nil)
			if got, err := forever.Prune(ctx); err != nil || got != (retention.Pruned{}) {
				t.Fatalf("retention 0 pruned %+v (%v)", got, err)
			}
		})
	}
}
