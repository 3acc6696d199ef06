package calls

import (
	"context"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// handOver makes the agent who answered a transferred call the
// conversation's assignee: the call was handed on, and so is the
// conversation — its header, the inbox and routing name who now talks to the
// customer, not the agent who transferred it. l.mu is held.
func (s *Service) handOver(ctx context.Context, l *live, agentID string) {
	evs, err := s.db.CallEvents(ctx, l.rec.TenantID, l.rec.ID)
	if err != nil || !slices.ContainsFunc(evs, func(e call.Event) bool { return e.Type == call.EvTransferred }) {
		return
	}
	conv, err := s.db.Conversation(ctx, l.rec.TenantID, l.rec.ConversationID)
	if err != nil || conv.AssigneeID == agentID {
		return
	}
	if _, err := s.inbox.Assign(ctx, system(l.rec.TenantID), l.rec.ConversationID, agentID); err != nil {
		s.log.Warn("hand the conversation over with its call", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "err", err)
	}
}
