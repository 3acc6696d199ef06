package contextsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// Status is how one connector's part of a persona's context came back.
type Status string

// The statuses a connector's result may have.
const (
	StatusOK           Status = "ok"
	StatusCached       Status = "cached"        // kept from an answer within the TTL; no call made
	StatusTimeout      Status = "timeout"       // no answer within the budget
	StatusError        Status = "error"         // refused, unreachable, not 2xx, or an invalid answer
	StatusBadSignature Status = "bad_signature" // an answer not signed with the connector's secret
	StatusOpenCircuit  Status = "open_circuit"  // failing lately: not called until its cool-down ends
)

// Headers of a context request and its answer; the signature scheme is the
// webhooks' (t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">), both ways.
const (
	HeaderSignature = webhook.HeaderSignature
	HeaderEvent     = webhook.HeaderEvent
	HeaderRequest   = "Switchboard-Request"
	UserAgent       = "Switchboard-Context/1"
	// EventFetch is the Switchboard-Event of every context request.
	EventFetch = "context.fetch"
)

// Defaults and bounds of a connector's settings.
const (
	DefaultBudget   = 800 * time.Millisecond
	MaxBudget       = 10 * time.Second
	DefaultCacheTTL = 60 * time.Second
	MaxCacheTTL     = time.Hour
)

// Connector is what the fetcher needs of a tenant's connector; Secret is in
// the clear here, in memory only.
type Connector struct {
	ID, TenantID, Name, URL, Secret string
	Budget                          time.Duration // zero is DefaultBudget
	CacheTTL                        time.Duration // zero caches nothing
}

// Persona is what a connector is told about the customer.
type Persona struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Identifiers []Identifier `json:"identifiers"`
}

// Identifier is one of the persona's addresses. Verified says whether the
// customer proved it; a system should match only on what it can trust.
type Identifier struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Verified bool   `json:"verified"`
}

// Request is the body of a context request.
type Request struct {
	RequestID   string  `json:"request_id"`
	TenantID    string  `json:"tenant_id"`
	ConnectorID string  `json:"connector_id"`
	Persona     Persona `json:"persona"`
}

// Result is one connector's part of a persona's context.
type Result struct {
	ConnectorID string
	Name        string
	Status      Status
	Items       []Item
	// Error says what went wrong, for the admin; never the secret.
	Error string
	// HTTPStatus is the answer's status code, zero when none came.
	HTTPStatus int
	Duration   time.Duration
	// Called is whether a request went out (not for cached or open-circuit).
	Called bool
}

// Fetcher calls connectors. It keeps, per node and in memory, each
// connector's breaker and the cache of answers.
type Fetcher struct {
	client func(tenantID string) *http.Client
	clock  clock.Clock
	policy BreakerPolicy

	mu       sync.Mutex
	breakers map[cacheKey]*Breaker // personaID left empty
	late     map[cacheKey]bool     // connectors that missed a split fetch's wait (FetchEarly)
	cache    *Cache
}

// FetcherOptions build a Fetcher.
type FetcherOptions struct {
	// Client returns the HTTP client for a tenant's calls: one dialling
	// through netguard (see ADR 0026 for the demo's own connector).
	Client func(tenantID string) *http.Client
	Clock  clock.Clock
	// Breaker is zero for DefaultBreaker.
	Breaker BreakerPolicy
	// CacheEntries bounds the cache; zero is 10,000.
	CacheEntries int
}

