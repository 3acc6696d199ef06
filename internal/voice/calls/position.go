package calls

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// A queued call tells the customer her place in the queue (call.state's
// position). It is read from the queue's waiting work when the call is
// routed and again whenever routing publishes new queue figures (the wall's
// queue.stats), so it moves as the calls ahead are taken.

// positions refreshes the place of the tenant's queued calls on this node.
func (s *Service) positions(ctx context.Context, tenantID string) {
	s.mu.Lock()
	var queued []*live
	for _, l := range s.calls {
		if l.rec.TenantID == tenantID {
			queued = append(queued, l)
		}
	}
	s.mu.Unlock()
	for _, l := range queued {
		s.updatePosition(ctx, l)
	}
}

// updatePosition reads the call's place and tells the participants when it
// changed.
func (s *Service) updatePosition(ctx context.Context, l *live) {
	l.mu.Lock()
	workID, st := l.rec.WorkID, l.rec.State
	l.mu.Unlock()
	if workID == "" || st != call.Queued {
		return
	}
	pos, err := s.db.WaitingPosition(ctx, l.rec.TenantID, workID)
	if err != nil {
		s.log.Debug("call's queue position", "call_id", l.rec.ID, "err", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done || l.rec.State != call.Queued || l.position == pos {
		return
	}
	l.position = pos
	s.broadcast(l)
}
