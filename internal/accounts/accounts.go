// Package accounts is who may do what in a tenant: signing in and out, sessions,
// users and roles, API keys for business systems, password resets and the audit
// trail of every administrative change. Handlers call it; it calls the store.
package accounts

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/ratelimit"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Errors the HTTP layer maps to statuses.
var (
	ErrBadCredentials  = errors.New("wrong workspace, email or password")
	ErrUnauthenticated = errors.New("not signed in")
)

// SessionTTL is how long a session lives without use; each use extends it.
const SessionTTL = 12 * time.Hour

// ResetTTL is how long a password-reset link works.
const ResetTTL = time.Hour

// Mailer sends one plain-text email. Nil means no relay is configured.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Actor is who performs an action, for authorisation and the audit log.
type Actor struct {
	TenantID   string
	Type       string // "user", "api_key" or "system"
	ID         string
	RemoteAddr string
}

// Service runs the accounts of every tenant.
type Service struct {
	db      *store.DB
	out     *outbox.Outbox
	clock   clock.Clock
	signer  *auth.Signer
	pepper  []byte
	mailer  Mailer
	baseURL string
	log     *slog.Logger

	keysMu sync.Mutex
	keys   map[string]cachedKey // API keys by id, for the fast verify path

	signup SignupMode
	limits *ratelimit.Keyed // sign-ups per address and email, wrong codes per user
}

// Config is what the service needs besides its collaborators.
type Config struct {
	// SecretKey signs reset links and peppers API-key hashes; shared by all nodes.
	SecretKey []byte
	// BaseURL is where people reach the center, for links in emails.
	BaseURL string
	// Signup says who may create a workspace at /signup; empty is SignupOff.
	Signup SignupMode
}

// New returns the accounts service.
func New(db *store.DB, out *outbox.Outbox, clk clock.Clock, mailer Mailer, log *slog.Logger, cfg Config) *Service {
	return &Service{
		db: db, out: out, clock: clk, mailer: mailer, log: log, baseURL: cfg.BaseURL,
		signer: auth.NewSigner(cfg.SecretKey), pepper: cfg.SecretKey, keys: map[string]cachedKey{},
		signup: cfg.Signup, limits: ratelimit.New("accounts", ratelimit.Limit{}),
	}
}

// audit writes an audit entry in the transaction of the change it records.
func audit(ctx context.Context, tx *outbox.Tx, a Actor, at time.Time, action, targetType, targetID string, detail map[string]any) error {
	return tx.AppendAudit(ctx, tenant.AuditEntry{
		ID: ids.New(), TenantID: a.TenantID, ActorType: a.Type, ActorID: a.ID, Action: action,
		TargetType: targetType, TargetID: targetID, Detail: detail, RemoteAddr: a.RemoteAddr, CreatedAt: at,
	})
}

// Audit lists a tenant's audit log, newest first.
func (s *Service) Audit(ctx context.Context, tenantID string, page store.Page) ([]tenant.AuditEntry, error) {
	return s.db.Audit(ctx, tenantID, page)
}

// Tenant returns a tenant by id.
func (s *Service) Tenant(ctx context.Context, id string) (tenant.Tenant, error) {
	return s.db.Tenant(ctx, id)
}

// CreateTenant makes a new tenant with its first admin.
func (s *Service) CreateTenant(ctx context.Context, slug, name string, sandbox bool, admin NewUser) (tenant.Tenant, tenant.User, error) {
	return s.createTenant(ctx, slug, name, sandbox, admin, nil)
}

// createTenant is CreateTenant running also, when not nil, in the same
// transaction once the tenant and its admin exist (sign-up spends its code there).
func (s *Service) createTenant(ctx context.Context, slug, name string, sandbox bool, admin NewUser, also func(*outbox.Tx, tenant.Tenant, tenant.User) error) (tenant.Tenant, tenant.User, error) {
	if err := tenant.ValidateSlug(slug); err != nil {
		return tenant.Tenant{}, tenant.User{}, err
	}
	if name == "" {
		return tenant.Tenant{}, tenant.User{}, &tenant.FieldError{Field: "name", Reason: "is required"}
	}
	if err := textfield.Line("name", name, textfield.MaxName); err != nil {
		return tenant.Tenant{}, tenant.User{}, err
	}
	now := s.clock.Now()
	t := tenant.Tenant{ID: ids.New(), Slug: slug, Name: name, Sandbox: sandbox, CreatedAt: now}
	var u tenant.User
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.CreateTenant(ctx, t); err != nil {
			return err
		}
		admin.Role = tenant.RoleAdmin
		var err error
		u, err = s.createUser(ctx, tx, Actor{TenantID: t.ID, Type: "system", ID: "setup"}, admin)
		if err != nil || also == nil {
			return err
		}
		return also(tx, t, u)
	})
	return t, u, err
}

// Record writes an audit entry for an administrative action done by another
// service (webhook changes, say), and tells connected desktops what changed.
func (s *Service) Record(ctx context.Context, a Actor, action, targetType, targetID string, detail map[string]any) error {
	return s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := audit(ctx, tx, a, s.clock.Now(), action, targetType, targetID, detail); err != nil {
			return err
		}
		if targetType != "webhook_endpoint" {
			return nil
		}
		_, err := tx.Emit(ctx, a.TenantID, event.WebhookEndpointChange, map[string]string{"id": targetID, "action": action})
		return err
	})
}
