package send_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// pushService is a push service (RFC 8030) holding subscribed browsers'
// keys, so it can read what it is sent (RFC 8291); a subscription it does
// not know answers 410 Gone, as for a browser that unsubscribed.
type pushService struct {
	srv *httptest.Server

	mu       sync.Mutex
	browsers map[string]webpushtest.Browser
	got      map[string][]string // subscription id → plaintexts
	calls    int
}

func newPushService(t testing.TB) *pushService {
	t.Helper()
	p := &pushService{browsers: map[string]webpushtest.Browser{}, got: map[string][]string{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.push))
	t.Cleanup(p.srv.Close)
	return p
}

// subscription registers a browser as id (known false: one the service
// has forgotten) and returns it as the portal stores it.
func (p *pushService) subscription(t testing.TB, tenantID, personaID, id string, known bool) store.PushSubscription {
	t.Helper()
	b := webpushtest.NewBrowser()
	sub := b.Subscription(p.srv.URL + "/push/" + id)
	if known {
		p.mu.Lock()
		p.browsers[id] = b
		p.mu.Unlock()
	}
	return store.PushSubscription{TenantID: tenantID, ID: id, PersonaID: personaID, Endpoint: sub.Endpoint,
		P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}
}

func (p *pushService) push(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	id := strings.TrimPrefix(r.URL.Path, "/push/")
	b, ok := p.browsers[id]
	if !ok {
		http.Error(w, "push subscription has unsubscribed or expired", http.StatusGone)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "vapid t=") || r.Header.Get("Content-Encoding") != "aes128gcm" {
		http.Error(w, "VAPID and aes128gcm required", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	plain, err := b.Decrypt(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.got[id] = append(p.got[id], string(plain))
	w.Header().Set("Location", fmt.Sprintf("%s/message/%s/%d", p.srv.URL, id, len(p.got[id])))
	w.WriteHeader(http.StatusCreated)
}

func (p *pushService) received(id string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got[id]...)
}
