// Package demo creates Northwind Bank, the tenant a newcomer signs in to after
// `make run`, with an admin, a supervisor, agents and an expert.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Slug is the demo tenant's workspace name, typed at sign-in.
const Slug = "northwind"

// Password is every demo user's password. The demo tenant is for trying
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
func Seed(ctx context.Context, db *store.DB, acc *accounts.Service, conversations *inbox.Service, routing *dispatch.Service, notices *notify.Service) (created bool, err error) {
	if _, err := db.TenantBySlug(ctx, Slug); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	admin := People[0]
	// Live, not in the sandbox: the demo shows a working center, and without
	// --smtp-relay its mail is caught anyway (docs/sandbox.md).
	t, _, err := acc.CreateTenant(ctx, Slug, "Northwind Bank", false,
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
	// Routing first, so the sample conversations below are queued like real ones.
	if err := seedRouting(ctx, db, routing, t.ID); err != nil {
		return false, err
	}
	if err := seedChannels(ctx, conversations, t.ID); err != nil {
		return false, err
	}
	if err := seedContent(ctx, conversations, t.ID); err != nil {
		return false, err
	}
	if err := seedNotifications(ctx, notices, t.ID); err != nil {
		return false, err
	}
	if err := seedClinic(ctx, acc, conversations, routing, notices); err != nil {
		return false, err
	}
	return true, nil
}

// seedContent gives the demo's agents canned responses (type "/" in the
// composer) and a macro.
func seedContent(ctx context.Context, conversations *inbox.Service, tenantID string) error {
	k := inbox.Keeper{Actor: inbox.Actor{TenantID: tenantID}, TenantWide: true}
	for _, c := range []inbox.CannedInput{
		{Shortcut: "hello", Title: "Greeting", Body: "Hi {{customer.first_name}}, this is {{agent.first_name}} from {{tenant.name}}. How can I help?"},
		{Shortcut: "card-blocked", Title: "Card blocked abroad", Body: "Hi {{customer.first_name}}, I have unblocked your card for use abroad; please try the payment again in a few minutes."},
		{Shortcut: "bye", Title: "Closing", Body: "Thank you for contacting {{tenant.name}}, {{customer.first_name}}. Have a good day!"},
	} {
		c.Scope = inbox.ScopeTenant
		if _, err := conversations.CreateCannedResponse(ctx, k, c); err != nil {
			return fmt.Errorf("demo canned response: %w", err)
		}
	}
	_, err := conversations.CreateMacro(ctx, k, inbox.MacroInput{Name: "Card unblocked: tell and resolve", Scope: inbox.ScopeTenant,
		Actions: []store.MacroAction{
			{Type: "reply", Value: "Your card works abroad again. Anything else I can do?"},
			{Type: "tags_add", Value: "cards"},
			{Type: "status", Value: "resolved"},
		}})
	if err != nil {
		return fmt.Errorf("demo macro: %w", err)
	}
	return nil
}

// seedRouting gives the demo two queues — Support, where every contact lands,
// and Cards, for card matters, skills-based — an SLA policy, and card skills
// for Ana (5) and Ben (2). The queues keep no hours (always open), so a
// newcomer's chat is routed, and its SLA counted, at any time of day; the
// Lisbon office's calendar is there for an admin to give a queue.
func seedRouting(ctx context.Context, db *store.DB, routing *dispatch.Service, tenantID string) error {
	actor := inbox.Actor{TenantID: tenantID}
	_, err := routing.SaveCalendar(ctx, actor, dispatch.CalendarConfig{Name: "Lisbon office", Calendar: sla.Calendar{
		TimeZone: "Europe/Lisbon",
		Hours: map[string][]sla.Span{"mon": {{From: "08:00", To: "20:00"}}, "tue": {{From: "08:00", To: "20:00"}},
			"wed": {{From: "08:00", To: "20:00"}}, "thu": {{From: "08:00", To: "20:00"}}, "fri": {{From: "08:00", To: "20:00"}}},
		Holidays: []sla.Holiday{{Date: "2026-12-25", Name: "Christmas Day"}, {Date: "2027-01-01", Name: "New Year's Day"}},
	}})
	if err != nil {
		return fmt.Errorf("demo calendar: %w", err)
	}
	policy, err := routing.SaveSLAPolicy(ctx, actor, dispatch.PolicyConfig{Name: "Standard", Policy: sla.Policy{
		FirstResponse: time.Hour, NextResponse: 4 * time.Hour, Resolution: 24 * time.Hour, WarnAt: 0.8,
		Escalations: []sla.Escalation{{On: "breach", Target: "first_response", RaisePriority: 2, NotifySupervisor: true}},
	}})
	if err != nil {
		return fmt.Errorf("demo SLA policy: %w", err)
	}
	if _, err := routing.SaveQueue(ctx, actor, dispatch.QueueConfig{Name: "Support", Strategy: "longest_idle", Default: true,
		SLAPolicyID: policy.ID, OfferTimeoutSeconds: 30}); err != nil {
		return fmt.Errorf("demo queue: %w", err)
	}
	if _, err := routing.SaveQueue(ctx, actor, dispatch.QueueConfig{Name: "Cards", Strategy: "skills", Skills: []string{"cards"},
		SLAPolicyID: policy.ID, OfferTimeoutSeconds: 30}); err != nil {
		return fmt.Errorf("demo queue: %w", err)
	}
	for email, level := range map[string]int{"ana@northwind.example": 5, "ben@northwind.example": 2} {
		u, err := db.UserByEmail(ctx, tenantID, email)
		if err != nil {
			return err
		}
		if _, err := routing.SaveAgentProfile(ctx, actor, u.ID, dispatch.AgentProfile{Skills: map[string]int{"cards": level}, Queues: []string{"*"},
			Capacity: map[string]int{"chat": 3, "email": 5, "message": 5, "voice": 1, "video": 1},
			Blocks:   map[string][]string{"voice": {"chat"}, "video": {"chat"}}, WrapUpSeconds: 30}); err != nil {
			return fmt.Errorf("demo agent profile: %w", err)
		}
	}
	return nil
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
		{Channel: "email", From: persona.Identifier{Kind: persona.KindEmail, Value: "zoe.mueller@example.com", Verified: true, VerifiedBy: persona.MethodMailFromMailbox}, FromName: "Zoë Müller",
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

// PrintLogin tells a newcomer how to sign in, to the desktop and, as the demo
// customer, to the consumer portal (portalLink; empty leaves it out), where
// the public help center is, and where the mail goes when the demo catches
// it (catching).
func PrintLogin(w io.Writer, baseURL, portalLink string, catching bool) {
	fmt.Fprintf(w, "\n  Switchboard demo is ready: open %s\n", baseURL)
	fmt.Fprintf(w, "  Workspace: %s   Password (every demo user): %s\n", Slug, Password)
	for _, p := range People {
		fmt.Fprintf(w, "    %-12s %s\n", p.Role, p.Email)
	}
	if portalLink != "" {
		fmt.Fprintf(w, "  Customer portal, as %s at Northwind Bank (a signed link, as in every notice):\n    %s\n", Customer, portalLink)
	}
	fmt.Fprintf(w, "  Help center (public, what customers find before they ask): %s/help/%s/\n", baseURL, Slug)
	if catching {
		fmt.Fprintf(w, "  Mail: no --smtp-relay, so every mail the center sends (replies, notices, sign-in codes) is caught\n"+
			"    and shown to the admin under Admin → Outbox: %s/admin/outbox\n", baseURL)
	}
	fmt.Fprintln(w)
}

// PortalLink is the demo customer's signed link to her preference page at
// Northwind Bank.
func PortalLink(ctx context.Context, db *store.DB, links *notify.Links) (string, error) {
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return "", err
	}
	id, err := db.PersonaIDByIdentifier(ctx, t.ID, persona.Identifier{Kind: persona.KindEmail, Value: Customer})
	if err != nil {
		return "", err
	}
	return links.Preferences(t.ID, id), nil
}