// NewFetcher returns a fetcher.
func NewFetcher(o FetcherOptions) *Fetcher {
	if o.Breaker.Failures == 0 {
		o.Breaker = DefaultBreaker
	}
	if o.CacheEntries == 0 {
		o.CacheEntries = 10_000
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	return &Fetcher{client: o.Client, clock: o.Clock, policy: o.Breaker,
		breakers: map[cacheKey]*Breaker{}, late: map[cacheKey]bool{}, cache: NewCache(o.CacheEntries)}
}

// Fetch asks every connector about p at once and returns their results in
// the order of cs. Each call is bounded by its connector's budget, so Fetch
// returns by the largest budget whatever the systems do; a fresh cached
// answer is used without a call, and a connector whose breaker is open is
// not called.
func (f *Fetcher) Fetch(ctx context.Context, p Persona, cs []Connector) []Result {
	out := make([]Result, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		if items, ok := f.cached(c, p.ID); ok {
			out[i] = Result{ConnectorID: c.ID, Name: c.Name, Status: StatusCached, Items: items}
			continue
		}
		if !f.allow(c) {
			out[i] = openCircuit(c, f.policy)
			continue
		}
		wg.Go(func() {
			r := f.Call(ctx, p, c)
			if ctx.Err() == nil || r.Status == StatusOK { // a caller gone away is no failure of the system's
				f.done(c, p.ID, r)
			}
			out[i] = r
		})
	}
	wg.Wait()
	return out
}

// Call makes one request to c about p, within its budget, and reads the
// answer: what an admin's test button shows. It uses neither the cache nor
// the breaker.
func (f *Fetcher) Call(ctx context.Context, p Persona, c Connector) Result {
	budget := c.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	start := f.clock.Now()
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	r := Result{ConnectorID: c.ID, Name: c.Name, Called: true}
	items, code, err := f.call(ctx, p, c)
	r.Duration, r.HTTPStatus = f.clock.Now().Sub(start), code
	switch {
	case err == nil:
		r.Status, r.Items = StatusOK, items
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.Status, r.Error = StatusTimeout, fmt.Sprintf("no answer within %s", budget)
	case errors.Is(err, webhook.ErrSignature):
		r.Status, r.Error = StatusBadSignature, err.Error()
	default:
		r.Status, r.Error = StatusError, err.Error()
	}
	return r
}

func (f *Fetcher) call(ctx context.Context, p Persona, c Connector) ([]Item, int, error) {
	req := Request{RequestID: ids.New(), TenantID: c.TenantID, ConnectorID: c.ID, Persona: p}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, 0, fmt.Errorf("encode request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("User-Agent", UserAgent)
	hreq.Header.Set(HeaderEvent, EventFetch)
	hreq.Header.Set(HeaderRequest, req.RequestID)
	hreq.Header.Set(HeaderSignature, webhook.Sign(c.Secret, f.clock.Now(), body))
	resp, err := f.client(c.TenantID).Do(hreq)
	if err != nil {
		return nil, 0, fmt.Errorf("call %s: %w", c.Name, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, resp.StatusCode, fmt.Errorf("answered HTTP %d", resp.StatusCode)
	}
	// Verify before parsing, as webhook receivers do: an unsigned answer
	// could be anyone's, and is shown to no agent.
	if err := webhook.Verify(c.Secret, resp.Header.Get(HeaderSignature), answer, f.clock.Now(), 0); err != nil {
		return nil, resp.StatusCode, fmt.Errorf("answer: %w", err)
	}
	items, err := ParseAnswer(answer, req.RequestID)
	return items, resp.StatusCode, err
}

func (f *Fetcher) cached(c Connector, personaID string) ([]Item, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cache.Get(c.TenantID, c.ID, personaID, f.clock.Now())
}

func (f *Fetcher) allow(c Connector) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.breaker(c.TenantID, c.ID).Allow(f.policy, f.clock.Now())
}

func (f *Fetcher) done(c Connector, personaID string, r Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	f.breaker(c.TenantID, c.ID).Done(f.policy, now, r.Status == StatusOK)
	if r.Status == StatusOK {
		f.cache.Put(c.TenantID, c.ID, personaID, r.Items, now, c.CacheTTL)
	}
}

func (f *Fetcher) breaker(tenantID, connectorID string) *Breaker {
	k := cacheKey{tenantID: tenantID, connectorID: connectorID}
	b := f.breakers[k]
	if b == nil {
		b = &Breaker{}
		f.breakers[k] = b
	}
	return b
}

// BreakerState is the connector's breaker state on this node.
func (f *Fetcher) BreakerState(tenantID, connectorID string) BreakerState {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.breakers[cacheKey{tenantID: tenantID, connectorID: connectorID}]
	if b == nil {
		return Closed
	}
	return b.State(f.policy, f.clock.Now())
}

// Forget drops a connector's breaker and cached answers, after it is edited
// (a fixed URL deserves a fresh try) or deleted.
func (f *Fetcher) Forget(tenantID, connectorID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.breakers, cacheKey{tenantID: tenantID, connectorID: connectorID})
	delete(f.late, cacheKey{tenantID: tenantID, connectorID: connectorID})
	f.cache.Forget(tenantID, connectorID)
}
