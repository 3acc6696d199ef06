package webchat

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// callers limits how often one address may open sessions, post messages,
// upload and leave offline messages on one widget: the widget's endpoints are
// public, so without it a script could fill a tenant's inbox. Sockets have their
// own per-connection frame limit.
type callers struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	byKey   map[string]*caller
	swept   time.Time
	idleTTL time.Duration
}

type caller struct {
	lim  *rate.Limiter
	seen time.Time
}

func newCallers(perSecond float64, burst int) *callers {
	return &callers{rate: rate.Limit(perSecond), burst: burst, byKey: map[string]*caller{}, idleTTL: 10 * time.Minute}
}

// allow reports whether the request's address may make one more call to the
// widget now. The address is the connection's peer: behind a proxy, all
// visitors share the proxy's address, so raise the limit there.
func (cs *callers) allow(r *http.Request, widget string, now time.Time) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	key := widget + "|" + host
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if now.Sub(cs.swept) > time.Minute { // forget addresses idle long enough to be full again
		for k, c := range cs.byKey {
			if now.Sub(c.seen) > cs.idleTTL {
				delete(cs.byKey, k)
			}
		}
		cs.swept = now
	}
	c, ok := cs.byKey[key]
	if !ok {
		c = &caller{lim: rate.NewLimiter(cs.rate, cs.burst)}
		cs.byKey[key] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}
