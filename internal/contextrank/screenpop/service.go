// Package screenpop puts the right ten things on the agent's screen for a
// conversation: it gathers items from the customer's business systems (the
// context connectors) and from Switchboard's own records (the persona's
// other conversations, notices sent lately, callbacks, the self-service
// trail, suggested articles), ranks them with the tenant's learned model
// (internal/contextrank), records what was shown, and folds the agents'
// feedback back into the model. The ranking itself is pure; this package is
// its I/O.
package screenpop

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextrank"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Connectors fetch a persona's items from the tenant's business systems,
// each within its budget (connectors.Service): the results by wait at the
// latest, connectors still out "pending", and — when some were — every
// connector's final result on rest once the last call ended.
type Connectors interface {
	ForPersonaEarly(ctx context.Context, tenantID, personaID string, wait time.Duration) (first []contextsrc.Result, rest <-chan []contextsrc.Result, err error)
}

// Knowledge suggests articles for a conversation and finds similar past
// cases (reuse.Service).
type Knowledge interface {
	Knowledge(ctx context.Context, a reuse.Actor, conversationID string) (reuse.View, error)
	SimilarCases(ctx context.Context, tenantID, text string, k int) ([]suggest.Match, error)
}

// Deps are the service's dependencies. Connectors and Knowledge may be nil:
// their sources then propose nothing.
type Deps struct {
	DB         *store.DB
	Connectors Connectors
	Knowledge  Knowledge
	Clock      clock.Clock
	Log        *slog.Logger
	// FirstWait is how long the first screen waits for the business
	// systems (zero: DefaultFirstWait); the others fill in a second one.
	FirstWait time.Duration
}

// DefaultFirstWait is how long a screen-pop's first screen waits for the
// business systems. Systems answering later — or not at all, within their
// budgets — fill in (or are named) in a second screen; a system that missed
// it is not waited for next time (contextsrc.Fetcher.FetchEarly).
const DefaultFirstWait = 200 * time.Millisecond

// Service builds screen-pops and learns from their feedback.
type Service struct {
	Deps
	ranker  *contextrank.Ranker
	learner contextrank.Learner

	mu      sync.Mutex
	weights map[string]cachedWeights // by tenant
}

// cachedWeights are a tenant's weights as solved from the stored model that
// version names: solving is a small linear system, worth doing once per
// model rather than once per ranking.
type cachedWeights struct {
	version string
	weights contextrank.Weights
}

// modelVersion tells stored models apart: a learning moves the update time
// and the counts, a reset the reset time (both may fall in one clock tick).
func modelVersion(m *contextrank.Model) string {
	return fmt.Sprint(m.UpdatedAt.UnixNano(), m.ResetAt.UnixNano(), m.Contacts, m.Feedback)
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.FirstWait <= 0 {
		d.FirstWait = DefaultFirstWait
	}
	return &Service{Deps: d, ranker: contextrank.NewRanker(d.Clock), weights: map[string]cachedWeights{}}
}

// SourceStatus is how one source's part of the screen-pop came back: "ok",
// or why it proposed nothing ("timeout", "error", "open_circuit"…).
type SourceStatus struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Shown is one item on the screen: the item, its 1-based position and why.
type Shown struct {
	contextrank.Item
	Position int    `json:"position"`
	Why      string `json:"why"`
}

// Screen is a conversation's screen-pop. Final is false for a first screen
// sent while some business systems are still being waited for (their
// status "pending"): a second, final screen follows.
type Screen struct {
	Items   []Shown        `json:"items"`
	Sources []SourceStatus `json:"sources"`
	Final   bool           `json:"final"`
}

// MaxItems is how many items a screen-pop shows at most; OfferItems how
// many the offer card shows.
const (
	MaxItems   = 10
	OfferItems = 3
)

