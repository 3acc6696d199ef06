package reuse

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// maxQuery bounds a search's words.
const maxQuery = 500

// SearchIn runs an agent's search while working a conversation and records
// it with the conversation ("searching is capturing").
func (s *Service) SearchIn(ctx context.Context, a Actor, conversationID, q string) ([]Hit, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, &tenant.FieldError{Field: "q", Reason: "is required"}
	case utf8.RuneCountInString(q) > maxQuery:
		return nil, &tenant.FieldError{Field: "q", Reason: "must be at most 500 characters"}
	}
	if err := s.conversation(ctx, a, conversationID); err != nil {
		return nil, err
	}
	hits, err := s.Search.Match(ctx, Query{TenantID: a.TenantID, Text: q, Limit: suggestionCount})
	if err != nil {
		return nil, err
	}
	err = s.DB.AddKnowledgeSearch(ctx, knowledge.Search{ID: ids.New(), TenantID: a.TenantID, ConversationID: conversationID,
		AgentID: a.UserID, Query: q, Results: len(hits), At: s.Clock.Now()})
	if hits == nil {
		hits = []Hit{}
	}
	return hits, err
}

// Link links one of the tenant's articles to a conversation: a reuse, or,
// when the article was written from this conversation, a creation. A
// resolved conversation's past case learns the link at once.
func (s *Service) Link(ctx context.Context, a Actor, conversationID, articleID string) (LinkView, error) {
	if articleID == "" {
		return LinkView{}, &tenant.FieldError{Field: "article_id", Reason: "is required"}
	}
	if err := s.conversation(ctx, a, conversationID); err != nil {
		return LinkView{}, err
	}
	art, err := s.bodyArticle(ctx, a.TenantID, articleID)
	if err != nil {
		return LinkView{}, err
	}
	kind := knowledge.LinkReused
	if art.SourceConversationID == conversationID {
		kind = knowledge.LinkCreated
	}
	var l knowledge.Link
	err = s.DB.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error {
		var err error
		l, err = tx.AddKnowledgeLink(ctx, knowledge.Link{TenantID: a.TenantID, ConversationID: conversationID, ArticleID: art.ID,
			Kind: kind, AgentID: a.UserID, CreatedAt: s.Clock.Now()})
		if err != nil {
			return err
		}
		return tx.EmitEvent(ctx, a.TenantID, event.KnowledgeLinked, LinkEvent{ConversationID: conversationID, ArticleID: l.ArticleID,
			Kind: string(l.Kind), AgentID: l.AgentID}, s.Clock.Now())
	})
	if err != nil {
		return LinkView{}, err
	}
	if err := s.refreshCase(ctx, a.TenantID, conversationID); err != nil {
		return LinkView{}, err
	}
	return LinkView{ArticleID: l.ArticleID, Title: art.Title, Kind: l.Kind, AgentID: l.AgentID, CreatedAt: l.CreatedAt}, nil
}

// Unlink removes an article's link from a conversation; an article of the
// tenant that is not linked is unlinked already.
func (s *Service) Unlink(ctx context.Context, a Actor, conversationID, articleID string) error {
	if err := s.conversation(ctx, a, conversationID); err != nil {
		return err
	}
	if _, err := s.article(ctx, a.TenantID, articleID); err != nil {
		return err
	}
	err := s.DB.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error {
		if err := tx.DeleteKnowledgeLink(ctx, a.TenantID, conversationID, articleID); err != nil {
			return err
		}
		return tx.EmitEvent(ctx, a.TenantID, event.KnowledgeUnlinked, LinkEvent{ConversationID: conversationID, ArticleID: articleID,
			AgentID: a.UserID}, s.Clock.Now())
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.refreshCase(ctx, a.TenantID, conversationID)
}

// LinkEvent is the data of event.KnowledgeLinked and KnowledgeUnlinked.
type LinkEvent struct {
	ConversationID string `json:"conversation_id"`
	ArticleID      string `json:"article_id"`
	Kind           string `json:"kind,omitempty"` // reused or created
	AgentID        string `json:"agent_id,omitempty"`
}

// bodyArticle is the tenant's article named in a request's body: one that
// is not the tenant's is the field's fault (422), as elsewhere in the API.
func (s *Service) bodyArticle(ctx context.Context, tenantID, id string) (knowledge.Article, error) {
	art, err := s.article(ctx, tenantID, id)
	if errors.Is(err, store.ErrNotFound) {
		return art, &tenant.FieldError{Field: "article_id", Reason: "no such article in this workspace"}
	}
	return art, err
}

// Dismiss says a suggested article does not fit this conversation.
func (s *Service) Dismiss(ctx context.Context, a Actor, conversationID, articleID string) error {
	if articleID == "" {
		return &tenant.FieldError{Field: "article_id", Reason: "is required"}
	}
	if err := s.conversation(ctx, a, conversationID); err != nil {
		return err
	}
	if _, err := s.bodyArticle(ctx, a.TenantID, articleID); err != nil {
		return err
	}
	return s.DB.AddKnowledgeDismissal(ctx, knowledge.Dismissal{TenantID: a.TenantID, ConversationID: conversationID,
		ArticleID: articleID, AgentID: a.UserID, At: s.Clock.Now()})
}

// SetOutcome records how knowledge helped the conversation: the answer to
// the question asked once on resolving it.
func (s *Service) SetOutcome(ctx context.Context, a Actor, conversationID string, o knowledge.Outcome) (knowledge.Outcome, error) {
	if !o.Valid() {
		return "", &tenant.FieldError{Field: "outcome", Reason: "must be linked, created or not_needed"}
	}
	if err := s.conversation(ctx, a, conversationID); err != nil {
		return "", err
	}
	return o, s.DB.SetKnowledgeOutcome(ctx, a.TenantID, conversationID, a.UserID, o, s.Clock.Now())
}
