package realtime

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what an operator watches to size nodes and spot struggling clients.
type metrics struct {
	clients prometheus.Gauge
	sent    prometheus.Counter
	slow    prometheus.Counter
	revoked prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_realtime_clients",
			Help: "WebSocket clients connected to this node's realtime hub.",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_realtime_events_sent_total",
			Help: "Events written to realtime clients, replayed or live.",
		}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_realtime_slow_consumer_disconnects_total",
			Help: "Realtime clients cut off because their send queue filled.",
		}),
		revoked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_realtime_revoked_disconnects_total",
			Help: "Realtime clients closed because their user signed out, was disabled or changed role.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.clients, m.sent, m.slow, m.revoked} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("realtime: register metrics: %w", err)
		}
	}
	return m, nil
}
