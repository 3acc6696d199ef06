package realtime

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// The bus delivers at most once, and not always in seq order: a node that
// dies between its commit and its publish, or a node whose NATS connection is
// down for a moment, loses an event for good, and two committers publish in
// the order they finish. A client that is sent a later event and then
// resumes after it would never get the lost one. But a tenant's events
// commit in seq order (store.LockEventOrder): once an event is heard, every
// event of its tenant with a lower seq is in the table. So a stored event
// heard on the bus is taken as a wake-up: the hub reads the tenant's events
// after the last one it handed on, from the table, and hands them on in seq
// order — a prefix without gaps, whatever the bus dropped or reordered.

// orderTimeout bounds one read of the table.
const orderTimeout = 10 * time.Second

// tenantOrder hands on one tenant's stored events in seq order. It exists
// while the tenant has clients on this node.
type tenantOrder struct {
	tenantID string

	mu      sync.Mutex
	started bool                  // mark is set
	mark    int64                 // every event up to mark was handed on
	heard   map[int64]event.Event // heard on the bus, above mark
	reading bool                  // a fill is running
	later   []event.Event         // ephemeral events heard during a fill: they follow it
	gone    bool                  // the tenant's last client left
	// resumed is the lowest seq a client resumed from before the ordering
	// started (0: none): the ordering starts no later (startOrder).
	resumed int64
}

// resumeFrom notes that a client resumes after seq. Its replay reads the
// table once; an event committed just after that read whose node died
// before publishing it is only ever read by the ordering, which must not
// start past it. Once started, the ordering hands on every event after its
// mark to the clients registered, this one included.
func (o *tenantOrder) resumeFrom(seq int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.started && seq > 0 && (o.resumed == 0 || seq < o.resumed) {
		o.resumed = seq
	}
}

// heard takes a stored event from the bus. Events at or below the mark were
// handed on already, or are late duplicates: they are offered again (each
// connection sends a seq once), which costs nothing and keeps an event a
// lagging read missed. Others wait for a fill.
func (h *Hub) heard(o *tenantOrder, ev event.Event) {
	o.mu.Lock()
	if o.started && ev.Seq <= o.mark {
		o.mu.Unlock()
		h.offerAll(ev)
		return
	}
	o.heard[ev.Seq] = ev
	if o.reading {
		o.mu.Unlock()
		return
	}
	o.reading = true
	o.mu.Unlock()
	go h.fill(o)
}

// heardEphemeral takes an event that is never stored (seq 0). It goes on at
// once, unless a fill is running: then after it, so it does not overtake
// the stored events heard before it.
func (h *Hub) heardEphemeral(o *tenantOrder, ev event.Event) {
	o.mu.Lock()
	if o.reading {
		o.later = append(o.later, ev)
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	h.offerAll(ev)
}

// fill reads the tenant's events after the mark from the table and hands
// them on, until nothing heard is left above the mark.
func (h *Hub) fill(o *tenantOrder) {
	for {
		o.mu.Lock()
		if o.gone || len(o.heard) == 0 {
			later := o.later
			o.reading, o.later = false, nil
			o.mu.Unlock()
			for _, ev := range later {
				h.offerAll(ev)
			}
			return
		}
		started, from := o.started, o.mark
		o.mu.Unlock()
		if !started {
			from = h.startOrder(o)
		}
		ctx, cancel := context.WithTimeout(context.Background(), orderTimeout)
		evs, err := h.replay.EventsSince(ctx, o.tenantID, from, h.replayPage)
		cancel()
		if err != nil {
			h.log.Warn("reading events to hand on in order failed; handing on what the bus brought", "tenant_id", o.tenantID, "err", err)
			evs = nil
		}
		o.mu.Lock()
		top := from
		for _, ev := range evs {
			top = max(top, ev.Seq)
			delete(o.heard, ev.Seq)
		}
		// What was heard but not read (a read that failed, or a table that
		// lags the bus) goes on as heard, after what was read, when the read
		// reached no further; a full page reads again first.
		var rest []event.Event
		if len(evs) < h.replayPage {
			for seq, ev := range o.heard {
				rest = append(rest, ev)
				delete(o.heard, seq)
				top = max(top, seq)
			}
			slices.SortFunc(rest, func(a, b event.Event) int { return cmp.Compare(a.Seq, b.Seq) })
		}
		o.mark = max(o.mark, top)
		later := o.later
		o.later = nil
		o.mu.Unlock()
		for _, ev := range evs {
			h.offerAll(ev)
		}
		for _, ev := range rest {
			h.offerAll(ev)
		}
		for _, ev := range later {
			h.offerAll(ev)
		}
	}
}

// startOrder starts the tenant's ordering just below the lowest event heard
// since its first client connected, or where a client resumed from if that
// is lower. A client resuming catches up from the table itself, but an event
// committed after its read and never published fell between that read and
// the first event heard: the chaos test's agent resumed on a node just
// restarted and missed one. (What the bus drops before the first event heard
// is not a client's: a client that did not resume starts with what it hears.)
func (h *Hub) startOrder(o *tenantOrder) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.started {
		low := int64(-1)
		for seq := range o.heard {
			if low < 0 || seq < low {
				low = seq
			}
		}
		o.started, o.mark = true, max(low-1, 0)
		if o.resumed > 0 {
			// Every event between the client's read and the first one heard is
			// one no node published: a few, not a backlog. A client resuming from
			// far back is not offered its whole backlog a second time while its
			// own replay sends it (its queue would overflow, ending it as slow).
			o.mark = max(min(o.mark, o.resumed), o.mark-resumeReach)
		}
	}
	return o.mark
}

// resumeReach is how far below the first event heard the ordering starts
// for a client that resumed from further back.
const resumeReach = 64

// offerAll offers ev to its tenant's connections.
func (h *Hub) offerAll(ev event.Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	h.offerLocked(ev)
}
