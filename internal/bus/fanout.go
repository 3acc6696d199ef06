package bus

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// maxPendingEvents is how many events one handler may fall behind before
// the newest are dropped for it (and logged), as NATS drops for a slow
// subscriber: the events table is the durable record, the bus only tells.
const maxPendingEvents = 1 << 16

// eventFanout is a node's one subscription to every tenant's events. A dozen
// services follow the events (realtime, routing, web chat, rollups, search,
// …); with a subscription each, the server sent the node a copy of every
// event per service and each copy was decoded again — on every node of a
// cluster. Now each event crosses the wire to a node once and is decoded
// once, then handed to every handler, each in its own goroutine and in
// arrival order, as separate subscriptions would.
type eventFanout struct {
	mu    sync.Mutex
	sinks map[*eventSink]struct{}
	unsub func() error // the NATS subscription, while any handler follows
}

// eventSink is one handler's queue of events not yet handled.
type eventSink struct {
	handler func(event.Event)
	wake    chan struct{} // capacity 1: something was queued or it closed
	mu      sync.Mutex
	queue   []event.Event
	closed  bool
	dropped int
}

// SubscribeEvents calls handler with every tenant's events, in the order this
// node receives them. A message whose body names a different tenant than its
// subject is dropped: the subject is what routing trusts, and a mismatch would let
// one tenant's event reach another's clients. When it returns, anything
// published afterwards reaches handler.
func (b *Bus) SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error) {
	f := &b.events
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.unsub == nil {
		unsub, err := b.Subscribe(event.SubjectAll, b.receiveEvent)
		if err != nil {
			return nil, err
		}
		f.unsub, f.sinks = unsub, map[*eventSink]struct{}{}
	}
	s := &eventSink{handler: handler, wake: make(chan struct{}, 1)}
	f.sinks[s] = struct{}{}
	go s.run()
	return func() error {
		f.mu.Lock()
		var unsub func() error
		if _, ok := f.sinks[s]; ok {
			delete(f.sinks, s)
			if len(f.sinks) == 0 {
				unsub, f.unsub = f.unsub, nil
			}
		}
		f.mu.Unlock()
		s.close()
		if unsub != nil {
			return unsub()
		}
		return nil
	}, nil
}

// receiveEvent decodes one event from NATS and queues it for every handler.
func (b *Bus) receiveEvent(subject string, data []byte) {
	var ev event.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		b.log.Warn("dropping undecodable event", "subject", subject, "err", err)
		return
	}
	if tenant := strings.TrimPrefix(subject, strings.TrimSuffix(event.SubjectAll, "*")); tenant != ev.TenantID {
		b.log.Error("dropping event whose tenant does not match its subject",
			"tenant_id", tenant, "event_id", ev.ID)
		return
	}
	b.events.mu.Lock()
	defer b.events.mu.Unlock()
	for s := range b.events.sinks {
		if s.push(ev) {
			b.log.Warn("an event handler fell behind; events dropped for it", "pending", maxPendingEvents)
		}
	}
}

// push queues ev; it reports true when it dropped the event, the first time
// and every 1,024th after.
func (s *eventSink) push(ev event.Event) (dropped bool) {
	s.mu.Lock()
	switch {
	case s.closed:
	case len(s.queue) >= maxPendingEvents:
		s.dropped++
		dropped = s.dropped%1024 == 1
	default:
		s.queue = append(s.queue, ev)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return dropped
}

// run hands queued events to the handler until the sink closes.
func (s *eventSink) run() {
	for {
		s.mu.Lock()
		batch, closed := s.queue, s.closed
		s.queue = nil
		s.mu.Unlock()
		if closed {
			return
		}
		for _, ev := range batch {
			s.handler(ev)
		}
		if len(batch) == 0 {
			<-s.wake
		}
	}
}

// close stops the sink; events not yet handled are dropped, as a NATS
// subscription's are when it ends.
func (s *eventSink) close() {
	s.mu.Lock()
	s.closed, s.queue = true, nil
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
