// Package articles runs a tenant's knowledge articles: creating and editing
// them (every edit a new version), moving them between the KCS states, and
// restoring old versions. Each change writes the article, its version or
// transition, and the knowledge.article_changed event in one transaction
// (the outbox), so the search index on every node sees every change once it
// is durable and never one that was rolled back.
package articles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Service runs every tenant's articles.
type Service struct {
	db    *store.DB
	out   *outbox.Outbox
	clock clock.Clock
	log   *slog.Logger
}

// New returns the articles service.
func New(db *store.DB, out *outbox.Outbox, clk clock.Clock, log *slog.Logger) *Service {
	return &Service{db: db, out: out, clock: clk, log: log}
}

// Actor is who acts: a user or an API key of the tenant, and whether they
// are a knowledge publisher.
type Actor struct {
	TenantID  string
	UserID    string // empty for an API key
	KeyID     string
	Publisher bool
}

// by is the id recorded as the author of a version or a move.
func (a Actor) by() string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.KeyID
}

// NewArticle is what creating an article takes: its content, and where it
// came from.
type NewArticle struct {
	knowledge.Content
	// SourceConversationID is the conversation the article was written from.
	SourceConversationID string `json:"source_conversation_id,omitempty"`
	// ExternalID is the article's id in another system.
	ExternalID string `json:"external_id,omitempty"`
}

// Create adds an article in work in progress, owned by the actor, at version 1.
func (s *Service) Create(ctx context.Context, actor Actor, in NewArticle) (knowledge.Article, error) {
	c, err := normalize(in.Content)
	if err != nil {
		return knowledge.Article{}, err
	}
	if in.SourceConversationID != "" && !ids.Valid(in.SourceConversationID) {
		return knowledge.Article{}, fieldError("source_conversation_id", "is not a conversation id")
	}
	if err := checkExternalID(in.ExternalID); err != nil {
		return knowledge.Article{}, err
	}
	var a knowledge.Article
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if in.SourceConversationID != "" {
			if _, err := tx.Conversation(ctx, actor.TenantID, in.SourceConversationID); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fieldError("source_conversation_id", "no such conversation")
				}
				return err
			}
		}
		var err error
		a, err = s.create(ctx, tx, actor, c, knowledge.WorkInProgress, in.SourceConversationID, in.ExternalID, "created")
		return err
	})
	return a, err
}

// create writes a new article in state with its first version and its
// first transition (from nothing), and emits it.
func (s *Service) create(ctx context.Context, tx *outbox.Tx, actor Actor, c knowledge.Content, state knowledge.State, source, external, note string) (knowledge.Article, error) {
	slug, err := freeSlug(ctx, tx.Store, actor.TenantID, c.Title)
	if err != nil {
		return knowledge.Article{}, err
	}
	now := s.clock.Now()
	a := knowledge.Article{ID: ids.New(), TenantID: actor.TenantID, Slug: slug, State: state, OwnerID: actor.UserID,
		Version: 1, ExternalID: external, SourceConversationID: source, StateChangedAt: now, StateChangedBy: actor.by(),
		CreatedAt: now, UpdatedAt: now}.WithContent(c)
	if state == knowledge.Published {
		a.PublishedAt = now
	}
	if err := tx.CreateArticle(ctx, a); err != nil {
		return a, err
	}
	if err := tx.InsertArticleVersion(ctx, a.TenantID, knowledge.Version{ArticleID: a.ID, Version: 1, AuthorID: actor.by(),
		Note: note, Content: c, CreatedAt: now}); err != nil {
		return a, err
	}
	if err := tx.InsertArticleTransition(ctx, a.TenantID, knowledge.Transition{ArticleID: a.ID, From: "", To: state,
		ByID: actor.by(), Note: note, At: now}); err != nil {
		return a, err
	}
	return a, emit(ctx, tx, a)
}

