package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Store is what webhooks need from storage; *store.DB provides it. Work inside a
// transaction goes through the *store.Store that InTx hands over.
type Store interface {
	CreateWebhookEndpoint(ctx context.Context, tenantID string, e store.WebhookEndpoint) error
	WebhookEndpoint(ctx context.Context, tenantID, id string) (store.WebhookEndpoint, error)
	WebhookEndpoints(ctx context.Context, tenantID string, page store.Page) ([]store.WebhookEndpoint, error)
	WebhookEndpointsBy(ctx context.Context, tenantID, creator string) ([]store.WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, tenantID string, e store.WebhookEndpoint) error
	UnsealedWebhookSecrets(ctx context.Context) ([]store.WebhookEndpoint, error)
	SealWebhookSecret(ctx context.Context, tenantID, id, plain, sealed string) (bool, error)
	DeleteWebhookEndpoint(ctx context.Context, tenantID, id string) error
	WebhookDelivery(ctx context.Context, tenantID, id string) (store.WebhookDelivery, error)
	WebhookDeliveries(ctx context.Context, tenantID, endpointID string, page store.Page) ([]store.WebhookDelivery, error)
	WebhookAttempts(ctx context.Context, tenantID, deliveryID string) ([]store.WebhookAttempt, error)
	FailWebhookDelivery(ctx context.Context, tenantID, id, reason string, at time.Time) error
	InTx(ctx context.Context, fn func(s *store.Store, tx *sql.Tx) error) error
}

// Queue enqueues jobs in a caller's transaction; *jobs.Queue provides it.
type Queue interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Service manages a tenant's endpoints and deliveries, and turns events into
// deliveries. HTTP handlers call it; the Worker does the sending.
type Service struct {
	store Store
	queue Queue
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
}

// New returns the webhook service.
func New(st Store, q Queue, clk clock.Clock, logger *slog.Logger, cfg Config) *Service {
	return &Service{store: st, queue: q, clock: clk, log: logger, cfg: cfg.withDefaults()}
}

// EndpointInput is what a tenant gives to register an endpoint.
type EndpointInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
	// By names the caller ("user:<id>", "key:<id>"), set by the API, not decoded:
	// the endpoint is theirs, and is switched off when they may no longer read
	// what it receives (CreatorChanged).
	By string `json:"-"`
}

// EndpointPatch changes some of an endpoint's fields; nil ones stay as they are.
type EndpointPatch struct {
	URL         *string  `json:"url"`
	Description *string  `json:"description"`
	EventTypes  []string `json:"event_types"`
	Active      *bool    `json:"active"`
	// RotateSecret replaces the signing secret; read the new one from the result.
	RotateSecret bool `json:"rotate_secret"`
	// By names the caller, as on EndpointInput: whoever changes an endpoint
	// (and so may read all it receives) takes it over.
	By string `json:"-"`
}

// Create registers an active endpoint with a fresh secret, for a caller holding
// by: it may subscribe only to what by may read. The result is the only time the
// secret is handed out.
func (s *Service) Create(ctx context.Context, tenantID string, by access.Grant, in EndpointInput) (Endpoint, error) {
	u, err := s.validateURL(ctx, in.URL)
	if err != nil {
		return Endpoint{}, err
	}
	types, err := ValidateEventTypes(in.EventTypes, by)
	if err != nil {
		return Endpoint{}, err
	}
	desc, err := validateDescription(in.Description)
	if err != nil {
		return Endpoint{}, err
	}
	now := s.now()
	e := Endpoint{ID: ids.New(), TenantID: tenantID, URL: u, Description: desc,
		EventTypes: types, Active: true, CreatedAt: now, UpdatedAt: now, CreatedBy: in.By}
	if err := s.setSecret(&e); err != nil {
		return Endpoint{}, err
	}
	if err := s.store.CreateWebhookEndpoint(ctx, tenantID, e.record()); err != nil {
		return Endpoint{}, err
	}
	s.log.InfoContext(ctx, "webhook endpoint created", "tenant_id", tenantID, "endpoint_id", e.ID)
	return e, nil
}

