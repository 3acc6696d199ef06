// Package demo creates Northwind Bank, the tenant a newcomer signs in to after
// `make run`, with an admin, a supervisor, agents and an expert.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Slug is the demo tenant's workspace name, typed at sign-in.
const Slug = "northwind"

// Password is every demo user's password. The demo tenant is a sandbox for trying
// Switchboard out; never give it real customers.
const Password = "switchboard-demo"

// People are the demo users: email, name, role.
var People = []struct {
	Email, Name string
	Role        tenant.Role
}{
	{"admin@northwind.example", "Nadia Admin", tenant.RoleAdmin},
	{"supervisor@northwind.example", "Sam Supervisor", tenant.RoleSupervisor},
	{"ana@northwind.example", "Ana Agent", tenant.RoleAgent},
	{"ben@northwind.example", "Ben Agent", tenant.RoleAgent},
	{"chloe@northwind.example", "Chloé Agent", tenant.RoleAgent},
	{"erik@northwind.example", "Erik Expert", tenant.RoleExpert},
}

// WidgetKey is the demo web chat widget's public key; the demo page
// /widget/demo.html embeds it.
const WidgetKey = "wk_northwind_demo"

// IdentitySecret signs the demo widget's user ids (published: demo only).
const IdentitySecret = "northwind-demo-identity-secret"

// SupportAddress is the demo tenant's support mailbox on the inbound listener.
const SupportAddress = "support@northwind.example"

// Seed creates the demo tenant unless it exists, and reports whether it did:
// its people, a chat widget, a support mailbox, and a few customers'
// conversations to click through.
func Seed(ctx context.Context, db *store.DB, acc *accounts.Service, conversations *inbox.Service) (created bool, err error) {
	if _, err := db.TenantBySlug(ctx, Slug); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	admin := People[0]
	t, _, err := acc.CreateTenant(ctx, Slug, "Northwind Bank", true,
		accounts.NewUser{Email: admin.Email, Name: admin.Name, Password: Password})
	if err != nil {
		return false, fmt.Errorf("create demo tenant: %w", err)
	}
	actor := accounts.Actor{TenantID: t.ID, Type: "system", ID: "demo"}
	for _, p := range People[1:] {
		if _, err := acc.CreateUser(ctx, actor, accounts.NewUser{Email: p.Email, Name: p.Name, Role: p.Role, Password: Password}); err != nil {
			return false, fmt.Errorf("create demo user %s: %w", p.Email, err)
		}
	}
	if err := seedChannels(ctx, conversations, t.ID); err != nil {
		return false, err
	}
	return true, nil
}

func seedChannels(ctx context.Context, conversations *inbox.Service, tenantID string) error {
	actor := inbox.Actor{TenantID: tenantID}
	for _, acc := range []channel.Account{
		{Channel: "webchat", Address: WidgetKey, Name: "Website chat", Settings: map[string]string{
			"allowed_origins": "*", "identity_secret": IdentitySecret, "title": "Northwind Bank",
			"greeting": "Hi! Ask us anything about your accounts and cards.",
		}},
		{Channel: "email", Address: SupportAddress, Name: "Northwind Support"},
	} {
		if _, err := conversations.CreateAccount(ctx, actor, acc); err != nil {
			return fmt.Errorf("create demo %s account: %w", acc.Channel, err)
		}
	}
	for _, in := range []inbox.Inbound{
		{Channel: "email", From: persona.Identifier{Kind: persona.KindEmail, Value: "zoe.mueller@example.com"}, FromName: "Zoë Müller",
			Subject: "Card declined abroad", Body: "Hello, my card was declined twice in Lisbon today. Can you check?", ExternalID: "demo-1@example.com"},
		{Channel: "webchat", From: persona.Identifier{Kind: persona.KindWidget, Value: "demo-visitor-1"}, FromName: "Omar Haddad",
			Body: "Hi, how long does a transfer to Morocco take?", Meta: map[string]any{"page": map[string]string{"url": "https://northwind.example/transfers", "title": "International transfers"}}},
		{Channel: "api", From: persona.Identifier{Kind: persona.KindExternal, Value: "crm-1042"}, FromName: "Priya Nair",
			Body: "Mortgage application 1042: the customer asks when the valuation is booked.", ExternalID: "crm-note-1042"},
	} {
		in.TenantID = tenantID
		if _, err := conversations.Ingest(ctx, in); err != nil {
			return fmt.Errorf("seed demo conversation: %w", err)
		}
	}
	return nil
}

// PrintLogin tells a newcomer how to sign in.
func PrintLogin(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "\n  Switchboard demo is ready: open %s\n", baseURL)
	fmt.Fprintf(w, "  Workspace: %s   Password (every demo user): %s\n", Slug, Password)
	for _, p := range People {
		fmt.Fprintf(w, "    %-12s %s\n", p.Role, p.Email)
	}
	fmt.Fprintln(w)
}
