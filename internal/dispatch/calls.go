package dispatch

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

// cmdEnd ends a work item: a call's escalation when the call ends or moves on.
const cmdEnd = "end"

// EscalateCall routes a browser call of the conversation (internal/voice/calls)
// as voice or video work and returns the work item's id: in queueID when
// given (else the conversation's queue), preferring agentID when given (else
// the conversation's assignee). Its offers, assignment and end are the
// routing events of that id. A second live item of the same modality for
// the conversation is store.ErrConflict.
func (s *Service) EscalateCall(ctx context.Context, a Actor, conversationID string, m routing.Modality, agentID, queueID string) (string, error) {
	return s.escalateWork(ctx, a, conversationID, m, agentID, queueID)
}

// EndWork ends a work item — finished if an agent holds it (her capacity
// frees after wrap-up), withdrawn with its open offer otherwise — so a call
// that ended leaves nothing in routing. An item already ended is no error.
// ErrNoLeader when no node routes: the caller tries again.
func (s *Service) EndWork(ctx context.Context, tenantID, workID string) error {
	_, err := s.request(ctx, command{Kind: cmdEnd, TenantID: tenantID, WorkID: workID})
	return err
}

// endWork (the leader) ends an item it tracks.
func (l *leader) endWork(ctx context.Context, c command) error {
	l.drain(ctx)
	ts := l.tenants[c.TenantID]
	if ts == nil {
		return nil
	}
	if it := ts.work[c.WorkID]; it != nil && it.Kind != routing.Conversation {
		l.end(ctx, ts, it)
	}
	return nil
}