// Update replaces an article's content, made from version; it becomes a new
// version. Content equal to the current one changes nothing.
func (s *Service) Update(ctx context.Context, actor Actor, id string, c knowledge.Content, version int, note string) (knowledge.Article, error) {
	c, err := normalize(c)
	if err != nil {
		return knowledge.Article{}, err
	}
	if err := checkNote(note); err != nil {
		return knowledge.Article{}, err
	}
	var a knowledge.Article
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if a, err = tx.Article(ctx, actor.TenantID, id); err != nil {
			return err
		}
		if a.Version != version {
			return fmt.Errorf("article %s is at version %d, not %d: %w", id, a.Version, version, knowledge.ErrStale)
		}
		if err := knowledge.MayEdit(a.State, actor.Publisher); err != nil {
			return err
		}
		if equalContent(knowledge.ContentOf(a), c) {
			return nil
		}
		a, err = s.newVersion(ctx, tx, actor, a, c, note)
		return err
	})
	return a, err
}

// newVersion writes c as a's next version and emits the article.
func (s *Service) newVersion(ctx context.Context, tx *outbox.Tx, actor Actor, a knowledge.Article, c knowledge.Content, note string) (knowledge.Article, error) {
	prev := a.Version
	now := s.clock.Now()
	a = a.WithContent(c)
	a.Version, a.UpdatedAt = prev+1, now
	if err := tx.UpdateArticle(ctx, a, prev); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return a, fmt.Errorf("%w: %w", knowledge.ErrStale, err)
		}
		return a, err
	}
	if err := tx.InsertArticleVersion(ctx, a.TenantID, knowledge.Version{ArticleID: a.ID, Version: a.Version,
		AuthorID: actor.by(), Note: note, Content: c, CreatedAt: now}); err != nil {
		return a, err
	}
	return a, emit(ctx, tx, a)
}

// Move puts an article in another state, if knowledge.Move lets the actor.
func (s *Service) Move(ctx context.Context, actor Actor, id string, to knowledge.State, note string) (knowledge.Article, error) {
	if !to.Valid() {
		return knowledge.Article{}, fieldError("state", "must be wip, not_validated, validated, published or archived")
	}
	if err := checkNote(note); err != nil {
		return knowledge.Article{}, err
	}
	var a knowledge.Article
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if a, err = tx.Article(ctx, actor.TenantID, id); err != nil {
			return err
		}
		if err := knowledge.Move(a.State, to, actor.Publisher); err != nil {
			return fmt.Errorf("move article %s from %s to %s: %w", id, a.State, to, err)
		}
		a, err = s.move(ctx, tx, actor, a, to, note)
		return err
	})
	return a, err
}

// move writes a's move to state to, without asking whether it is allowed.
func (s *Service) move(ctx context.Context, tx *outbox.Tx, actor Actor, a knowledge.Article, to knowledge.State, note string) (knowledge.Article, error) {
	now := s.clock.Now()
	from := a.State
	a.State, a.StateChangedAt, a.StateChangedBy, a.UpdatedAt = to, now, actor.by(), now
	if to == knowledge.Published && a.PublishedAt.IsZero() {
		a.PublishedAt = now
	}
	if err := tx.UpdateArticle(ctx, a, a.Version); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return a, fmt.Errorf("%w: %w", knowledge.ErrStale, err)
		}
		return a, err
	}
	if err := tx.InsertArticleTransition(ctx, a.TenantID, knowledge.Transition{ArticleID: a.ID, From: from, To: to,
		ByID: actor.by(), Note: note, At: now}); err != nil {
		return a, err
	}
	return a, emit(ctx, tx, a)
}

// Restore makes an old version's content the article's newest version.
func (s *Service) Restore(ctx context.Context, actor Actor, id string, version int) (knowledge.Article, error) {
	var a knowledge.Article
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if a, err = tx.Article(ctx, actor.TenantID, id); err != nil {
			return err
		}
		v, err := tx.ArticleVersion(ctx, actor.TenantID, id, version)
		if err != nil {
			return err
		}
		if err := knowledge.MayEdit(a.State, actor.Publisher); err != nil {
			return err
		}
		a, err = s.newVersion(ctx, tx, actor, a, v.Content, fmt.Sprintf("restored version %d", version))
		return err
	})
	return a, err
}

// emit announces the article as it now stands.
func emit(ctx context.Context, tx *outbox.Tx, a knowledge.Article) error {
	_, err := tx.Emit(ctx, a.TenantID, event.KnowledgeArticleChanged, knowledge.DocOf(a))
	return err
}
