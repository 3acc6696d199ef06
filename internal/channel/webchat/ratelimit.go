package webchat

import (
	"net"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ratelimit"
)

// callers limits how often one address may open sessions, post messages,
// upload and leave offline messages on one widget: the widget's endpoints are
// public, so without it a script could fill a tenant's inbox. Sockets have their
// own per-connection frame limit. The node shares it with the cluster's
// others (RateLimits).
type callers struct{ *ratelimit.Keyed }

func newCallers(perSecond float64, burst int) callers {
	return callers{ratelimit.New("widget", ratelimit.Limit{PerSecond: perSecond, Burst: burst})}
}

// allow reports whether the request's address may make one more call to the
// widget now. The address is the connection's peer: behind a proxy, all
// visitors share the proxy's address, so raise the limit there.
func (cs callers) allow(r *http.Request, widget string, now time.Time) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ok, _ := cs.Take(widget+"|"+host, now)
	return ok
}

// RateLimits are the widget's per-address limit, for the node to share with
// the cluster's other nodes.
func (c *Channel) RateLimits() []*ratelimit.Keyed { return []*ratelimit.Keyed{c.callers.Keyed} }
