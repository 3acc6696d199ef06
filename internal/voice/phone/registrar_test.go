package phone_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/switchboard-cx/switchboard/internal/voice/phone"
)

// registrarPeer is a provider's registrar built on sipgo's server, apart from
// the code under test: it grants every REGISTER and keeps, per Call-ID (one
// per registration the center keeps), the user and the last Expires asked.
type registrarPeer struct {
	addr string
	mu   sync.Mutex
	regs map[string]registered // by Call-ID
}

type registered struct {
	user    string
	expires int
}

func newRegistrarPeer(t *testing.T) *registrarPeer {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-registrar"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &registrarPeer{addr: pc.LocalAddr().String(), regs: map[string]registered{}}
	srv.OnRegister(func(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
		expires := 3600
		if h := req.GetHeader("Expires"); h != nil {
			if n, err := strconv.Atoi(h.Value()); err == nil {
				expires = n
			}
		}
		p.mu.Lock()
		p.regs[req.CallID().Value()] = registered{user: req.From().Address.User, expires: expires}
		p.mu.Unlock()
		res := sipmsg.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sipmsg.NewHeader("Expires", strconv.Itoa(expires)))
		_ = tx.Respond(res)
	})
	go srv.ServeUDP(pc)
	t.Cleanup(func() { pc.Close(); ua.Close() })
	return p
}

// live counts the registrations of user that stand (last Expires > 0) and
// those removed (Expires 0).
func (p *registrarPeer) live(user string) (standing, removed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range p.regs {
		switch {
		case r.user != user:
		case r.expires > 0:
			standing++
		default:
			removed++
		}
	}
	return standing, removed
}

// A trunk set to register is registered at its provider by the node; when
// its credentials change it is registered anew (the old registration
// removed); when it no longer registers, or is deleted, its registration is
// removed. Driven through the admin API and a real node's SIP server.
func TestRegistrarKeepsTrunksRegistered(t *testing.T) {
	c := newCenter(t)
	peer := newRegistrarPeer(t)
	r := phone.NewRegistrar(c.app.Phone, c.app.SIP, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()

	var tr struct{ ID string }
	trunk := map[string]any{"name": "Registered line", "provider": peer.addr, "transport": "udp", "username": "acme",
		"password": "first-secret", "register": true, "numbers": []map[string]any{{"number": c.number, "queue_id": c.front}}}
	c.do(t, "POST", "/api/v1/phone/trunks", trunk, &tr, 201)
	r.Reconcile(ctx)
	if got := r.Registered(); !slices.Equal(got, []string{tr.ID}) {
		t.Fatalf("registered %v, want the trunk %s", got, tr.ID)
	}
	if standing, _ := peer.live("acme"); standing < 1 {
		t.Fatal("the provider holds no registration of the trunk")
	}

	// Nothing changed: the next round leaves the registration alone.
	r.Reconcile(ctx)
	if standing, removed := peer.live("acme"); standing < 1 || removed != 0 {
		t.Fatalf("an unchanged trunk was registered again: %d standing, %d removed", standing, removed)
	}

	// New credentials: registered anew, the old registration removed.
	trunk["password"] = "second-secret"
	c.do(t, "PUT", "/api/v1/phone/trunks/"+tr.ID, trunk, nil, 200)
	r.Reconcile(ctx)
	if standing, removed := peer.live("acme"); standing < 1 || removed < 1 {
		t.Fatalf("after new credentials: %d standing, %d removed; want a new one and the old removed", standing, removed)
	}

	// No longer registering: removed, and nothing registered by this node.
	trunk["register"] = false
	c.do(t, "PUT", "/api/v1/phone/trunks/"+tr.ID, trunk, nil, 200)
	r.Reconcile(ctx)
	if got := r.Registered(); len(got) != 0 {
		t.Fatalf("still registered %v after register was turned off", got)
	}
	if standing, _ := peer.live("acme"); standing != 0 {
		t.Fatalf("%d registrations still stand at the provider", standing)
	}

	// A provider that refuses nothing but is gone: the trunk is tried again next round, nothing held.
	trunk["register"], trunk["provider"] = true, "127.0.0.1:9"
	c.do(t, "PUT", "/api/v1/phone/trunks/"+tr.ID, trunk, nil, 200)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	r.Reconcile(rctx)
	cancel()
	if got := r.Registered(); len(got) != 0 {
		t.Fatalf("a trunk whose provider never answered counts as registered: %v", got)
	}
}
