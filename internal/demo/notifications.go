package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
)

// Customer is the demo's customer of two businesses: Northwind Bank and
// Riverside Clinic know her by the same address, so the consumer portal shows
// her both.
const Customer = "zoe.mueller@example.com"

// Clinic is the second demo business, there to show the portal's view across
// businesses. Its admin signs in with the demo password too.
var Clinic = struct{ Slug, Name, Admin, Address string }{"riverside", "Riverside Clinic", "admin@riverside.example", "care@riverside.example"}

// bankTypes are Northwind Bank's notification types: one per category, one
// expecting a reply.
var bankTypes = []notice.Type{
	{Key: "card.blocked", Name: "Card blocked", Category: prefs.Critical, Channels: []string{"sms", "webpush", "email"},
		ReplyExpected: true, ConfirmWithin: notice.Duration(15 * time.Minute), Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "We blocked your card ending {{.last4}}", Body: "Hello {{.name}},\n\nwe blocked your card ending {{.last4}} after a payment of {{.amount}} at {{.merchant}} that looked unusual.\nWas it you? Reply YES or NO.\n\nDetails: {{.link}}"},
			"sms":   {Short: "Northwind: card ending {{.last4}} blocked after {{.amount}} at {{.merchant}}. Was it you? Reply YES or NO. {{.link}}"},
			"web":   {Subject: "Card ending {{.last4}} blocked", Body: "We blocked your card ending {{.last4}} after a payment of {{.amount}} at {{.merchant}}. Was it you?"},
		}}},
	{Key: "statement.ready", Name: "Statement ready", Category: prefs.Transactional, Channels: []string{"email", "webpush"},
		Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "Your {{.month}} statement is ready", Body: "Hello {{.name}},\n\nyour statement for {{.month}} is ready: {{.link}}\n\nManage your notifications: {{.preferences_link}}"},
			"web":   {Subject: "{{.month}} statement", Body: "Your statement for {{.month}} is ready. Closing balance: {{.balance}}."},
		}}},
	{Key: "offers.savings", Name: "Savings offers", Category: prefs.Marketing, Channels: []string{"email"}, SendTime: notice.SendBest,
		Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "{{.rate}} on savings, this month only", Body: "Hello {{.name}},\n\nopen a savings account this month and earn {{.rate}}.\n\n{{.link}}\nNo more offers: {{.unsubscribe_link}}"},
		}}},
}

// clinicTypes are Riverside Clinic's: a reminder the patient answers.
var clinicTypes = []notice.Type{
	{Key: "appointment.reminder", Name: "Appointment reminder", Category: prefs.Transactional, Channels: []string{"sms", "email"},
		ReplyExpected: true, Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "Your appointment on {{.when}}", Body: "Hello {{.name}},\n\nthis is a reminder of your appointment with {{.doctor}} on {{.when}}.\nReply to confirm or to ask for another time.\n\n{{.link}}"},
			"sms":   {Short: "Riverside Clinic: appointment with {{.doctor}} on {{.when}}. Reply YES to confirm. {{.link}}"},
			"web":   {Subject: "Appointment on {{.when}}", Body: "Your appointment with {{.doctor}} is on {{.when}}."},
		}}},
}

// seedNotifications gives the bank its notification types and defaults, and
// raises a statement for the demo customer.
func seedNotifications(ctx context.Context, n *notify.Service, tenantID string) error {
	if _, err := n.PutSettings(ctx, tenantID, notice.Settings{
		Defaults: prefs.TenantDefaults{TimeZone: "Europe/Lisbon", QuietHours: &prefs.QuietHours{From: "22:00", To: "08:00"}},
		Caps:     map[prefs.Category]notice.Cap{prefs.Marketing: {Max: 2, Window: notice.Duration(7 * 24 * time.Hour)}},
	}); err != nil {
		return fmt.Errorf("demo notification settings: %w", err)
	}
	for _, t := range bankTypes {
		if _, err := n.PutType(ctx, tenantID, t); err != nil {
			return fmt.Errorf("demo notification type %s: %w", t.Key, err)
		}
	}
	_, err := n.Raise(ctx, tenantID, notify.RaiseInput{Type: "statement.ready", To: &notice.Target{Email: Customer},
		Data: map[string]any{"month": "October", "balance": "€2,310.45"}, IdempotencyKey: "demo-statement-october"})
	if err != nil {
		return fmt.Errorf("demo notification: %w", err)
	}
	return nil
}

// seedClinic creates the second business: the same customer, a front-desk
// queue with her conversation waiting in it, and an appointment reminder.
func seedClinic(ctx context.Context, acc *accounts.Service, conversations *inbox.Service, routing *dispatch.Service, n *notify.Service) error {
	t, _, err := acc.CreateTenant(ctx, Clinic.Slug, Clinic.Name, false, // live, as Northwind
		accounts.NewUser{Email: Clinic.Admin, Name: "Clinic Admin", Password: Password})
	if err != nil {
		return fmt.Errorf("create demo clinic: %w", err)
	}
	// A queue first, so the conversation below waits in it like a real one.
	if _, err := routing.SaveQueue(ctx, inbox.Actor{TenantID: t.ID}, dispatch.QueueConfig{Name: "Front desk", Strategy: "longest_idle",
		Default: true, OfferTimeoutSeconds: 30}); err != nil {
		return fmt.Errorf("demo clinic queue: %w", err)
	}
	if _, err := conversations.CreateAccount(ctx, inbox.Actor{TenantID: t.ID}, channel.Account{Channel: "email", Address: Clinic.Address, Name: Clinic.Name}); err != nil {
		return fmt.Errorf("create demo clinic mailbox: %w", err)
	}
	if _, err := conversations.Ingest(ctx, inbox.Inbound{TenantID: t.ID, Channel: "email", From: persona.Identifier{Kind: persona.KindEmail, Value: Customer, Verified: true, VerifiedBy: persona.MethodMailFromMailbox},
		FromName: "Zoë Müller", Subject: "Blood test results", Body: "Hello, are my blood test results in yet?", ExternalID: "demo-clinic-1@example.com"}); err != nil {
		return fmt.Errorf("seed demo clinic conversation: %w", err)
	}
	for _, ty := range clinicTypes {
		if _, err := n.PutType(ctx, t.ID, ty); err != nil {
			return fmt.Errorf("demo clinic notification type %s: %w", ty.Key, err)
		}
	}
	_, err = n.Raise(ctx, t.ID, notify.RaiseInput{Type: "appointment.reminder", To: &notice.Target{Email: Customer},
		Data: map[string]any{"doctor": "Dr. Okafor", "when": "Tuesday 1 December, 09:30"}, IdempotencyKey: "demo-reminder-1"})
	if err != nil {
		return fmt.Errorf("demo clinic notification: %w", err)
	}
	return nil
}
