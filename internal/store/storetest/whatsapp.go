package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func testWhatsApp(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "wa-a"), NewTenant(t, db, "wa-b")

	tpl := store.WhatsAppTemplate{ID: ids.New(), TenantID: a.ID, Name: "order_ready", Language: "en_US", Category: "utility",
		Body: "Hello {{1}}, order {{2}} is ready.", Status: "approved", CreatedAt: t0, UpdatedAt: t0}
	must(t, "create template", db.CreateWhatsAppTemplate(ctx, tpl))
	dup := tpl
	dup.ID = ids.New()
	wantErr(t, "the same name and language again", db.CreateWhatsAppTemplate(ctx, dup), store.ErrConflict)
	other := dup
	other.TenantID = b.ID
	must(t, "the same name at another tenant", db.CreateWhatsAppTemplate(ctx, other))

	got, err := db.WhatsAppTemplateByName(ctx, a.ID, "order_ready", "en_US")
	must(t, "by name", err)
	if got != tpl {
		t.Fatalf("template %+v, want %+v", got, tpl)
	}
	_, err = db.WhatsAppTemplate(ctx, b.ID, tpl.ID)
	wantErr(t, "another tenant's template", err, store.ErrNotFound)
	wantErr(t, "delete another tenant's template", db.DeleteWhatsAppTemplate(ctx, b.ID, tpl.ID), store.ErrNotFound)

	tpl.Status, tpl.Body, tpl.UpdatedAt = "paused", "Hi {{1}}", t0.Add(time.Minute)
	must(t, "update", db.UpdateWhatsAppTemplate(ctx, tpl))
	list, err := db.WhatsAppTemplates(ctx, a.ID)
	must(t, "list", err)
	if len(list) != 1 || list[0] != tpl {
		t.Fatalf("list %+v, want just %+v", list, tpl)
	}
	must(t, "delete", db.DeleteWhatsAppTemplate(ctx, a.ID, tpl.ID))
	_, err = db.WhatsAppTemplate(ctx, a.ID, tpl.ID)
	wantErr(t, "deleted", err, store.ErrNotFound)

	// The window moves forward only.
	_, err = db.WhatsAppLastInbound(ctx, a.ID, "acct", "+15550001")
	wantErr(t, "window before any message", err, store.ErrNotFound)
	must(t, "touch", db.TouchWhatsAppWindow(ctx, a.ID, "acct", "+15550001", t0.Add(time.Hour)))
	must(t, "touch with an older message", db.TouchWhatsAppWindow(ctx, a.ID, "acct", "+15550001", t0))
	at, err := db.WhatsAppLastInbound(ctx, a.ID, "acct", "+15550001")
	must(t, "last inbound", err)
	if !at.Equal(t0.Add(time.Hour)) {
		t.Fatalf("last inbound %v, want %v", at, t0.Add(time.Hour))
	}
	_, err = db.WhatsAppLastInbound(ctx, b.ID, "acct", "+15550001")
	wantErr(t, "another tenant's window", err, store.ErrNotFound)
}
