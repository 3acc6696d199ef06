// Package outbox records what happened in a tenant in the same transaction as the
// change itself, and announces it once that transaction has committed. Writing the
// event and its webhook deliveries with the change means nothing is announced that
// did not happen, and nothing that happened goes unannounced: if the bus is down
// when we publish, clients still catch up from the events table when they resume.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Publisher announces committed events to every node (the bus).
type Publisher interface {
	PublishEvent(ctx context.Context, ev event.Event) error
}

// Fanout turns an event into further durable work inside the same transaction,
// such as one webhook delivery per subscribed endpoint.
type Fanout interface {
	FanoutTx(ctx context.Context, s *store.Store, tx *sql.Tx, ev event.Event) error
}

// Outbox runs transactions that may emit events.
type Outbox struct {
	db      *store.DB
	pub     Publisher
	fanouts []Fanout
	clock   clock.Clock
	log     *slog.Logger
}

// New returns an outbox writing to db and publishing through pub.
func New(db *store.DB, pub Publisher, clk clock.Clock, log *slog.Logger, fanouts ...Fanout) *Outbox {
	return &Outbox{db: db, pub: pub, fanouts: fanouts, clock: clk, log: log}
}

// Tx is one transaction in progress: its queries, and the events it emits.
type Tx struct {
	*store.Store
	SQL     *sql.Tx
	o       *Outbox
	emitted []event.Event
}

// Emit records an event of the tenant in this transaction; data is marshalled
// as JSON. The event is written to the events table, and takes its seq, at the
// end of the transaction (see insertEvents): the returned event has no seq yet.
func (tx *Tx) Emit(ctx context.Context, tenantID, typ string, data any) (event.Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return event.Event{}, fmt.Errorf("emit %s: %w", typ, err)
	}
	ev := event.Event{ID: ids.New(), TenantID: tenantID, Type: typ, Data: raw, At: tx.o.clock.Now()}
	for _, f := range tx.o.fanouts {
		if err := f.FanoutTx(ctx, tx.Store, tx.SQL, ev); err != nil {
			return ev, fmt.Errorf("emit %s: %w", typ, err)
		}
	}
	tx.emitted = append(tx.emitted, ev)
	return ev, nil
}

// Do runs fn in a transaction and, after it commits, publishes what it
// emitted. A transaction that wrote back a row someone else wrote since fn
// read it (store.ErrChanged) wrote nothing: fn runs again, in a new
// transaction, on the row as it now is — up to changedRetries times.
func (o *Outbox) Do(ctx context.Context, fn func(tx *Tx) error) error {
	err := o.do(ctx, fn)
	for retry := 0; errors.Is(err, store.ErrChanged) && retry < changedRetries; retry++ {
		err = o.do(ctx, fn)
	}
	return err
}

// changedRetries bounds how often Do runs a transaction again after it lost
// a race for a row.
const changedRetries = 5

func (o *Outbox) do(ctx context.Context, fn func(tx *Tx) error) error {
	var done *Tx
	err := o.db.InTx(ctx, func(s *store.Store, sqlTx *sql.Tx) error {
		tx := &Tx{Store: s, SQL: sqlTx, o: o}
		if err := fn(tx); err != nil {
			return err
		}
		if err := insertEvents(ctx, s, tx.emitted); err != nil {
			return err
		}
		done = tx
		return nil
	})
	if err != nil {
		return err
	}
	for _, ev := range done.emitted {
		if err := o.pub.PublishEvent(ctx, ev); err != nil {
			// Committed already: clients resuming from the events table will see it.
			o.log.Warn("publish event", "tenant_id", ev.TenantID, "type", ev.Type, "seq", ev.Seq, "err", err)
		}
	}
	return nil
}

// insertEvents writes a transaction's events, in the order they were emitted,
// as its last statements before the commit, holding their tenants' event
// order (store.LockEventOrder): a tenant's events then commit in the order of
// their seq, so a client resuming after the seq it last saw misses none. The
// lock is held from here to the commit only — after the transaction's other
// work, so it neither waits for nor blocks anything but another transaction's
// events of the same tenant. Each event gets its seq in place.
func insertEvents(ctx context.Context, s *store.Store, evs []event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	tenants := make([]string, len(evs))
	for i, ev := range evs {
		tenants[i] = ev.TenantID
	}
	if err := s.LockEventOrder(ctx, tenants...); err != nil {
		return err
	}
	for i := range evs {
		ev, err := s.InsertEvent(ctx, evs[i])
		if err != nil {
			return err
		}
		evs[i] = ev
	}
	return nil
}

// PublishEphemeral announces an event that is never stored (seq 0): typing
// indicators and other signals worth nothing once they are late.
func (o *Outbox) PublishEphemeral(ctx context.Context, ev event.Event) error {
	ev.Seq = 0
	return o.pub.PublishEvent(ctx, ev)
}
