package reuse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Events is where the service hears that conversations changed (the bus).
type Events interface {
	SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error)
}

// Follow records a conversation as a past case whenever it is resolved, by
// whichever path (the API, a macro, a rule): it listens to the
// conversation.updated events. Every node follows; recording is idempotent.
func (s *Service) Follow(events Events) (stop func() error, err error) {
	return events.SubscribeEvents(func(ev event.Event) {
		if ev.Type != event.ConversationUpdated {
			return
		}
		var c conversation.Conversation
		if json.Unmarshal(ev.Data, &c) != nil || c.TenantID != ev.TenantID || c.Status != conversation.StatusResolved {
			return
		}
		if err := s.RecordCase(context.Background(), c.TenantID, c.ID); err != nil {
			s.Log.Warn("record past case", "tenant_id", c.TenantID, "conversation_id", c.ID, "err", err)
		}
	})
}

// RecordCase makes (or brings up to date) the past case of a resolved
// conversation: its words, the articles linked to it (none when it was
// resolved without one: it is still a similar case, and its resolver
// evidence of who knows the subject) and who resolved it. A conversation
// that is not resolved (reopened meanwhile) is left alone.
func (s *Service) RecordCase(ctx context.Context, tenantID, conversationID string) error {
	c, err := s.DB.Conversation(ctx, tenantID, conversationID)
	if err != nil {
		return err
	}
	if c.Status != conversation.StatusResolved {
		return nil
	}
	links, err := s.DB.KnowledgeLinks(ctx, tenantID, conversationID)
	if err != nil {
		return err
	}
	var articles []string
	for _, l := range links {
		articles = append(articles, l.ArticleID)
	}
	prev, err := s.DB.KnowledgeCaseByConversation(ctx, tenantID, conversationID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		prev = knowledge.Case{ID: ids.New(), TenantID: tenantID, ConversationID: conversationID, CreatedAt: s.Clock.Now()}
	case err != nil:
		return err
	}
	msgs, err := s.messages(ctx, tenantID, conversationID)
	if err != nil {
		return err
	}
	customer, agent := split(msgs)
	next := prev
	next.Subject, next.CustomerText, next.AgentText = c.Subject, clip(customer, caseTextLimit), clip(agent, caseTextLimit)
	resolvedAt := c.ResolvedAt // not UpdatedAt: a tag added a week later is not when it was resolved
	if resolvedAt.IsZero() {
		resolvedAt = c.UpdatedAt // resolved before the column existed and not backfilled
	}
	next.ArticleIDs, next.ResolvedAt, next.ResolverID = articles, resolvedAt, c.AssigneeID
	if next.Subject == prev.Subject && next.CustomerText == prev.CustomerText && next.AgentText == prev.AgentText &&
		slices.Equal(next.ArticleIDs, prev.ArticleIDs) && next.ResolvedAt.Equal(prev.ResolvedAt) && next.ResolverID == prev.ResolverID {
		return nil
	}
	next.UpdatedAt = s.Clock.Now()
	err = s.DB.PutKnowledgeCase(ctx, next)
	if errors.Is(err, store.ErrConflict) { // another node recorded it first
		return nil
	}
	if err != nil {
		return fmt.Errorf("record case of %s: %w", conversationID, err)
	}
	return nil
}

// refreshCase brings a resolved conversation's case up to date after its
// links changed.
func (s *Service) refreshCase(ctx context.Context, tenantID, conversationID string) error {
	return s.RecordCase(ctx, tenantID, conversationID)
}

// clip cuts s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}
