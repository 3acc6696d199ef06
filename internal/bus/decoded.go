package bus

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// decodedEvents remembers the last events this node decoded, by their bytes
// on the wire. Every SubscribeEvents handler (the realtime hub, the widget,
// routing, rollups, surveys, waits, calls, knowledge…) has a NATS
// subscription of its own and gets its own copy of each message: without it
// each decoded the same JSON again, about ten times per event, which was the
// largest single cost of an inbound message on this node.
type decodedEvents struct {
	mu   sync.Mutex
	byID map[string]event.Event // the message's bytes → the event they decode to
	ring []string               // keys, oldest first
	next int
}

// decodedKeep bounds the memory: the subscriptions of one node take a
// message within moments of each other.
const decodedKeep = 256

// decode returns the event data holds, decoding it only if no other
// subscription did already. Each caller gets a Data of its own, so no handler
// can change what another one reads.
func (d *decodedEvents) decode(data []byte) (event.Event, error) {
	d.mu.Lock()
	ev, ok := d.byID[string(data)]
	d.mu.Unlock()
	if !ok {
		if err := json.Unmarshal(data, &ev); err != nil {
			return ev, err
		}
		key := string(data)
		d.mu.Lock()
		if d.byID == nil {
			d.byID, d.ring = map[string]event.Event{}, make([]string, decodedKeep)
		}
		if _, ok := d.byID[key]; !ok {
			delete(d.byID, d.ring[d.next]) // the oldest ("" at first: absent)
			d.byID[key], d.ring[d.next] = ev, key
			d.next = (d.next + 1) % decodedKeep
		}
		d.mu.Unlock()
	}
	ev.Data = slices.Clone(ev.Data)
	return ev, nil
}
