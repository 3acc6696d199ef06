// Package inbox is where every contact comes in and every reply goes out: it
// resolves who wrote (the persona), threads the message into the right
// conversation, makes it durable before anyone is told, and sends agents'
// replies as durable jobs on whichever channel the customer has. The types it
// works on are in conversation and persona; the channels plug in through channel.
package inbox

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Queue enqueues durable jobs in the caller's transaction.
type Queue interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Limits bound what one inbound message may carry.
type Limits struct {
	MaxBodyBytes       int   // longest text body kept
	MaxAttachmentBytes int64 // largest single file
	MaxAttachments     int
}

// DefaultLimits are the limits unless configured.
var DefaultLimits = Limits{MaxBodyBytes: 256 << 10, MaxAttachmentBytes: 10 << 20, MaxAttachments: 10}

// core is what both the service and the delivery worker work with.
type core struct {
	db       *store.DB
	out      *outbox.Outbox
	channels *channel.Registry
	clock    clock.Clock
	log      *slog.Logger
}

// Service runs every tenant's conversations.
type Service struct {
	core
	queue  Queue
	limits Limits
	// batch group-commits inbound messages (see Ingest).
	batch *outbox.Batcher
	// onInbound run in each inbound message's transaction (see OnInbound).
	onInbound []InboundHook
}

// InboundHook runs inside the transaction that stores a new inbound message,
// after the message and its conversation are written, so what it adds (a
// notification's context on a reply) commits with the message or not at all.
type InboundHook func(ctx context.Context, tx *outbox.Tx, in Inbound, res Ingested) error

// OnInbound adds a hook run for every new inbound message, after those added
// before it (notification replies, a channel's own bookkeeping such as
// WhatsApp's customer-service window). Call it while wiring the node, before
// the service takes traffic.
func (s *Service) OnInbound(h InboundHook) { s.onInbound = append(s.onInbound, h) }

// Option adjusts a Service at construction.
type Option func(*Service)

// WithBatching sets how inbound messages are group-committed: the batch cap and,
// on PostgreSQL, how many batches commit at once. The default is
// outbox.BatchConfig's zero value.
func WithBatching(cfg outbox.BatchConfig) Option {
	return func(s *Service) { s.batch = outbox.NewBatcher(s.out, cfg) }
}

// New returns the conversation service.
func New(db *store.DB, out *outbox.Outbox, queue Queue, channels *channel.Registry, clk clock.Clock, log *slog.Logger, limits Limits, opts ...Option) *Service {
	s := &Service{core: core{db: db, out: out, channels: channels, clock: clk, log: log}, queue: queue, limits: limits}
	s.batch = outbox.NewBatcher(out, outbox.BatchConfig{})
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Actor is who acts on a conversation: an agent, or the system.
type Actor struct {
	TenantID string
	UserID   string // empty for the system or an API key
	KeyID    string
}

func (a Actor) author() (typ, id string) {
	switch {
	case a.UserID != "":
		return "user", a.UserID
	case a.KeyID != "":
		return "api_key", a.KeyID
	}
	return "system", ""
}

// Realtime tells whether a channel of this center is real-time (the customer
// is there now: a web chat), as its capabilities say; routing keeps such a
// conversation with its agent while it is open.
func (s *Service) Realtime(channel string) bool {
	impl, ok := s.channels.Get(channel)
	return ok && impl.Capabilities().Realtime
}
