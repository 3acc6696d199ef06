package inbox

import (
	"context"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// InboxConversations lists the tenant's conversations as the agents' inbox shows
// them (unread counts, previews, waiting times, SLA due times), filtered and
// ordered by f and, when query is not empty, containing its words.
func (s *Service) InboxConversations(ctx context.Context, tenantID string, f store.InboxFilter, query string, page store.Page) ([]store.ListedConversation, error) {
	if q := strings.TrimSpace(query); q != "" {
		ids, err := s.db.SearchConversations(ctx, tenantID, q, maxSearchHits)
		if err != nil {
			return nil, err
		}
		f.IDs = ids
	}
	return s.db.InboxConversations(ctx, tenantID, f, page)
}

// InboxCounts counts the tenant's open conversations for the inbox's views as
// userID sees them.
func (s *Service) InboxCounts(ctx context.Context, tenantID, userID string) (store.InboxCounts, error) {
	return s.db.InboxCounts(ctx, tenantID, userID)
}
