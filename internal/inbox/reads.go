package inbox

import (
	"context"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Conversation returns one of the tenant's conversations.
func (s *Service) Conversation(ctx context.Context, tenantID, id string) (conversation.Conversation, error) {
	return s.db.Conversation(ctx, tenantID, id)
}

// maxSearchHits bounds how many conversations a text search considers.
const maxSearchHits = 1000

// Conversations lists the tenant's conversations matching the filter and, when
// query is not empty, containing its words.
func (s *Service) Conversations(ctx context.Context, tenantID string, f store.ConversationFilter, query string, page store.Page) ([]conversation.Conversation, error) {
	if q := strings.TrimSpace(query); q != "" {
		ids, err := s.db.SearchConversations(ctx, tenantID, q, maxSearchHits)
		if err != nil {
			return nil, err
		}
		f.IDs = ids
	}
	return s.db.Conversations(ctx, tenantID, f, page)
}

// Timeline lists a conversation's messages, notes and system items in order.
func (s *Service) Timeline(ctx context.Context, tenantID, conversationID string, page store.Page) ([]conversation.Message, error) {
	if _, err := s.db.Conversation(ctx, tenantID, conversationID); err != nil {
		return nil, err
	}
	return s.db.Messages(ctx, tenantID, conversationID, page)
}

// Attachment returns a file of the tenant with its bytes.
func (s *Service) Attachment(ctx context.Context, tenantID, id string) (conversation.Attachment, []byte, error) {
	return s.db.Attachment(ctx, tenantID, id)
}

// Persona returns one of the tenant's customers.
func (s *Service) Persona(ctx context.Context, tenantID, id string) (persona.Persona, error) {
	return s.db.Persona(ctx, tenantID, id)
}

// Personas lists the tenant's customers with their identifiers and claims.
func (s *Service) Personas(ctx context.Context, tenantID string, page store.Page) ([]persona.Persona, error) {
	return s.db.Personas(ctx, tenantID, page)
}

// maxPeopleHits bounds how many customers a people search returns.
const maxPeopleHits = 50

// SearchPersonas finds the tenant's customers by name (accents and case
// ignored), email, phone (however written), reference or claimed address, up
// to limit (at most maxPeopleHits), by name.
func (s *Service) SearchPersonas(ctx context.Context, tenantID, query string, limit int) ([]persona.Persona, error) {
	if limit <= 0 || limit > maxPeopleHits {
		limit = maxPeopleHits
	}
	return s.db.SearchPersonas(ctx, tenantID, query, limit)
}

// Merge folds one persona into another (the same customer, found twice): its
// identifiers and conversations move to the survivor. When the two hold a
// proven identifier between them, their unproven ones become claims
// (persona.MergeDemotes), so that nobody writing as an unproven identifier
// reaches the proven customer's conversations. It returns the merge id, with
// which Unmerge undoes it.
func (s *Service) Merge(ctx context.Context, a Actor, survivorID, mergedID string) (string, error) {
	if survivorID == mergedID {
		return "", &tenant.FieldError{Field: "merge_id", Reason: "a persona cannot be merged into itself"}
	}
	var rec store.PersonaMerge
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var held [2][]persona.Identifier
		for n, id := range []string{survivorID, mergedID} {
			p, err := tx.Persona(ctx, a.TenantID, id)
			if id == mergedID && isNotFound(err) { // a field of the request, not the resource addressed
				return &tenant.FieldError{Field: "merge_id", Reason: "no such persona"}
			}
			if err != nil {
				return err
			}
			if p.MergedInto != "" {
				return &tenant.FieldError{Field: "merge_id", Reason: "persona " + id + " was merged already"}
			}
			held[n] = p.Identifiers
		}
		_, actor := a.author()
		var err error
		rec, err = tx.MergePersonas(ctx, store.PersonaMerge{ID: ids.New(), TenantID: a.TenantID, SurvivorID: survivorID,
			MergedID: mergedID, ActorID: actor, Demoted: persona.MergeDemotes(held[0], held[1]), CreatedAt: s.clock.Now()})
		if err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.PersonaMerged, map[string]string{"merge_id": rec.ID, "survivor_id": survivorID, "merged_id": mergedID})
		return err
	})
	return rec.ID, err
}

// Unmerge undoes a merge, moving back exactly what it moved.
func (s *Service) Unmerge(ctx context.Context, a Actor, mergeID string) error {
	return s.out.Do(ctx, func(tx *outbox.Tx) error {
		rec, err := tx.PersonaMergeRecord(ctx, a.TenantID, mergeID)
		if err != nil {
			return err
		}
		if !rec.UndoneAt.IsZero() {
			return &tenant.FieldError{Field: "merge_id", Reason: "this merge was undone already"}
		}
		if err := tx.UnmergePersonas(ctx, rec, s.clock.Now()); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.PersonaMerged, map[string]any{"merge_id": rec.ID, "undone": true})
		return err
	})
}