// For builds the screen-pop of the tenant's conversation for the user, at
// most limit items (MaxItems when limit is 0 or more), waiting for every
// business system (each at most its budget), and records the impressions of
// exactly those shown so that the agent's opens, uses and dismissals can be
// learned from with their true positions. A conversation of another tenant
// is store.ErrNotFound.
func (s *Service) For(ctx context.Context, tenantID, userID, conversationID string, limit int) (Screen, error) {
	g, err := s.gather(ctx, tenantID, userID, conversationID)
	if err != nil {
		return Screen{}, err
	}
	conn := g.first
	if g.rest != nil {
		select {
		case all, ok := <-g.rest:
			if !ok {
				return Screen{}, ctx.Err()
			}
			conn = all
		case <-ctx.Done():
			return Screen{}, ctx.Err()
		}
	}
	return s.screen(ctx, g, conn, userID, limit)
}

// Pop builds the screen-pop like For, but shows it as soon as it can: the
// first screen once every internal source and every business system
// keeping time has answered (at most FirstWait); if some system was still
// out, a second, final screen when the last of them has answered or run out
// of budget. Each screen shown records its impressions (the learner keeps
// an item's latest). An error from show ends it.
func (s *Service) Pop(ctx context.Context, tenantID, userID, conversationID string, limit int, show func(Screen) error) error {
	g, err := s.gather(ctx, tenantID, userID, conversationID)
	if err != nil {
		return err
	}
	first, err := s.screen(ctx, g, g.first, userID, limit)
	if err != nil {
		return err
	}
	if err := show(first); err != nil || g.rest == nil {
		return err
	}
	select {
	case all, ok := <-g.rest:
		if !ok {
			return ctx.Err()
		}
		final, err := s.screen(ctx, g, all, userID, limit)
		if err != nil {
			return err
		}
		return show(final)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// screen ranks what the sources proposed with the connectors' results conn
// and records the impressions of the items shown.
func (s *Service) screen(ctx context.Context, g gathered, conn []contextsrc.Result, userID string, limit int) (Screen, error) {
	if limit <= 0 || limit > MaxItems {
		limit = MaxItems
	}
	w, err := s.Weights(ctx, g.tenantID)
	if err != nil {
		return Screen{}, err
	}
	now := s.Clock.Now()
	items := slices.Clone(g.items)
	sources := make([]SourceStatus, 0, len(conn)+len(g.sources))
	final := true
	for _, r := range conn {
		sources = append(sources, SourceStatus{Name: r.Name, Status: string(r.Status)})
		items = append(items, connectorItems(r, now)...)
		final = final && r.Status != contextsrc.StatusPending
	}
	sources = append(sources, g.sources...)
	ranked := s.ranker.Rank(w, contextrank.Contact{ID: g.conversationID, TenantID: g.tenantID, Words: g.words}, items)
	if len(ranked) > limit {
		ranked = ranked[:limit]
	}
	out := Screen{Items: make([]Shown, len(ranked)), Sources: sources, Final: final}
	events := make([]store.ContextFeedback, len(ranked))
	for i, r := range ranked {
		out.Items[i] = Shown{Item: r.Item, Position: r.Position, Why: r.Why}
		events[i], err = impression(g.tenantID, userID, g.conversationID, r, now)
		if err != nil {
			return Screen{}, err
		}
	}
	if err := s.DB.RecordContextFeedback(ctx, g.tenantID, events); err != nil {
		return Screen{}, fmt.Errorf("screen-pop of %s: %w", g.conversationID, err)
	}
	return out, nil
}

// Weights are the tenant's ranking weights: the defaults moved by what its
// model learned, solved once per stored model.
func (s *Service) Weights(ctx context.Context, tenantID string) (contextrank.Weights, error) {
	m, err := s.model(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c, ok := s.weights[tenantID]
	s.mu.Unlock()
	if ok && c.version == modelVersion(m) {
		return c.weights, nil
	}
	w := m.Weights()
	s.mu.Lock()
	s.weights[tenantID] = cachedWeights{version: modelVersion(m), weights: w}
	s.mu.Unlock()
	return w, nil
}
