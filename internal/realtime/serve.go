package realtime

import (
	"context"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/wsock"
)

// Client is who is connecting and from where in the feed, as established by the
// HTTP layer (session cookie or Tokens) before it calls Serve.
type Client struct {
	TenantID string
	UserID   string
	// SessionID names the sign-in the connection rides on, so ending that one
	// session (a logout) closes it; see event.AuthChange.
	SessionID string
	// Since is the last seq the client saw; events after it are replayed from the
	// store before live delivery starts. Zero means live events only.
	Since int64
	// Filter, when set, narrows the tenant's events to those this client may see
	// (a widget sees its own conversation only). It runs on the connection's own
	// goroutine, so a slow filter delays only this client.
	Filter func(event.Event) bool
	// Recheck, when set, asks again whether the client may stay connected with
	// the access it connected with; it runs after every ping. It is the backstop
	// for an auth.changed event lost on the bus (delivery there is at most once):
	// an error closes the connection (1008) within one ping interval.
	Recheck func(ctx context.Context) error
	// Frames, when set, receives the client's text frames (a browser call's
	// signalling, internal/voice/calls) on the connection's reader goroutine;
	// an error closes the connection (1008) with its text. Without it a frame
	// from the client closes the connection, as the feed takes none.
	Frames func(ctx context.Context, data []byte) error
	// Closed, when set, is called once when the connection has ended.
	Closed func()
}

// Serve upgrades the request to a WebSocket and streams the client's tenant
// events as JSON text frames, one event.Event per frame, until the client leaves,
// falls too far behind, or the hub closes. It returns once the connection is
// up and has been replayed what it missed (or has ended): the connection
// outlives the handler, held by its reader goroutine alone while idle
// (ADR 0065), and Hub.Close waits for it.
//
// The client is subscribed before the upgrade completes, so an event committed
// after the client's dial returns is delivered even with Since zero. Messages
// from the client are not expected; one closes the connection (1008). An
// auth.changed event naming the client's user (and session, if it names one)
// closes it with 1008 too: the client must reconnect, which authorises it anew.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, cl Client) {
	log := h.log.With("tenant_id", cl.TenantID, "user_id", cl.UserID)
	if cl.TenantID == "" {
		log.Error("serve called without a tenant")
		http.Error(w, "no tenant", http.StatusInternalServerError)
		return
	}
	c := newConn(h, cl, log)
	if !h.register(c) {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	// Checked again now that c hears auth changes: one committed between the
	// caller's check and register was published after its commit, so either it
	// reaches c from now on or this check sees it.
	if cl.Recheck != nil {
		if err := cl.Recheck(r.Context()); err != nil {
			h.unregister(c)
			log.Info("realtime client refused: access changed while connecting", "err", err)
			http.Error(w, "access changed; sign in again", http.StatusUnauthorized)
			return
		}
	}

	opts := h.accept
	ws, err := wsock.Accept(w, r, &opts)
	if err != nil {
		h.unregister(c)
		log.Debug("websocket upgrade refused", "err", err)
		return
	}
	log.Debug("realtime client connected", "since", cl.Since)
	c.run(ws)
}
