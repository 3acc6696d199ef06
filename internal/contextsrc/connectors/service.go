// Package connectors runs a tenant's context connectors: it stores them with
// their secrets sealed, checks their URLs with netguard when saved, calls
// them for a persona through the contextsrc fetcher, records every call for
// the admin's figures, and tests one on request.
package connectors

import (
	"context"
	"fmt"
	"log/slog"

	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// Connector is a tenant's connector as shown to its admins (never its secret).
type Connector struct {
	ID, Name, URL        string
	Budget, CacheTTL     time.Duration
	Active               bool
	CreatedAt, UpdatedAt time.Time
}

// Input makes a connector; zero Budget and nil CacheTTL take the defaults.
type Input struct {
	Name     string
	URL      string
	Budget   time.Duration
	CacheTTL *time.Duration
}

// Patch changes a connector; nil fields stay. RotateSecret makes a new secret,
// returned once.
type Patch struct {
	Name         *string
	URL          *string
	Budget       *time.Duration
	CacheTTL     *time.Duration
	Active       *bool
	RotateSecret bool
}

// Deps are the service's dependencies.
type Deps struct {
	DB     *store.DB
	Egress *Egress
	Clock  clock.Clock
	Log    *slog.Logger
	// ServerKey is the server's secret key; connector secrets are sealed
	// under a key derived from it.
	ServerKey []byte
	// Breaker is zero for contextsrc.DefaultBreaker.
	Breaker contextsrc.BreakerPolicy
}

// Service runs the tenants' connectors on this node.
type Service struct {
	db     *store.DB
	egress *Egress
	fetch  *contextsrc.Fetcher
	clock  clock.Clock
	log    *slog.Logger
	seal   sealer
}

// New returns the service.
func New(d Deps) (*Service, error) {
	s, err := newSealer(d.ServerKey)
	if err != nil {
		return nil, err
	}
	guarded := d.Egress.Guard.Client(0) // each call is bounded by its budget instead
	f := contextsrc.NewFetcher(contextsrc.FetcherOptions{Client: d.Egress.client(guarded, d.Egress.selfClient()),
		Clock: d.Clock, Breaker: d.Breaker})
	return &Service{db: d.DB, egress: d.Egress, fetch: f, clock: d.Clock, log: d.Log, seal: s}, nil
}

func out(c store.ContextConnector) Connector {
	return Connector{ID: c.ID, Name: c.Name, URL: c.URL, Budget: c.Budget, CacheTTL: c.CacheTTL, Active: c.Active,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Create stores a new connector and returns it with its signing secret,
// which is shown this once.
func (s *Service) Create(ctx context.Context, tenantID string, in Input) (Connector, string, error) {
	now := s.clock.Now()
	c := store.ContextConnector{ID: ids.New(), TenantID: tenantID, Active: true, CreatedAt: now, UpdatedAt: now,
		Budget: contextsrc.DefaultBudget, CacheTTL: contextsrc.DefaultCacheTTL}
	p := Patch{Name: &in.Name, URL: &in.URL, CacheTTL: in.CacheTTL}
	if in.Budget != 0 {
		p.Budget = &in.Budget
	}
	if err := s.apply(ctx, &c, p); err != nil {
		return Connector{}, "", err
	}
	secret := webhook.NewSecret()
	c.SealedSecret = s.seal.seal(c.ID, secret)
	if err := s.db.CreateContextConnector(ctx, c); err != nil {
		return Connector{}, "", err
	}
	s.log.InfoContext(ctx, "context connector created", "tenant_id", tenantID, "connector_id", c.ID)
	return out(c), secret, nil
}

// apply checks p's fields and sets them on c.
func (s *Service) apply(ctx context.Context, c *store.ContextConnector, p Patch) error {
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || utf8.RuneCountInString(name) > 60 {
			return &tenant.FieldError{Field: "name", Reason: "is required, at most 60 characters (e.g. billing)"}
		}
		c.Name = name
	}
	if p.URL != nil {
		u, err := webhook.ValidateURL(*p.URL)
		if err != nil {
			return err
		}
		if err := s.egress.checkURL(ctx, c.TenantID, u); err != nil {
			return err
		}
		c.URL = u
	}
	if p.Budget != nil {
		if *p.Budget < 50*time.Millisecond || *p.Budget > contextsrc.MaxBudget {
			return &tenant.FieldError{Field: "budget_ms", Reason: fmt.Sprintf("must be between 50 and %d", contextsrc.MaxBudget.Milliseconds())}
		}
		c.Budget = *p.Budget
	}
	if p.CacheTTL != nil {
		if *p.CacheTTL < 0 || *p.CacheTTL > contextsrc.MaxCacheTTL {
			return &tenant.FieldError{Field: "cache_ttl_seconds", Reason: fmt.Sprintf("must be between 0 (no cache) and %d", int(contextsrc.MaxCacheTTL.Seconds()))}
		}
		c.CacheTTL = *p.CacheTTL
	}
	if p.Active != nil {
		c.Active = *p.Active
	}
	return nil
}

// Get returns the tenant's connector; another tenant's is store.ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Connector, error) {
	c, err := s.db.ContextConnector(ctx, tenantID, id)
	return out(c), err
}

// List returns the tenant's connectors by name.
func (s *Service) List(ctx context.Context, tenantID string) ([]Connector, error) {
	cs, err := s.db.ContextConnectors(ctx, tenantID, false)
	if err != nil {
		return nil, err
	}
	list := make([]Connector, len(cs))
	for i, c := range cs {
		list[i] = out(c)
	}
	return list, nil
}

// Update changes a connector; with RotateSecret it returns the new secret
// (shown this once), else "". Its breaker and cached answers on this node
// are dropped: an edited connector deserves a fresh try.
func (s *Service) Update(ctx context.Context, tenantID, id string, p Patch) (Connector, string, error) {
	c, err := s.db.ContextConnector(ctx, tenantID, id)
	if err != nil {
		return Connector{}, "", err
	}
	if err := s.apply(ctx, &c, p); err != nil {
		return Connector{}, "", err
	}
	var secret string
	if p.RotateSecret {
		secret = webhook.NewSecret()
		c.SealedSecret = s.seal.seal(c.ID, secret)
	}
	c.UpdatedAt = s.clock.Now()
	if err := s.db.UpdateContextConnector(ctx, c); err != nil {
		return Connector{}, "", err
	}
	s.fetch.Forget(tenantID, id)
	return out(c), secret, nil
}

// Delete deletes a connector and its calls.
func (s *Service) Delete(ctx context.Context, tenantID, id string) error {
	if err := s.db.DeleteContextConnector(ctx, tenantID, id); err != nil {
		return err
	}
	s.fetch.Forget(tenantID, id)
	return nil
}

// Secret returns a connector's signing secret in the clear, for the demo's
// own connector, which answers with it. Never log it.
func (s *Service) Secret(ctx context.Context, tenantID, id string) (string, error) {
	c, err := s.db.ContextConnector(ctx, tenantID, id)
	if err != nil {
		return "", err
	}
	return s.seal.open(c.ID, c.SealedSecret)
}

// ForPersona asks the tenant's active connectors about the persona at once
// and returns each one's result, in the connectors' order by name. A foreign
// or unknown persona is store.ErrNotFound.
func (s *Service) ForPersona(ctx context.Context, tenantID, personaID string) ([]contextsrc.Result, error) {
	p, err := s.persona(ctx, tenantID, personaID)
	if err != nil {
		return nil, err
	}
	stored, err := s.db.ContextConnectors(ctx, tenantID, true)
	if err != nil {
		return nil, err
	}
	cs := make([]contextsrc.Connector, 0, len(stored))
	for _, c := range stored {
		fc, err := s.connector(c)
		if err != nil {
			return nil, err
		}
		cs = append(cs, fc)
	}
	rs := s.fetch.Fetch(ctx, p, cs)
	s.record(ctx, tenantID, rs)
	return rs, nil
}

// ForPersonaEarly is ForPersona in two parts (contextsrc.Fetcher.FetchEarly):
// first by wait at the latest, with connectors still out "pending"; rest,
// when not nil, every connector's final result once the last call ended.
func (s *Service) ForPersonaEarly(ctx context.Context, tenantID, personaID string, wait time.Duration) ([]contextsrc.Result, <-chan []contextsrc.Result, error) {
	p, err := s.persona(ctx, tenantID, personaID)
	if err != nil {
		return nil, nil, err
	}
	stored, err := s.db.ContextConnectors(ctx, tenantID, true)
	if err != nil {
		return nil, nil, err
	}
	cs := make([]contextsrc.Connector, 0, len(stored))
	for _, c := range stored {
		fc, err := s.connector(c)
		if err != nil {
			return nil, nil, err
		}
		cs = append(cs, fc)
	}
	first, rest := s.fetch.FetchEarly(ctx, p, cs, wait)
	s.record(ctx, tenantID, first)
	if rest == nil {
		return first, nil, nil
	}
	out := make(chan []contextsrc.Result, 1)
	go func() {
		defer close(out)
		all, ok := <-rest
		if !ok {
			return
		}
		var late []contextsrc.Result
		for i, r := range all {
			if first[i].Status == contextsrc.StatusPending {
				late = append(late, r)
			}
		}
		s.record(ctx, tenantID, late)
		out <- all
	}()
	return first, out, nil
}

// Test calls one connector about a persona, whatever its breaker and cache
// say and even if inactive, and records the call: what the admin's test
// button shows.
func (s *Service) Test(ctx context.Context, tenantID, id, personaID string) (contextsrc.Result, error) {
	c, err := s.db.ContextConnector(ctx, tenantID, id)
	if err != nil {
		return contextsrc.Result{}, err
	}
	p, err := s.persona(ctx, tenantID, personaID)
	if err != nil {
		return contextsrc.Result{}, err
	}
	fc, err := s.connector(c)
	if err != nil {
		return contextsrc.Result{}, err
	}
	r := s.fetch.Call(ctx, p, fc)
	s.record(ctx, tenantID, []contextsrc.Result{r})
	return r, nil
}

func (s *Service) connector(c store.ContextConnector) (contextsrc.Connector, error) {
	secret, err := s.seal.open(c.ID, c.SealedSecret)
	if err != nil {
		return contextsrc.Connector{}, fmt.Errorf("connector %s: %w", c.ID, err)
	}
	return contextsrc.Connector{ID: c.ID, TenantID: c.TenantID, Name: c.Name, URL: c.URL, Secret: secret,
		Budget: c.Budget, CacheTTL: c.CacheTTL}, nil
}

// persona is what connectors are told: the persona's id, name and proven and
// unproven identifiers, each marked; claims typed into forms are not sent.
func (s *Service) persona(ctx context.Context, tenantID, personaID string) (contextsrc.Persona, error) {
	p, err := s.db.Persona(ctx, tenantID, personaID)
	if err != nil {
		return contextsrc.Persona{}, err
	}
	idents, err := s.db.Identifiers(ctx, tenantID, personaID)
	if err != nil {
		return contextsrc.Persona{}, err
	}
	out := contextsrc.Persona{ID: p.ID, Name: p.Name, Identifiers: make([]contextsrc.Identifier, 0, len(idents))}
	for _, id := range idents {
		out.Identifiers = append(out.Identifiers, contextsrc.Identifier{Kind: string(id.Kind), Value: id.Value, Verified: id.Verified})
	}
	return out, nil
}

// record stores the calls that went out; a failure to record is logged,
// never the agent's problem.
func (s *Service) record(ctx context.Context, tenantID string, rs []contextsrc.Result) {
	var calls []store.ContextCall
	now := s.clock.Now()
	for _, r := range rs {
		if !r.Called {
			continue
		}
		calls = append(calls, store.ContextCall{ID: ids.New(), ConnectorID: r.ConnectorID, At: now, Duration: r.Duration,
			Status: string(r.Status), HTTPStatus: r.HTTPStatus, Error: r.Error})
		if r.Status != contextsrc.StatusOK {
			s.log.WarnContext(ctx, "context connector failed", "tenant_id", tenantID, "connector_id", r.ConnectorID,
				"status", r.Status, "err", r.Error)
		}
	}
	if len(calls) == 0 {
		return
	}
	if err := s.db.RecordContextCalls(context.WithoutCancel(ctx), tenantID, calls); err != nil {
		s.log.ErrorContext(ctx, "record context connector calls", "tenant_id", tenantID, "err", err)
	}
}
