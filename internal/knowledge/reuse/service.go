// Package reuse is knowledge at work in the desktop (KCS's "solve loop"):
// the articles suggested beside a conversation, the searches an agent runs
// there, the articles linked to it (a reuse), dismissals, the outcome asked
// on resolution, the draft of a new article from the conversation, the past
// cases resolved conversations leave behind and those imported from another
// help desk. The ranking itself is the pure suggest package.
package reuse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Articles reads the tenant's articles (the knowledge store).
type Articles interface {
	Article(ctx context.Context, tenantID, id string) (knowledge.Article, error)
	ArticleByExternalID(ctx context.Context, tenantID, externalID string) (knowledge.Article, error)
}

// Search is the text match of the search index.
type Search interface {
	Match(ctx context.Context, q Query) ([]Hit, error)
}

// Query is a text match within one tenant's articles.
type Query struct {
	TenantID string
	Text     string
	// States the hits may have; empty means every state but archived.
	States []knowledge.State
	Limit  int
}

// reusable are the states agents reuse (knowledge.Article.ForAgents).
var reusable = []knowledge.State{knowledge.NotValidated, knowledge.Validated, knowledge.Published}

// Hit is one article the search index found, as the search API shows it.
type Hit struct {
	ArticleID   string             `json:"article_id"`
	Slug        string             `json:"slug"`
	Title       string             `json:"title"`
	SnippetHTML string             `json:"snippet_html"`
	State       knowledge.State    `json:"state"`
	Audience    knowledge.Audience `json:"audience"`
	Locale      string             `json:"locale"`
	Tags        []string           `json:"tags"`
	Category    string             `json:"category"`
	Score       float64            `json:"score"`
}

// Feedback counts the help center's "was this helpful?" answers by article
// (the store); nil leaves them out.
type Feedback interface {
	ArticleVotes(ctx context.Context, tenantID string) (map[string]store.ArticleVotes, error)
}

// Deps are what the service works with.
type Deps struct {
	DB       *store.DB
	Articles Articles
	Search   Search
	Feedback Feedback // optional
	Clock    clock.Clock
	Log      *slog.Logger
}

// Service runs knowledge reuse for conversations.
type Service struct {
	Deps
	weights suggest.Weights
	mu      sync.Mutex
	indexes map[string]casesIndex // by tenant
}

type casesIndex struct {
	version string
	cases   *suggest.Cases
}

// New returns the service, ranking with suggest.DefaultWeights.
func New(d Deps) *Service {
	return &Service{Deps: d, weights: suggest.DefaultWeights, indexes: map[string]casesIndex{}}
}

// Actor is who acts: a user of the tenant, or an API key (UserID "").
type Actor struct {
	TenantID string
	UserID   string
}

// Limits.
const (
	// MaxCases is how many of the tenant's most recent past cases the
	// suggestions learn from.
	MaxCases = 20000
	// suggestionCount is how many suggestions the desktop shows.
	suggestionCount = 10
	// textHits is how many text-match hits the ranker blends.
	textHits = 30
	// caseTextLimit bounds each side of a case's text, in bytes.
	caseTextLimit = 8 << 10
)

// conversation checks that the conversation is the tenant's.
func (s *Service) conversation(ctx context.Context, a Actor, id string) error {
	if _, err := s.DB.Conversation(ctx, a.TenantID, id); err != nil {
		return fmt.Errorf("conversation %s: %w", id, err)
	}
	return nil
}

// article returns the tenant's article, or an error wrapping
// store.ErrNotFound for an article that is not the tenant's.
func (s *Service) article(ctx context.Context, tenantID, id string) (knowledge.Article, error) {
	a, err := s.Articles.Article(ctx, tenantID, id)
	if errors.Is(err, knowledge.ErrNotFound) && !errors.Is(err, store.ErrNotFound) {
		err = fmt.Errorf("%w: %w", err, store.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("article %s: %w", id, err)
	}
	return a, nil
}

// cases is the tenant's past-case index, rebuilt when the cases changed.
func (s *Service) cases(ctx context.Context, tenantID string) (*suggest.Cases, error) {
	version, err := s.DB.KnowledgeCasesVersion(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	idx, ok := s.indexes[tenantID]
	s.mu.Unlock()
	if ok && idx.version == version {
		return idx.cases, nil
	}
	rows, err := s.DB.KnowledgeCases(ctx, tenantID, MaxCases)
	if err != nil {
		return nil, err
	}
	cs := make([]suggest.Case, 0, len(rows))
	for _, c := range rows {
		cs = append(cs, suggest.Case{ID: c.ID, Text: c.Text(), ConversationID: c.ConversationID, ArticleIDs: c.ArticleIDs,
			ResolverID: c.ResolverID})
	}
	idx = casesIndex{version: version, cases: suggest.NewCases(cs)}
	s.mu.Lock()
	s.indexes[tenantID] = idx
	s.mu.Unlock()
	return idx.cases, nil
}
