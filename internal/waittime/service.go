package waittime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// presenceTTL is how long a tenant's routable presence states are kept
// before they are read again.
const presenceTTL = 30 * time.Second

// Service keeps one Estimator per queue of every tenant, fed from the bus:
// routing's queue.stats (agents staffed, contacts waiting) and
// routing.assigned (a contact left the queue, after waiting so long). Every
// node follows the same events, so every node estimates alike.
type Service struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger

	mu       sync.Mutex
	queues   map[string]*Estimator // tenant id + "/" + queue id
	routable map[string]routable   // tenant id → its routable presence names
	watchers map[int]func(tenantID string)
	nextID   int
}

type routable struct {
	names map[string]bool
	at    time.Time
}

// NewService returns a service with no queue learnt yet.
func NewService(db *store.DB, clk clock.Clock, log *slog.Logger) *Service {
	if clk == nil {
		clk = clock.System{}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, clock: clk, log: log, queues: map[string]*Estimator{}, routable: map[string]routable{}, watchers: map[int]func(string){}}
}

// Wait is what a waiting customer is told.
type Wait struct {
	// Waiting is false once the conversation is with an agent (or was never
	// queued); the other fields are then empty.
	Waiting bool   `json:"waiting"`
	QueueID string `json:"queue_id,omitempty"`
	// Position is the 1-based place in the queue.
	Position int `json:"position,omitempty"`
	// EstimatedWaitSeconds is nil when no estimate would be honest (nobody
	// staffed, or nothing known of the queue yet on this node).
	EstimatedWaitSeconds *int `json:"estimated_wait_seconds"`
}

// Follow feeds the estimators from the bus until stop is called.
func (s *Service) Follow(b *bus.Bus) (stop func() error, err error) {
	return b.SubscribeEvents(func(ev event.Event) {
		switch ev.Type {
		case event.QueueStats:
			s.onStats(ev)
		case event.RoutingAssigned:
			s.onAssigned(ev)
		default:
			return
		}
		s.mu.Lock()
		fns := make([]func(string), 0, len(s.watchers))
		for _, fn := range s.watchers {
			fns = append(fns, fn)
		}
		s.mu.Unlock()
		for _, fn := range fns {
			fn(ev.TenantID)
		}
	})
}

// WatchWaits calls fn with a tenant's id each time its queues' figures
// were learnt from (after the estimators took them in, so a wait read then
// is the new one), until stop is called.
func (s *Service) WatchWaits(fn func(tenantID string)) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	s.watchers[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.watchers, id)
	}
}

func (s *Service) estimator(tenantID, queueID string) *Estimator {
	k := tenantID + "/" + queueID
	e := s.queues[k]
	if e == nil {
		e = &Estimator{}
		s.queues[k] = e
	}
	return e
}

func (s *Service) onStats(ev event.Event) {
	var qs []struct {
		QueueID string         `json:"queue_id"`
		Waiting int            `json:"waiting"`
		Agents  map[string]int `json:"agents"`
	}
	if json.Unmarshal(ev.Data, &qs) != nil {
		return
	}
	names := s.routableNames(ev.TenantID)
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range qs {
		staffed := 0
		for name, n := range q.Agents {
			if names[name] {
				staffed += n
			}
		}
		s.estimator(ev.TenantID, q.QueueID).Observe(now, staffed, q.Waiting)
	}
}

// routableNames are the presence states whose agents take work: the
// built-in "available" and the tenant's own routable ones.
func (s *Service) routableNames(tenantID string) map[string]bool {
	now := s.clock.Now()
	s.mu.Lock()
	r, ok := s.routable[tenantID]
	s.mu.Unlock()
	if ok && now.Sub(r.at) < presenceTTL {
		return r.names
	}
	names := map[string]bool{"available": true}
	states, err := s.db.PresenceStates(context.Background(), tenantID)
	if err != nil {
		s.log.Debug("presence states", "tenant_id", tenantID, "err", err)
	}
	for _, p := range states {
		names[p.Name] = p.Routable
	}
	names["available"] = true
	s.mu.Lock()
	s.routable[tenantID] = routable{names: names, at: now}
	s.mu.Unlock()
	return names
}

func (s *Service) onAssigned(ev event.Event) {
	var p struct {
		WorkID  string `json:"work_id"`
		QueueID string `json:"queue_id"`
	}
	if json.Unmarshal(ev.Data, &p) != nil || p.WorkID == "" {
		return
	}
	w, err := s.db.Work(context.Background(), ev.TenantID, p.WorkID)
	if err != nil {
		return
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.estimator(ev.TenantID, w.QueueID).Served(now, now.Sub(w.ArrivedAt))
}

// Of is the wait of a conversation's queued work: its place and the
// estimate. A conversation with no waiting work is not waiting; one of
// another tenant is ErrNotFound (from the conversation read).
func (s *Service) Of(ctx context.Context, tenantID, conversationID string) (Wait, error) {
	if _, err := s.db.Conversation(ctx, tenantID, conversationID); err != nil {
		return Wait{}, err
	}
	work, err := s.db.ActiveWorkFor(ctx, tenantID, conversationID)
	if err != nil {
		return Wait{}, err
	}
	for _, w := range work {
		if w.State != "waiting" {
			continue
		}
		return s.OfWork(ctx, tenantID, w.ID, w.QueueID)
	}
	return Wait{}, nil
}

// OfWork is the wait of one waiting work item (a queued call's).
func (s *Service) OfWork(ctx context.Context, tenantID, workID, queueID string) (Wait, error) {
	pos, err := s.db.WaitingPosition(ctx, tenantID, workID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && pos == 0) {
		return Wait{}, nil
	}
	if err != nil {
		return Wait{}, err
	}
	out := Wait{Waiting: true, QueueID: queueID, Position: pos}
	if secs, ok := s.Estimate(tenantID, queueID, pos); ok {
		out.EstimatedWaitSeconds = &secs
	}
	return out, nil
}

// Estimate is the estimated wait, in whole seconds, at position of a queue.
func (s *Service) Estimate(tenantID, queueID string, position int) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.queues[tenantID+"/"+queueID]
	if !ok {
		return 0, false
	}
	d, ok := e.Estimate(position, s.clock.Now())
	return int(d / time.Second), ok
}

// waitFrame is the widget's "wait" frame (internal/channel/webchat).
type waitFrame struct {
	Type           string `json:"type"` // "wait"
	ConversationID string `json:"conversation_id"`
	Wait
	// Text says it to the visitor (Phrase); empty when not waiting.
	Text string `json:"text,omitempty"`
}

// WaitFrame is the conversation's "wait" frame for the widget
// (webchat.Waits); nil when the wait cannot be read.
func (s *Service) WaitFrame(ctx context.Context, tenantID, conversationID string) []byte {
	w, err := s.Of(ctx, tenantID, conversationID)
	if err != nil {
		return nil
	}
	f := waitFrame{Type: "wait", ConversationID: conversationID, Wait: w}
	if w.Waiting {
		secs := 0
		if w.EstimatedWaitSeconds != nil {
			secs = *w.EstimatedWaitSeconds
		}
		f.Text = Phrase(w.Position, time.Duration(secs)*time.Second, w.EstimatedWaitSeconds != nil)
	}
	b, _ := json.Marshal(f)
	return b
}
