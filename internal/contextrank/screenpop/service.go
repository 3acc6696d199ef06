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
	"sync"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextrank"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Connectors fetch a persona's items from the tenant's business systems,
// each within its budget (connectors.Service).
type Connectors interface {
	ForPersona(ctx context.Context, tenantID, personaID string) ([]contextsrc.Result, error)
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
}

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

// Screen is a conversation's screen-pop.
type Screen struct {
	Items   []Shown        `json:"items"`
	Sources []SourceStatus `json:"sources"`
}

// MaxItems is how many items a screen-pop shows at most; OfferItems how
// many the offer card shows.
const (
	MaxItems   = 10
	OfferItems = 3
)

// For builds the screen-pop of the tenant's conversation for the user, at
// most limit items (MaxItems when limit is 0 or more), and records the
// impressions of exactly those shown so that the agent's opens, uses and
// dismissals can be learned from with their true positions. A conversation
// of another tenant is store.ErrNotFound.
func (s *Service) For(ctx context.Context, tenantID, userID, conversationID string, limit int) (Screen, error) {
	if limit <= 0 || limit > MaxItems {
		limit = MaxItems
	}
	g, err := s.gather(ctx, tenantID, userID, conversationID)
	if err != nil {
		return Screen{}, err
	}
	w, err := s.Weights(ctx, tenantID)
	if err != nil {
		return Screen{}, err
	}
	ranked := s.ranker.Rank(w, contextrank.Contact{ID: conversationID, TenantID: tenantID, Words: g.words}, g.items)
	if len(ranked) > limit {
		ranked = ranked[:limit]
	}
	now := s.Clock.Now()
	out := Screen{Items: make([]Shown, len(ranked)), Sources: g.sources}
	events := make([]store.ContextFeedback, len(ranked))
	for i, r := range ranked {
		out.Items[i] = Shown{Item: r.Item, Position: r.Position, Why: r.Why}
		events[i], err = impression(tenantID, userID, conversationID, r, now)
		if err != nil {
			return Screen{}, err
		}
	}
	if err := s.DB.RecordContextFeedback(ctx, tenantID, events); err != nil {
		return Screen{}, fmt.Errorf("screen-pop of %s: %w", conversationID, err)
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
