package wsock

import (
	"context"
	"sync"
	"time"
)

// Pinger is what Keepalive pings: *websocket.Conn.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Keepalive pings many sockets, each once an interval, from one goroutine
// that runs only while it has sockets, instead of a ticker and a goroutine
// per socket. A ping in flight has a goroutine of its own until the pong
// comes (or timeout passes), so only the sockets being pinged at a moment
// cost one.
type Keepalive struct {
	interval, timeout time.Duration

	mu      sync.Mutex
	socks   map[*keptAlive]struct{}
	running bool
}

type keptAlive struct {
	p    Pinger
	due  time.Time
	busy bool
	then func(error)
}

// NewKeepalive pings each socket every interval and waits timeout for its pong.
func NewKeepalive(interval, timeout time.Duration) *Keepalive {
	return &Keepalive{interval: interval, timeout: timeout, socks: map[*keptAlive]struct{}{}}
}

// Add pings p from one interval on; after each ping, then is called (on the
// ping's goroutine) with its error: nil when the pong came. remove stops the
// pings; call it when the socket ends.
func (k *Keepalive) Add(p Pinger, then func(error)) (remove func()) {
	s := &keptAlive{p: p, due: time.Now().Add(k.interval), then: then}
	k.mu.Lock()
	k.socks[s] = struct{}{}
	if !k.running {
		k.running = true
		go k.run()
	}
	k.mu.Unlock()
	return func() {
		k.mu.Lock()
		delete(k.socks, s)
		k.mu.Unlock()
	}
}

// Len is how many sockets are kept alive.
func (k *Keepalive) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.socks)
}

// step is how often the loop looks for sockets due: a tenth of the
// interval, at most 100 ms, so a ping is at most that late and sockets
// opened in a burst are pinged in small batches, not one a second.
func (k *Keepalive) step() time.Duration {
	return min(k.interval/10, 100*time.Millisecond)
}

func (k *Keepalive) run() {
	t := time.NewTicker(k.step())
	defer t.Stop()
	var due []*keptAlive
	for now := range t.C {
		due = due[:0]
		k.mu.Lock()
		if len(k.socks) == 0 {
			k.running = false
			k.mu.Unlock()
			return
		}
		for s := range k.socks {
			if !s.busy && !now.Before(s.due) {
				s.busy = true
				s.due = now.Add(k.interval)
				due = append(due, s)
			}
		}
		k.mu.Unlock()
		for _, s := range due {
			go k.ping(s)
		}
	}
}

func (k *Keepalive) ping(s *keptAlive) {
	ctx, cancel := context.WithTimeout(context.Background(), k.timeout)
	err := s.p.Ping(ctx)
	cancel()
	k.mu.Lock()
	_, kept := k.socks[s]
	k.mu.Unlock()
	if kept {
		s.then(err)
	}
	k.mu.Lock()
	s.busy = false
	k.mu.Unlock()
}
