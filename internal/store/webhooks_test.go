package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

var wt0 = time.Date(2026, 11, 24, 9, 30, 0, 123456000, time.UTC)

func TestWebhookStore(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			db := e.Open(t)
			a := storetest.NewTenant(t, db, "alpha").ID
			b := storetest.NewTenant(t, db, "bravo").ID
			t.Run("Endpoints", func(t *testing.T) { testWebhookEndpoints(t, db, a, b) })
			t.Run("Deliveries", func(t *testing.T) { testWebhookDeliveries(t, db, a, b) })
		})
	}
}

func newEndpoint(t *testing.T, db *store.DB, tenantID string, active bool, types ...string) store.WebhookEndpoint {
	t.Helper()
	e := store.WebhookEndpoint{ID: ids.New(), TenantID: tenantID, URL: "https://hooks.example.com/" + tenantID,
		Description: "d", SealedSecret: "whsec_x", EventTypes: types, Active: active, CreatedAt: wt0, UpdatedAt: wt0}
	if err := db.CreateWebhookEndpoint(context.Background(), tenantID, e); err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return e
}

func testWebhookEndpoints(t *testing.T, db *store.DB, a, b string) {
	ctx := context.Background()
	e1 := newEndpoint(t, db, a, true, "user.created", "*")
	e2 := newEndpoint(t, db, a, false, "user.updated")
	eb := newEndpoint(t, db, b, true, "*")

	got, err := db.WebhookEndpoint(ctx, a, e1.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.URL != e1.URL || got.SealedSecret != e1.SealedSecret || !slices.Equal(got.EventTypes, e1.EventTypes) ||
		!got.Active || !got.CreatedAt.Equal(wt0) || got.TenantID != a {
		t.Fatalf("get = %+v, want %+v", got, e1)
	}
	if _, err := db.WebhookEndpoint(ctx, b, e1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get by another tenant = %v, want ErrNotFound", err)
	}
	list, err := db.WebhookEndpoints(ctx, a, store.Page{})
	if err != nil || len(list) != 2 || list[0].ID != e1.ID || list[1].ID != e2.ID {
		t.Fatalf("list = %v, %v; want e1, e2", list, err)
	}
	if list, _ := db.WebhookEndpoints(ctx, a, store.Page{After: e1.ID, Limit: 5}); len(list) != 1 || list[0].ID != e2.ID {
		t.Fatalf("list after e1 = %v, want e2", list)
	}
	active, err := db.ActiveWebhookEndpoints(ctx, a)
	if err != nil || len(active) != 1 || active[0].ID != e1.ID {
		t.Fatalf("active = %v, %v; want e1 only", active, err)
	}

	upd := e2
	upd.URL, upd.Active, upd.EventTypes, upd.UpdatedAt = "https://new.example.com", true, []string{"api_key.revoked"}, wt0.Add(time.Hour)
	if err := db.UpdateWebhookEndpoint(ctx, b, upd); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update by another tenant = %v, want ErrNotFound", err)
	}
	if err := db.UpdateWebhookEndpoint(ctx, a, upd); err != nil {
		t.Fatalf("update: %v", err)
	}
	if got, _ := db.WebhookEndpoint(ctx, a, e2.ID); got.URL != upd.URL || !got.Active || !got.UpdatedAt.Equal(upd.UpdatedAt) {
		t.Fatalf("after update = %+v", got)
	}
	if err := db.DeleteWebhookEndpoint(ctx, b, e2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete by another tenant = %v, want ErrNotFound", err)
	}
	if err := db.DeleteWebhookEndpoint(ctx, a, e2.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := db.DeleteWebhookEndpoint(ctx, b, eb.ID); err != nil {
		t.Fatalf("delete own: %v", err)
	}
}

func testWebhookDeliveries(t *testing.T, db *store.DB, a, b string) {
	ctx := context.Background()
	ep := newEndpoint(t, db, a, true, "*")
	var made []store.WebhookDelivery
	for range 3 {
		d := store.WebhookDelivery{ID: ids.New(), TenantID: a, EndpointID: ep.ID, EventID: ids.New(), EventType: "user.created",
			Payload: json.RawMessage(`{"id":"x"}`), Status: "pending", NextAttemptAt: wt0, CreatedAt: wt0, UpdatedAt: wt0}
		if err := db.CreateWebhookDelivery(ctx, a, d); err != nil {
			t.Fatalf("create delivery: %v", err)
		}
		made = append(made, d)
	}
	page, err := db.WebhookDeliveries(ctx, a, ep.ID, store.Page{Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != made[2].ID || page[1].ID != made[1].ID {
		t.Fatalf("first page = %v, %v; want the newest two", page, err)
	}
	page, _ = db.WebhookDeliveries(ctx, a, ep.ID, store.Page{After: page[1].ID, Limit: 2})
	if len(page) != 1 || page[0].ID != made[0].ID {
		t.Fatalf("second page = %v, want the oldest", page)
	}
	if page, _ := db.WebhookDeliveries(ctx, b, ep.ID, store.Page{}); len(page) != 0 {
		t.Fatalf("another tenant lists %d deliveries", len(page))
	}
	d := made[0]
	got, err := db.WebhookDelivery(ctx, a, d.ID)
	if err != nil || string(got.Payload) != `{"id":"x"}` || !got.NextAttemptAt.Equal(wt0) || got.Status != "pending" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := db.WebhookDelivery(ctx, b, d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get by another tenant = %v, want ErrNotFound", err)
	}

	record := func(tenantID string, a store.WebhookAttempt, status string, next time.Time) (int, error) {
		var n int
		err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
			var err error
			n, err = s.RecordWebhookAttempt(ctx, tenantID, d.ID, a, status, next)
			return err
		})
		return n, err
	}
	first := store.WebhookAttempt{StartedAt: wt0, Duration: 1500 * time.Microsecond, StatusCode: 500, ResponseBody: "oops", Error: "receiver answered 500"}
	if _, err := record(b, first, "pending", wt0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("record by another tenant = %v, want ErrNotFound", err)
	}
	if n, err := record(a, first, "pending", wt0.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("record first = %d, %v", n, err)
	}
	second := store.WebhookAttempt{StartedAt: wt0.Add(time.Minute), Duration: time.Millisecond, StatusCode: 200}
	if n, err := record(a, second, "succeeded", time.Time{}); err != nil || n != 2 {
		t.Fatalf("record second = %d, %v", n, err)
	}
	got, _ = db.WebhookDelivery(ctx, a, d.ID)
	if got.Status != "succeeded" || got.Attempts != 2 || got.LastStatusCode != 200 || got.LastError != "" ||
		!got.NextAttemptAt.IsZero() || !got.UpdatedAt.Equal(wt0.Add(time.Minute+time.Millisecond)) {
		t.Fatalf("after attempts = %+v", got)
	}
	attempts, err := db.WebhookAttempts(ctx, a, d.ID)
	if err != nil || len(attempts) != 2 || attempts[0] != (store.WebhookAttempt{Attempt: 1, StartedAt: wt0, Duration: first.Duration,
		StatusCode: 500, ResponseBody: "oops", Error: first.Error}) || attempts[1].Attempt != 2 {
		t.Fatalf("attempts = %+v, %v", attempts, err)
	}
	if list, _ := db.WebhookAttempts(ctx, b, d.ID); len(list) != 0 {
		t.Fatalf("another tenant sees %d attempts", len(list))
	}

	if err := db.RequeueWebhookDelivery(ctx, b, d.ID, wt0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("requeue by another tenant = %v", err)
	}
	if err := db.RequeueWebhookDelivery(ctx, a, d.ID, wt0.Add(time.Hour)); err != nil {
		t.Fatalf("requeue: %v", err)
	}
	if got, _ := db.WebhookDelivery(ctx, a, d.ID); got.Status != "pending" || got.Attempts != 2 || !got.NextAttemptAt.Equal(wt0.Add(time.Hour)) {
		t.Fatalf("after requeue = %+v, want pending with attempts kept", got)
	}
	if err := db.FailWebhookDelivery(ctx, b, d.ID, "x", wt0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("fail by another tenant = %v", err)
	}
	if err := db.FailWebhookDelivery(ctx, a, d.ID, "endpoint disabled", wt0.Add(2*time.Hour)); err != nil {
		t.Fatalf("fail: %v", err)
	}
	if got, _ := db.WebhookDelivery(ctx, a, d.ID); got.Status != "failed" || got.LastError != "endpoint disabled" || !got.NextAttemptAt.IsZero() {
		t.Fatalf("after fail = %+v", got)
	}

	if err := db.DeleteWebhookEndpoint(ctx, a, ep.ID); err != nil {
		t.Fatalf("delete endpoint: %v", err)
	}
	if _, err := db.WebhookDelivery(ctx, a, d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delivery after its endpoint was deleted = %v, want ErrNotFound", err)
	}
	var left int
	db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM webhook_attempts WHERE delivery_id = $1`, d.ID).Scan(&left)
	if left != 0 {
		t.Fatalf("%d attempts left after the endpoint was deleted", left)
	}
}
