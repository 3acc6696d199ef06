package webhook_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

func TestEndpointLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		created, err := e.svc.Create(ctx, e.a, adminGrant, webhook.EndpointInput{URL: "https://hooks.example.com/in",
			Description: " CRM ", EventTypes: []string{event.UserCreated, event.UserCreated}})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if !created.Active || created.Description != "CRM" || !slices.Equal(created.EventTypes, []string{event.UserCreated}) || created.Secret == "" {
			t.Fatalf("created = %+v", created)
		}
		got, err := e.svc.Get(ctx, e.a, created.ID)
		if err != nil || got.URL != created.URL || got.Secret != "" || !got.CreatedAt.Equal(created.CreatedAt) { // shown once, at creation
			t.Fatalf("get = %+v, %v; want %+v", got, err, created)
		}

		newURL := "http://hooks.example.com/v2"
		upd, err := e.svc.Update(ctx, e.a, created.ID, adminGrant, webhook.EndpointPatch{URL: &newURL,
			EventTypes: []string{"*"}, Active: new(false), RotateSecret: true})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if upd.URL != newURL || upd.Active || upd.Secret == created.Secret || upd.Description != "CRM" {
			t.Fatalf("updated = %+v", upd)
		}
		if got, _ := e.svc.Get(ctx, e.a, created.ID); got.URL != newURL || !slices.Equal(got.EventTypes, []string{"*"}) {
			t.Fatalf("update not stored: %+v", got)
		}

		for _, bad := range []webhook.EndpointInput{
			{URL: "ftp://x.example.com", EventTypes: []string{"*"}},
			{URL: "https://x.example.com", EventTypes: []string{"nope"}},
			{URL: "https://x.example.com"},
		} {
			var fe *tenant.FieldError
			if _, err := e.svc.Create(ctx, e.a, adminGrant, bad); !errors.As(err, &fe) {
				t.Errorf("create %+v = %v, want a FieldError", bad, err)
			}
		}

		second, _ := e.svc.Create(ctx, e.a, adminGrant, webhook.EndpointInput{URL: "https://b.example.com", EventTypes: []string{"*"}})
		page, err := e.svc.List(ctx, e.a, store.Page{Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != created.ID {
			t.Fatalf("first page = %v, %v", page, err)
		}
		page, err = e.svc.List(ctx, e.a, store.Page{After: page[0].ID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != second.ID {
			t.Fatalf("second page = %v, %v", page, err)
		}

		if err := e.svc.Delete(ctx, e.a, created.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := e.svc.Get(ctx, e.a, created.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get after delete = %v, want ErrNotFound", err)
		}
	})
}

func TestTenantsCannotReachEachOthersWebhooks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open, webhook.Config{})
		ctx := context.Background()
		ep := e.endpoint(t, e.a, newReceiver(t, always(200)), "*")
		d, err := e.svc.Ping(ctx, e.a, ep.ID)
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
		b := e.b
		url := "https://evil.example.com"
		checks := map[string]error{}
		_, checks["Get"] = e.svc.Get(ctx, b, ep.ID)
		_, checks["Update"] = e.svc.Update(ctx, b, ep.ID, adminGrant, webhook.EndpointPatch{URL: &url})
		_, checks["Ping"] = e.svc.Ping(ctx, b, ep.ID)
		_, checks["ListDeliveries"] = e.svc.ListDeliveries(ctx, b, ep.ID, store.Page{})
		_, _, checks["GetDelivery"] = e.svc.GetDelivery(ctx, b, d.ID)
		_, checks["Replay"] = e.svc.Replay(ctx, b, d.ID)
		checks["Delete"] = e.svc.Delete(ctx, b, ep.ID)
		for op, err := range checks {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("tenant B %s on tenant A's webhook = %v, want ErrNotFound", op, err)
			}
		}
		if list, _ := e.svc.List(ctx, b, store.Page{}); len(list) != 0 {
			t.Errorf("tenant B lists %d endpoints, want 0", len(list))
		}
		got, err := e.svc.Get(ctx, e.a, ep.ID)
		if err != nil || got.URL != ep.URL {
			t.Fatalf("tenant A's endpoint after B's attempts: %+v, %v", got, err)
		}
		if ds := e.deliveries(t, e.a, ep.ID); len(ds) != 1 || ds[0].Status != webhook.StatusPending {
			t.Fatalf("tenant A's deliveries after B's attempts: %+v", ds)
		}
	})
}
