package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func testListening(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "listen-a"), NewTenant(t, db, "listen-b")
	r := store.ListeningRule{ID: "lr1", TenantID: a.ID, Name: "Complaints", Spec: `{"keywords":["refund"]}`, Priority: 2,
		Queue: "Social", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	must(t, "create rule", db.CreateListeningRule(ctx, r))
	must(t, "create second rule", db.CreateListeningRule(ctx, store.ListeningRule{ID: "lr2", TenantID: a.ID, Name: "Brand",
		Spec: `{"hashtags":["acme"]}`, Priority: 0, CreatedAt: t0.Add(1), UpdatedAt: t0.Add(1)}))
	got, err := db.ListeningRule(ctx, a.ID, "lr1")
	must(t, "read rule", err)
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("rule read back as\n%+v\nwant\n%+v", got, r)
	}
	_, err = db.ListeningRule(ctx, b.ID, "lr1")
	wantErr(t, "another tenant's rule", err, store.ErrNotFound)
	wantErr(t, "update another tenant's rule", db.UpdateListeningRule(ctx, store.ListeningRule{ID: "lr1", TenantID: b.ID, Name: "x",
		Spec: "{}", UpdatedAt: t0}), store.ErrNotFound)
	wantErr(t, "delete another tenant's rule", db.DeleteListeningRule(ctx, b.ID, "lr1"), store.ErrNotFound)

	r.Name, r.Enabled, r.Priority, r.UpdatedAt = "Refunds", false, 3, t0.Add(60)
	must(t, "update rule", db.UpdateListeningRule(ctx, r))
	rules, err := db.ListeningRules(ctx, a.ID)
	must(t, "list rules", err)
	if len(rules) != 2 || rules[0].ID != "lr1" || rules[0].Name != "Refunds" || rules[0].Enabled || rules[0].Priority != 3 || rules[1].ID != "lr2" {
		t.Fatalf("rules listed as %+v", rules)
	}
	if rules, _ := db.ListeningRules(ctx, b.ID); len(rules) != 0 {
		t.Fatalf("tenant b sees %d rules", len(rules))
	}
	must(t, "delete rule", db.DeleteListeningRule(ctx, a.ID, "lr2"))

	// Cursors move with the account and go with it.
	acct := channel.Account{ID: "ma1", TenantID: a.ID, Channel: "mastodon", Address: "support@social.example", Settings: map[string]string{}}
	must(t, "account", db.CreateChannelAccount(ctx, acct, t0))
	if id, err := db.ListeningCursor(ctx, a.ID, "ma1", "notifications"); err != nil || id != "" {
		t.Fatalf("fresh cursor = %q, %v", id, err)
	}
	must(t, "set cursor", db.SetListeningCursor(ctx, a.ID, "ma1", "notifications", "109", t0))
	must(t, "move cursor", db.SetListeningCursor(ctx, a.ID, "ma1", "notifications", "110", t0))
	must(t, "other stream", db.SetListeningCursor(ctx, a.ID, "ma1", "tag:acme", "7", t0))
	if id, err := db.ListeningCursor(ctx, a.ID, "ma1", "notifications"); err != nil || id != "110" {
		t.Fatalf("cursor = %q, %v; want 110", id, err)
	}
	if id, _ := db.ListeningCursor(ctx, b.ID, "ma1", "notifications"); id != "" {
		t.Fatalf("tenant b reads tenant a's cursor %q", id)
	}
	must(t, "delete account", db.DeleteChannelAccount(ctx, a.ID, "ma1"))
	if id, _ := db.ListeningCursor(ctx, a.ID, "ma1", "tag:acme"); id != "" {
		t.Fatalf("cursor outlived its account: %q", id)
	}
}