// Get returns the tenant's endpoint; another tenant's is store.ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Endpoint, error) {
	e, err := s.store.WebhookEndpoint(ctx, tenantID, id)
	return endpointOf(e), err
}

// List returns a page of the tenant's endpoints, oldest first; pass the last id
// as page.After for the next page.
func (s *Service) List(ctx context.Context, tenantID string, page store.Page) ([]Endpoint, error) {
	rows, err := s.store.WebhookEndpoints(ctx, tenantID, page)
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = endpointOf(r)
	}
	return out, err
}

// Update applies a patch to the tenant's endpoint, for a caller holding by, and
// returns the result. The caller must be able to read every type the endpoint
// receives, before and after: otherwise a key that may only manage webhooks could
// point an admin's endpoint at itself and read what the admin subscribed to.
func (s *Service) Update(ctx context.Context, tenantID, id string, by access.Grant, p EndpointPatch) (Endpoint, error) {
	rec, err := s.store.WebhookEndpoint(ctx, tenantID, id)
	if err != nil {
		return Endpoint{}, err
	}
	e := endpointOf(rec)
	if err := CheckReadable(e.EventTypes, by); err != nil {
		return Endpoint{}, err
	}
	if p.URL != nil {
		if e.URL, err = s.validateURL(ctx, *p.URL); err != nil {
			return Endpoint{}, err
		}
	}
	if p.Description != nil {
		if e.Description, err = validateDescription(*p.Description); err != nil {
			return Endpoint{}, err
		}
	}
	if p.EventTypes != nil {
		if e.EventTypes, err = ValidateEventTypes(p.EventTypes, by); err != nil {
			return Endpoint{}, err
		}
	}
	if p.Active != nil {
		e.Active = *p.Active
	}
	if p.RotateSecret {
		if err := s.setSecret(&e); err != nil {
			return Endpoint{}, err
		}
	}
	e.UpdatedAt = s.now()
	if p.By != "" {
		e.CreatedBy = p.By
	}
	if err := s.store.UpdateWebhookEndpoint(ctx, tenantID, e.record()); err != nil {
		return Endpoint{}, err
	}
	s.log.InfoContext(ctx, "webhook endpoint updated", "tenant_id", tenantID, "endpoint_id", id,
		"active", e.Active, "secret_rotated", p.RotateSecret)
	return e, nil
}

// CreatorChanged switches off the endpoints that creator ("user:<id>",
// "key:<id>") made or last changed and that receive an event type now holds
// no permission to read; now is nil when the creator can read nothing any
// more (a disabled user, a revoked key). Deliveries to a switched-off endpoint
// fail as "endpoint disabled"; an admin who may read it all can switch it back
// on, and so takes it over. It returns the endpoints switched off.
func (s *Service) CreatorChanged(ctx context.Context, tenantID, creator string, now *access.Grant) ([]string, error) {
	es, err := s.store.WebhookEndpointsBy(ctx, tenantID, creator)
	if err != nil {
		return nil, err
	}
	var off []string
	for _, rec := range es {
		e := endpointOf(rec)
		if !e.Active || (now != nil && CheckReadable(e.EventTypes, *now) == nil) {
			continue
		}
		e.Active, e.UpdatedAt = false, s.now()
		if err := s.store.UpdateWebhookEndpoint(ctx, tenantID, e.record()); err != nil {
			return off, fmt.Errorf("switch off endpoint %s: %w", e.ID, err)
		}
		off = append(off, e.ID)
		s.log.InfoContext(ctx, "webhook endpoint switched off: its creator may no longer read what it receives",
			"tenant_id", tenantID, "endpoint_id", e.ID, "creator", creator)
	}
	return off, nil
}

// Delete removes the tenant's endpoint with its deliveries; jobs still queued for
// them find nothing and are cancelled.
func (s *Service) Delete(ctx context.Context, tenantID, id string) error {
	if err := s.store.DeleteWebhookEndpoint(ctx, tenantID, id); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "webhook endpoint deleted", "tenant_id", tenantID, "endpoint_id", id)
	return nil
}

// now is the clock's time at the precision the store keeps, so what a method
// returns equals what a later read returns.
func (s *Service) now() time.Time { return s.clock.Now().Truncate(time.Microsecond) }
