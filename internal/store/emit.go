package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
)

// EmitEvent writes one event of the tenant in this transaction, for a
// service that changes a fact without an outbox (the notice sender, the
// consent ledger, knowledge links); see emitEvents.
func (s *Store) EmitEvent(ctx context.Context, tenantID, typ string, data any, at time.Time) error {
	return s.emitEvents(ctx, []pendingEvent{{tenantID, typ, data, at}})
}

// pendingEvent is an event to write.
type pendingEvent struct {
	tenantID, typ string
	data          any
	at            time.Time
}

// emitEvents writes events in this transaction: it takes their tenants'
// event order (LockEventOrder) and holds it to the commit, so their seqs
// commit in order and a reader resuming after a seq (the rollups' cursor)
// misses none. The bus does not hear of them: the rollups' sweep finds them
// in the events table. Call it last in a transaction when you can — the
// tenant's other event writers wait for the commit.
func (s *Store) emitEvents(ctx context.Context, evs []pendingEvent) error {
	if len(evs) == 0 {
		return nil
	}
	tenants := make([]string, len(evs))
	for i, e := range evs {
		tenants[i] = e.tenantID
	}
	if err := s.LockEventOrder(ctx, tenants...); err != nil {
		return err
	}
	for _, e := range evs {
		raw, err := json.Marshal(e.data)
		if err != nil {
			return fmt.Errorf("emit %s: %w", e.typ, err)
		}
		if _, err := s.InsertEvent(ctx, event.Event{ID: ids.New(), TenantID: e.tenantID, Type: e.typ, Data: raw, At: e.at}); err != nil {
			return err
		}
	}
	return nil
}
