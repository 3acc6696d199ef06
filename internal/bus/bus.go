// Package bus carries events between Switchboard's nodes over NATS. A single node
// runs an embedded NATS server in-process, so `switchboard serve` needs nothing
// installed; a cluster points every node at an external NATS and the same code
// fans events out across machines. Callers see subjects and bytes, never which of
// the two set-ups is running.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// StartHint tells an operator how to bring up the external NATS server that an
// URL points at; it is part of the error Open returns when none answers.
const StartHint = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server"

// flushTimeout bounds the round trip that makes a new subscription live on the
// server before Subscribe returns.
const flushTimeout = 5 * time.Second

// Options chooses between the embedded server and an external one.
type Options struct {
	// URL of an external NATS server or cluster (comma-separated URLs allowed).
	// Empty starts an embedded server inside this process.
	URL string
	// DataDir holds the embedded server's JetStream store (under DataDir/nats);
	// required when URL is empty. JetStream is always on in the embedded server:
	// durable streams will need it, and it adds only milliseconds to start-up.
	DataDir string
	// Logger receives connection state changes; nil means slog.Default().
	Logger *slog.Logger
}

// Bus is a connection to NATS, plus the embedded server when there is one.
type Bus struct {
	nc     *nats.Conn
	ns     *server.Server // nil when connected to an external server
	log    *slog.Logger
	closed chan struct{} // closed by nats when the connection is finally closed
	// closing quiets the disconnect log when the disconnect is our own Close.
	closing atomic.Bool
	// events is the node's one subscription to the events, shared by every
	// SubscribeEvents handler.
	events eventFanout
}

// Open starts or connects to NATS as opts says. The embedded server listens on no
// port: only this process can reach it, so there is nothing to secure.
func Open(ctx context.Context, opts Options) (*Bus, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "bus")
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	b := &Bus{log: log, closed: make(chan struct{})}
	if opts.URL == "" {
		ns, err := startEmbedded(opts, log)
		if err != nil {
			return nil, err
		}
		b.ns = ns
	}
	nc, err := nats.Connect(opts.URL, b.connectOptions()...)
	if err != nil {
		if b.ns != nil {
			b.ns.Shutdown()
			return nil, fmt.Errorf("connect to embedded nats: %w", err)
		}
		return nil, fmt.Errorf("connect to nats at %s: %w (is NATS running? start it with: %s)",
			redactURL(opts.URL), err, StartHint)
	}
	b.nc = nc
	if b.ns != nil {
		log.Info("embedded nats started", "store_dir", b.ns.StoreDir())
	} else {
		log.Info("connected to nats", "server", nc.ConnectedUrlRedacted())
	}
	return b, nil
}

func (b *Bus) connectOptions() []nats.Option {
	opts := []nats.Option{
		nats.Name("switchboard"),
		nats.ClosedHandler(func(*nats.Conn) { close(b.closed) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			b.log.Error("nats async error", "subject", subject, "err", err)
		}),
		nats.DrainTimeout(10 * time.Second),
	}
	if b.ns != nil {
		return append(opts, nats.InProcessServer(b.ns))
	}
	// An external server may restart or fail over; keep trying for ever rather
	// than leave a node that looks up but no longer hears other nodes.
	return append(opts,
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if !b.closing.Load() {
				b.log.Warn("nats disconnected; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("nats reconnected", "server", nc.ConnectedUrlRedacted())
		}),
	)
}

// Publish sends data on subject. Delivery is at most once: durable facts live in
// SQL (the events table), and the bus only tells other nodes to look or push.
func (b *Bus) Publish(ctx context.Context, subject string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish %s: %w", subject, err)
	}
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("publish %s: %w", subject, err)
	}
	return nil
}

// Subscribe calls handler for every message on subject (wildcards allowed), one
// message at a time and in arrival order. When it returns, the subscription is
// registered with the server, so anything published afterwards is seen.
func (b *Bus) Subscribe(subject string, handler func(subject string, data []byte)) (unsubscribe func() error, err error) {
	sub, err := b.nc.Subscribe(subject, func(m *nats.Msg) { handler(m.Subject, m.Data) })
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", subject, err)
	}
	if err := b.nc.FlushTimeout(flushTimeout); err != nil {
		// While disconnected the client replays subscriptions on reconnect, so the
		// subscription is not lost; only the "live on return" promise is.
		b.log.Warn("subscription not yet confirmed by nats", "subject", subject, "err", err)
	}
	return func() error {
		if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			return fmt.Errorf("unsubscribe %s: %w", subject, err)
		}
		return nil
	}, nil
}

// Conn exposes the NATS connection for what this package does not wrap yet
// (JetStream streams, request/reply).
func (b *Bus) Conn() *nats.Conn { return b.nc }

// Healthy reports whether this node can currently reach the bus; /readyz uses it
// so a load balancer stops sending traffic to a node that cannot fan out events.
func (b *Bus) Healthy() error {
	if b.ns != nil && !b.ns.Running() {
		return errors.New("bus: embedded nats is not running")
	}
	if st := b.nc.Status(); st != nats.CONNECTED {
		return fmt.Errorf("bus: nats connection is %s", st)
	}
	return nil
}

// Close drains the connection, so messages already received reach their
// handlers and published ones reach the server, then stops the embedded server.
func (b *Bus) Close() {
	b.closing.Store(true)
	if err := b.nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		b.log.Warn("nats drain failed", "err", err)
		b.nc.Close()
	}
	<-b.closed
	if b.ns != nil {
		b.ns.Shutdown()
		b.ns.WaitForShutdown()
	}
}

// redactURL hides passwords in nats://user:pass@host URLs before they reach logs
// or error messages.
func redactURL(urls string) string {
	parts := strings.Split(urls, ",")
	for i, u := range parts {
		if at := strings.LastIndex(u, "@"); at >= 0 {
			scheme := ""
			if s := strings.Index(u, "://"); s >= 0 && s < at {
				scheme = u[:s+3]
			}
			parts[i] = scheme + "redacted@" + u[at+1:]
		}
	}
	return strings.Join(parts, ",")
}
