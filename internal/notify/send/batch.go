package send

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// job is one claimed delivery with what sending it takes, loaded for the
// whole batch at once: a few queries per tenant instead of several per send.
type job struct {
	d       notice.Delivery
	tenant  *tenant
	t       notice.Type
	persona store.NotifyPersona
	data    map[string]any    // the event's, for this persona
	refused map[string]string // channel → why consent refuses it
	push    *pushSubs         // the tenant's part of the batch; nil when none of it goes by push
	problem string            // set when the delivery cannot go at all: why
}

// pushSubs are the push subscriptions of a batch's personas. One the push
// service reports gone is struck off, so the batch's other notices to the
// persona do not try it again.
type pushSubs struct {
	mu        sync.Mutex
	byPersona map[string][]store.PushSubscription
}

func (p *pushSubs) of(personaID string) []store.PushSubscription {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byPersona[personaID]
}

// forget strikes off a subscription. It makes a new list: a caller of of
// may still be going through the old one.
func (p *pushSubs) forget(personaID, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byPersona[personaID] = slices.DeleteFunc(slices.Clone(p.byPersona[personaID]),
		func(s store.PushSubscription) bool { return s.ID == id })
}

// load gathers, per tenant of the batch, the settings and types (cached),
// the personas, their consent ledgers (fresh: a revocation a moment ago
// counts), the push subscriptions of those due on push and the events'
// data. A tenant whose part cannot be loaded is skipped: its rows stay
// leased and come back when the lease ends.
func (s *Sender) load(ctx context.Context, ds []notice.Delivery, now time.Time) []job {
	byTenant := map[string][]notice.Delivery{}
	var order []string
	for _, d := range ds {
		if _, ok := byTenant[d.TenantID]; !ok {
			order = append(order, d.TenantID)
		}
		byTenant[d.TenantID] = append(byTenant[d.TenantID], d)
	}
	jobs := make([]job, 0, len(ds))
	for _, tid := range order {
		part, err := s.loadTenant(ctx, tid, byTenant[tid], now)
		if err != nil {
			s.log.Error("load deliveries", "tenant_id", tid, "n", len(byTenant[tid]), "err", err)
			continue
		}
		jobs = append(jobs, part...)
	}
	return jobs
}

func (s *Sender) loadTenant(ctx context.Context, tenantID string, ds []notice.Delivery, now time.Time) ([]job, error) {
	tn, err := s.tenants.fresh(ctx, tenantID, ds, now)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ds))
	var pushIDs []string
	seen, seenPush := map[string]bool{}, map[string]bool{}
	for _, d := range ds {
		if !seen[d.PersonaID] {
			seen[d.PersonaID] = true
			ids = append(ids, d.PersonaID)
		}
		if d.Channel == webpush.Name && d.Status != notice.StatusSent && !seenPush[d.PersonaID] {
			seenPush[d.PersonaID] = true
			pushIDs = append(pushIDs, d.PersonaID)
		}
	}
	personas, err := s.db.NotifyPersonasByID(ctx, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("personas: %w", err)
	}
	records, err := s.db.ConsentRecordsMany(ctx, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	var push *pushSubs
	if len(pushIDs) > 0 {
		subs, err := s.db.PushSubscriptionsMany(ctx, tenantID, pushIDs)
		if err != nil {
			return nil, fmt.Errorf("push: %w", err)
		}
		push = &pushSubs{byPersona: subs}
	}
	events := map[string]*notice.Event{} // nil: gone
	jobs := make([]job, 0, len(ds))
	for _, d := range ds {
		j := job{d: d, tenant: tn, push: push}
		t, ok := tn.types[d.Type]
		p, found := personas[d.PersonaID]
		switch {
		case !ok:
			j.problem = fmt.Sprintf("the notification type %q no longer exists", d.Type)
		case !found:
			j.problem = "the persona no longer exists"
		}
		if j.problem == "" && d.Status != notice.StatusSent { // a confirmation timeout sends nothing itself
			ev, ok := events[d.EventID]
			if !ok {
				e, err := s.db.NotifyEvent(ctx, tenantID, d.EventID)
				switch {
				case err == nil:
					ev = &e
				case !errors.Is(err, store.ErrNotFound):
					return nil, fmt.Errorf("event %s: %w", d.EventID, err)
				}
				events[d.EventID] = ev
			}
			if ev == nil {
				j.problem = "the event no longer exists"
			} else {
				j.data = notify.EventData(*ev, d.PersonaID) // with the recipient's own data over the event's
			}
		}
		if j.problem != "" {
			jobs = append(jobs, j)
			continue
		}
		j.t, j.persona = t, p
		j.refused = map[string]string{}
		for _, ch := range d.Channels[min(d.Attempt, len(d.Channels)):] {
			if ok, why := notice.ConsentAllows(records[d.PersonaID], t, ch, tn.settings); !ok {
				j.refused[ch] = why
			}
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}
