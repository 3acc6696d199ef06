package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Ingester takes inbound messages: the inbox, the same door every channel uses.
type Ingester interface {
	Ingest(ctx context.Context, in inbox.Inbound) (inbox.Ingested, error)
}

// Reloader tells routing that a tenant's configuration was written around it
// (a sandbox copy's queues and hours); dispatch.Service is one.
type Reloader interface {
	Reload(ctx context.Context, tenantID string)
}

// Deps are what the service works with.
type Deps struct {
	DB       *store.DB
	Inbox    Ingester
	Routing  Reloader // may be nil: nothing routes yet
	Resolver TXTResolver
	Clock    clock.Clock
	Log      *slog.Logger
}

// Service is the admin's side of the sandbox: its outbox, simulated
// customers, the go-live checklist and switch, and sandbox copies.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) *Service { return &Service{d: d} }

// The service's refusals, each with the reason a caller can show.
var (
	// ErrLive is returned for what only a sandbox tenant does (simulated
	// customers: in a live workspace they would mix with real ones).
	ErrLive = errors.New("the workspace is live")
	// ErrNotSandbox is returned for going live twice.
	ErrNotSandbox = errors.New("the workspace is not in the sandbox")
	// ErrIsCopy is returned for going live with, or copying, a sandbox copy:
	// a copy is for trying changes, and the original is what goes live.
	ErrIsCopy = errors.New("the workspace is a sandbox copy")
)

// NotReadyError is a go-live refused: the checklist items that fail.
type NotReadyError struct{ Failing []Item }

func (e *NotReadyError) Error() string {
	names := make([]string, len(e.Failing))
	for i, it := range e.Failing {
		names[i] = it.Key
	}
	return "not ready to go live: " + strings.Join(names, ", ")
}

// Outbox lists what the tenant's senders kept, newest first.
func (s *Service) Outbox(ctx context.Context, tenantID string, page store.Page) ([]store.SandboxMessage, error) {
	return s.d.DB.SandboxMessages(ctx, tenantID, page)
}

// Message returns one kept message of the tenant.
func (s *Service) Message(ctx context.Context, tenantID, id string) (store.SandboxMessage, error) {
	return s.d.DB.SandboxMessage(ctx, tenantID, id)
}

// Simulation is a customer's message made up by an admin to try the
// workspace: from whom, on which channel, saying what.
type Simulation struct {
	Channel string // "email", "sms" or "webchat"
	From    string // an email address, a phone number; for chat, a visitor's email (optional)
	Name    string
	Subject string
	Body    string
}

// SimulatedMetaKey marks a simulated message in its meta.
const SimulatedMetaKey = "simulated"

// Simulate brings a made-up customer message in through the inbox, as the
// channel would: it is stored, routed and answered like any other, and its
// meta says it was simulated, by whom. Identifiers it names are never
// verified. Only a sandbox workspace takes simulations.
func (s *Service) Simulate(ctx context.Context, a accounts.Actor, sim Simulation) (inbox.Ingested, error) {
	t, err := s.d.DB.Tenant(ctx, a.TenantID)
	if err != nil {
		return inbox.Ingested{}, err
	}
	if !t.Sandbox {
		return inbox.Ingested{}, fmt.Errorf("simulate a customer: %w; simulated customers would mix with real ones", ErrLive)
	}
	in := inbox.Inbound{TenantID: t.ID, Channel: sim.Channel, FromName: strings.TrimSpace(sim.Name), Subject: sim.Subject, Body: sim.Body,
		ExternalID: "simulated-" + ids.New(), Meta: map[string]any{SimulatedMetaKey: true, "simulated_by": a.Type + ":" + a.ID}}
	from := strings.TrimSpace(sim.From)
	switch sim.Channel {
	case "email":
		in.From = persona.Identifier{Kind: persona.KindEmail, Value: from}
	case "sms":
		in.From = persona.Identifier{Kind: persona.KindPhone, Value: from}
		in.Subject = ""
	case "webchat":
		in.From = persona.Identifier{Kind: persona.KindWidget, Value: "simulated-" + ids.New()}
		if from != "" {
			in.Also = []persona.Identifier{{Kind: persona.KindEmail, Value: from}}
		}
		in.Subject, in.NewConversation = "", true
	default:
		return inbox.Ingested{}, &tenant.FieldError{Field: "channel", Reason: "one of email, sms, webchat"}
	}
	if sim.Channel != "webchat" && from == "" {
		return inbox.Ingested{}, &tenant.FieldError{Field: "from", Reason: "required: the customer's address on " + sim.Channel}
	}
	// Replies go out from the tenant's (first) address on the channel, as to
	// a message that reached it.
	if accs, err := s.d.DB.ChannelAccounts(ctx, t.ID, sim.Channel); err != nil {
		return inbox.Ingested{}, err
	} else if len(accs) > 0 {
		in.Meta[inbox.MetaAccount] = accs[0].ID
	}
	return s.d.Inbox.Ingest(ctx, in)
}

// GoLive takes the workspace out of the sandbox once its checklist passes,
// and records who did it in the audit log, in the same transaction. From
// then on its mail, texts, push and webhooks leave. override skips the
// checklist (the operator's, for a workspace that knows better); the audit
// entry says so and names what failed.
func (s *Service) GoLive(ctx context.Context, a accounts.Actor, override bool) (Checklist, error) {
	t, err := s.d.DB.Tenant(ctx, a.TenantID)
	if err != nil {
		return Checklist{}, err
	}
	if !t.Sandbox {
		return Checklist{}, ErrNotSandbox
	}
	if _, err := s.d.DB.SandboxCopyOf(ctx, t.ID); err == nil {
		return Checklist{}, fmt.Errorf("go live: %w; make the changes in the live workspace", ErrIsCopy)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Checklist{}, err
	}
	c, err := s.Check(ctx, t.ID)
	if err != nil {
		return c, err
	}
	failing := c.Failing()
	if len(failing) > 0 && !override {
		return c, &NotReadyError{Failing: failing}
	}
	detail := map[string]any{"override": override}
	if len(failing) > 0 {
		keys := make([]string, len(failing))
		for i, it := range failing {
			keys[i] = it.Key
		}
		detail["failing"] = keys
	}
	err = s.d.DB.InTx(ctx, func(st *store.Store, _ *sql.Tx) error {
		if err := st.SetTenantLive(ctx, t.ID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNotSandbox // another admin was quicker
			}
			return err
		}
		return st.AppendAudit(ctx, tenant.AuditEntry{ID: ids.New(), TenantID: t.ID, ActorType: a.Type, ActorID: a.ID,
			Action: "tenant.go_live", TargetType: "tenant", TargetID: t.ID, Detail: detail, RemoteAddr: a.RemoteAddr, CreatedAt: s.d.Clock.Now()})
	})
	if err != nil {
		return c, err
	}
	s.d.Log.Info("workspace went live", "tenant_id", t.ID, "override", override)
	c.Sandbox = false
	return c, nil
}
