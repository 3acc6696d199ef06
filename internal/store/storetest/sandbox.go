package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func testSandbox(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")

	// Captured once per send and recipient, whatever the retries.
	m := store.SandboxMessage{ID: ids.New(), TenantID: a.ID, Kind: "email", From: "help@alpha.example", To: "kim@example.com",
		Subject: "Re: invoice", Body: "Hello", BodyHTML: "<p>Hello</p>", Ref: "msg-1", Detail: map[string]any{"to_name": "Kim"}, CreatedAt: t0}
	first, err := db.CaptureSandbox(ctx, m)
	must(t, "capture", err)
	again := m
	again.ID = ids.New()
	second, err := db.CaptureSandbox(ctx, again)
	must(t, "capture a retry", err)
	if first != m.ID || second != m.ID {
		t.Fatalf("capture ids %s, %s; want both %s", first, second, m.ID)
	}
	other := m
	other.ID, other.To = ids.New(), "lee@example.com"
	_, err = db.CaptureSandbox(ctx, other)
	must(t, "capture to another recipient", err)

	got, err := db.SandboxMessage(ctx, a.ID, m.ID)
	must(t, "read", err)
	if got.Subject != m.Subject || got.BodyHTML != m.BodyHTML || got.Detail["to_name"] != "Kim" || !got.CreatedAt.Equal(t0) {
		t.Errorf("read back %+v", got)
	}
	_, err = db.SandboxMessage(ctx, b.ID, m.ID)
	wantErr(t, "another tenant's message", err, store.ErrNotFound)
	list, err := db.SandboxMessages(ctx, a.ID, store.Page{Limit: 1})
	must(t, "list", err)
	if len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("first page %+v, want the newest (%s)", list, other.ID)
	}
	list, err = db.SandboxMessages(ctx, a.ID, store.Page{After: list[0].ID})
	must(t, "list on", err)
	if len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("second page %+v, want %s", list, m.ID)
	}
	if list, _ := db.SandboxMessages(ctx, b.ID, store.Page{}); len(list) != 0 {
		t.Fatalf("bravo sees %d of alpha's messages", len(list))
	}

	// Going live happens once.
	sb := tenant.Tenant{ID: ids.New(), Slug: "charlie", Name: "C", Sandbox: true, CreatedAt: t0}
	must(t, "sandbox tenant", db.CreateTenant(ctx, sb))
	must(t, "go live", db.SetTenantLive(ctx, sb.ID))
	wantErr(t, "go live again", db.SetTenantLive(ctx, sb.ID), store.ErrNotFound)
	if got, _ := db.Tenant(ctx, sb.ID); got.Sandbox {
		t.Fatal("still in the sandbox after going live")
	}
	testSandboxCopy(t, db, a, b)
}

func testSandboxCopy(t *testing.T, db *store.DB, a, b tenant.Tenant) {
	ctx := context.Background()
	admin := NewUser(t, db, a.ID, "admin@alpha.example", tenant.RoleAdmin)
	cal := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "Office hours", Config: json.RawMessage(`{"zone":"UTC"}`), CreatedAt: t0, UpdatedAt: t0}
	must(t, "calendar", db.PutConfig(ctx, store.ConfigCalendars, cal))
	q := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "Billing", Config: json.RawMessage(`{"calendar_id":"` + cal.ID + `"}`), CreatedAt: t0, UpdatedAt: t0}
	must(t, "queue", db.PutConfig(ctx, store.ConfigQueues, q))
	must(t, "profile", db.PutAgentRouting(ctx, a.ID, admin.ID, json.RawMessage(`{"queues":["`+q.ID+`"]}`), t0))
	must(t, "widget", db.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: a.ID, Channel: "webchat", Address: "wk_alpha", Settings: map[string]string{}}, t0))
	must(t, "mailbox", db.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: a.ID, Channel: "email", Address: "help@alpha.example", Settings: map[string]string{}}, t0))
	NewUser(t, db, b.ID, "admin@bravo.example", tenant.RoleAdmin) // another tenant's: not copied

	cp := tenant.Tenant{ID: ids.New(), Slug: "alpha-sandbox", Name: "A (sandbox)", Sandbox: true, CreatedAt: t0}
	var counts map[string]int
	must(t, "copy", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		if err := s.CreateTenant(ctx, cp); err != nil {
			return err
		}
		var err error
		counts, err = s.CopyConfig(ctx, a.ID, cp.ID, func(table, column string) string {
			if table == "channel_accounts" && column == "address" {
				return "wk_copy"
			}
			return ""
		})
		if err != nil {
			return err
		}
		return s.LinkSandboxCopy(ctx, store.SandboxCopy{TenantID: cp.ID, SourceID: a.ID, CreatedBy: "user:" + admin.ID, CreatedAt: t0})
	}))
	if counts["users"] != 1 || counts["routing_queues"] != 1 || counts["calendars"] != 1 || counts["routing_agents"] != 1 || counts["channel_accounts"] != 1 {
		t.Errorf("copied %v", counts)
	}
	u, err := db.UserByEmail(ctx, cp.ID, "admin@alpha.example")
	must(t, "the admin in the copy", err)
	if u.ID == admin.ID || u.PasswordHash != admin.PasswordHash || u.Role != tenant.RoleAdmin {
		t.Errorf("copied admin %+v", u)
	}
	qs, err := db.Configs(ctx, store.ConfigQueues, cp.ID)
	must(t, "copied queues", err)
	cals, _ := db.Configs(ctx, store.ConfigCalendars, cp.ID)
	if len(qs) != 1 || len(cals) != 1 || qs[0].ID == q.ID || string(qs[0].Config) != `{"calendar_id":"`+cals[0].ID+`"}` {
		t.Errorf("copied queue %+v, calendars %+v: want the queue pointing at the copied calendar", qs, cals)
	}
	prof, err := db.AgentRoutingOf(ctx, cp.ID, u.ID)
	must(t, "copied profile", err)
	if string(prof.Config) != `{"queues":["`+qs[0].ID+`"]}` {
		t.Errorf("copied profile %s", prof.Config)
	}
	accs, _ := db.ChannelAccounts(ctx, cp.ID, "")
	if len(accs) != 1 || accs[0].Channel != "webchat" || accs[0].Address != "wk_copy" {
		t.Errorf("copied accounts %+v: want the widget alone, with its new key", accs)
	}
	if orig, _ := db.ChannelAccounts(ctx, a.ID, ""); len(orig) != 2 {
		t.Errorf("the original has %d accounts after the copy, want 2", len(orig))
	}
	link, err := db.SandboxCopyOf(ctx, cp.ID)
	must(t, "link", err)
	if link.SourceID != a.ID {
		t.Errorf("link %+v", link)
	}
	_, err = db.SandboxCopyOf(ctx, a.ID)
	wantErr(t, "the original is no copy", err, store.ErrNotFound)
	if cs, _ := db.SandboxCopies(ctx, a.ID); len(cs) != 1 || cs[0].TenantID != cp.ID {
		t.Errorf("copies of alpha %+v", cs)
	}
}
