package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// allPage is how many personas an event for all is decided and written in
// at a time: one page read, one transaction written.
const allPage = 2000

// chunk is one page of decided deliveries on its way to be written.
type chunk struct {
	ds  []notice.Delivery
	err error
}

// raiseAll raises an event for every persona of the tenant. It runs as a
// pipeline, each stage on a goroutine of its own so that reading, deciding
// and writing overlap: pages of personas are read by id, their facts are
// loaded (a handful of queries per page, none per persona), each is decided,
// and each page's deliveries are written in a transaction of its own. The
// event is written with the first page, so a second raise with the same key
// finds it at once; if the process stops half-way, the deliveries written
// stand and are sent.
func (s *Service) raiseAll(ctx context.Context, ev notice.Event, typ notice.Type, st notice.Settings, in RaiseInput) (Raised, error) {
	d := s.newDecider(ev, typ, st, ev.CreatedAt)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := s.readPages(ctx, ev.TenantID)
	loaded := s.loadFacts(ctx, d, pages)
	decided := decideAll(ctx, d, loaded)

	counts := map[string]int{}
	written := false
	write := func(ds []notice.Delivery) error {
		return s.db.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error {
			if !written {
				if err := tx.InsertNotifyEvent(ctx, ev); err != nil {
					return err
				}
			}
			return tx.InsertDeliveries(ctx, ds)
		})
	}
	for c := range decided {
		if c.err != nil {
			return Raised{}, fmt.Errorf("raise %s to all: %w", ev.Type, c.err)
		}
		err := write(c.ds)
		if errors.Is(err, store.ErrConflict) && !written && ev.IdempotencyKey != "" {
			return s.duplicateByKey(ctx, ev.TenantID, in)
		}
		if err != nil {
			return Raised{}, fmt.Errorf("raise %s to all: %w", ev.Type, err)
		}
		written = true
		for i := range c.ds {
			counts[c.ds[i].Status]++
			ev.Recipients++
		}
	}
	if !written {
		// A tenant without personas: the event is still recorded.
		if err := write(nil); err != nil {
			if errors.Is(err, store.ErrConflict) && ev.IdempotencyKey != "" {
				return s.duplicateByKey(ctx, ev.TenantID, in)
			}
			return Raised{}, err
		}
	}
	if err := s.db.SetNotifyEventRecipients(ctx, ev.TenantID, ev.ID, ev.Recipients); err != nil {
		return Raised{}, err
	}
	s.log.Info("event raised to all", "tenant_id", ev.TenantID, "event_id", ev.ID, "type", ev.Type,
		"pending", counts[notice.StatusPending], "suppressed", counts[notice.StatusSuppressed])
	return Raised{Event: ev, Counts: counts}, nil
}

// page is a page of personas on its way through the pipeline; a stage that
// fails passes its error on and stops.
type page struct {
	ps  []store.NotifyPersona
	f   facts
	err error
}

// send passes v on unless the pipeline was stopped.
func send[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// readPages reads the tenant's personas a page at a time, by id.
func (s *Service) readPages(ctx context.Context, tenantID string) <-chan page {
	out := make(chan page, 1)
	go func() {
		defer close(out)
		after := ""
		for {
			ps, err := s.db.PersonasForNotify(ctx, tenantID, after, allPage)
			if err != nil || len(ps) > 0 {
				if !send(ctx, out, page{ps: ps, err: err}) {
					return
				}
			}
			if err != nil || len(ps) < allPage {
				return
			}
			after = ps[len(ps)-1].ID
		}
	}()
	return out
}

// loadFacts loads what each page's decisions weigh.
func (s *Service) loadFacts(ctx context.Context, d *decider, in <-chan page) <-chan page {
	out := make(chan page, 1)
	go func() {
		defer close(out)
		for p := range in {
			if p.err == nil {
				ids := make([]string, len(p.ps))
				for i := range p.ps {
					ids[i] = p.ps[i].ID
				}
				p.f, p.err = d.load(ctx, &s.db.Store, d.ev.TenantID, ids)
			}
			if !send(ctx, out, p) || p.err != nil {
				return
			}
		}
	}()
	return out
}

// decideAll decides each persona of each page.
func decideAll(ctx context.Context, d *decider, in <-chan page) <-chan chunk {
	out := make(chan chunk, 1)
	go func() {
		defer close(out)
		for p := range in {
			c := chunk{err: p.err}
			if p.err == nil {
				c.ds = make([]notice.Delivery, len(p.ps))
				for i := range p.ps {
					c.ds[i] = d.decide(p.ps[i], &p.f)
				}
			}
			if !send(ctx, out, c) || c.err != nil {
				return
			}
		}
	}()
	return out
}
