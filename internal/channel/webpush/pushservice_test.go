package webpush_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
)

// browser is a subscribed browser (webpushtest.Browser) under the names
// the tests of this package use.
type browser struct{ webpushtest.Browser }

func newBrowser(t *testing.T) browser {
	t.Helper()
	return browser{webpushtest.NewBrowser()}
}

func (b browser) subscription(endpoint string) webpush.Subscription { return b.Subscription(endpoint) }

// received is one message the push service took, decrypted.
type received struct {
	plaintext []byte
	header    http.Header
	size      int
}

// pushService acts as a push service (RFC 8030) for subscriptions made with
// one VAPID key: it refuses a request whose VAPID token (RFC 8292) is not
// signed by that key, is for another origin, has expired or names no
// contact, and decrypts what it accepts as the browser would (RFC 8291).
// Subscriptions "gone", "unknown", "busy" and "broken" answer 410, 404, 429
// and 500.
type pushService struct {
	srv      *httptest.Server
	vapidKey string // the applicationServerKey the browsers subscribed with
	subject  string // the contact the center configured

	mu       sync.Mutex
	browsers map[string]browser
	got      []received
	refused  []string
	calls    int
}

func newPushService(t *testing.T, vapidKey, subject string) *pushService {
	t.Helper()
	p := &pushService{vapidKey: vapidKey, subject: subject, browsers: map[string]browser{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.push))
	t.Cleanup(p.srv.Close)
	return p
}

// subscribe registers a browser and returns its subscription.
func (p *pushService) subscribe(t *testing.T, id string) (browser, webpush.Subscription) {
	b := newBrowser(t)
	p.mu.Lock()
	p.browsers[id] = b
	p.mu.Unlock()
	return b, b.subscription(p.srv.URL + "/push/" + id)
}

func (p *pushService) refuse(w http.ResponseWriter, status int, why string) {
	p.refused = append(p.refused, why)
	http.Error(w, why, status)
}

func (p *pushService) push(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	id, ok := strings.CutPrefix(r.URL.Path, "/push/")
	if r.Method != http.MethodPost || !ok {
		p.refuse(w, http.StatusMethodNotAllowed, "not a push")
		return
	}
	switch id {
	case "gone":
		http.Error(w, "subscription expired", http.StatusGone)
		return
	case "unknown":
		http.Error(w, "no such subscription", http.StatusNotFound)
		return
	case "busy":
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case "broken":
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	b, ok := p.browsers[id]
	if !ok {
		http.Error(w, "no such subscription", http.StatusNotFound)
		return
	}
	if err := p.checkVAPID(r); err != nil {
		p.refuse(w, http.StatusForbidden, "vapid: "+err.Error())
		return
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		p.refuse(w, http.StatusUnsupportedMediaType, "content encoding "+ce)
		return
	}
	if ttl := r.Header.Get("TTL"); ttl == "" || strings.Trim(ttl, "0123456789") != "" {
		p.refuse(w, http.StatusBadRequest, "TTL "+ttl)
		return
	}
	if tp := r.Header.Get("Topic"); len(tp) > 32 || strings.Trim(tp, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		p.refuse(w, http.StatusBadRequest, "topic "+tp)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) > 4096 {
		p.refuse(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("%d bytes", len(body)))
		return
	}
	plain, err := b.Decrypt(body)
	if err != nil {
		p.refuse(w, http.StatusBadRequest, "decrypt: "+err.Error())
		return
	}
	p.got = append(p.got, received{plaintext: plain, header: r.Header.Clone(), size: len(body)})
	w.Header().Set("Location", fmt.Sprintf("%s/message/%d", p.srv.URL, len(p.got)))
	w.WriteHeader(http.StatusCreated)
}

// checkVAPID verifies RFC 8292's "vapid t=<JWT>, k=<key>": k is the key the
// browser subscribed with, t an ES256 JWT signed by it for this origin,
// unexpired, at most 24 hours ahead, with a contact.
func (p *pushService) checkVAPID(r *http.Request) error {
	params, ok := strings.CutPrefix(r.Header.Get("Authorization"), "vapid ")
	if !ok {
		return errors.New("no vapid scheme")
	}
	var token, key string
	for _, kv := range strings.Split(params, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case "t":
			token = v
		case "k":
			key = v
		}
	}
	if key != p.vapidKey {
		return errors.New("k is not the subscription's application server key")
	}
	raw, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return err
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("t is not a JWT")
	}
	var head struct{ Alg, Typ string }
	if err := decodePart(parts[0], &head); err != nil || head.Alg != "ES256" {
		return fmt.Errorf("JWT header %+v: %v", head, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("ES256 signature is not 64 bytes")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("signature does not verify")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	if err := decodePart(parts[1], &claims); err != nil {
		return err
	}
	if claims.Aud != "https://"+r.Host {
		return fmt.Errorf("aud %q is not this origin", claims.Aud)
	}
	// Real time: the channel stamps exp from its clock, the wall clock unless
	// a test gives it a fake one that starts at the wall clock's time.
	now := time.Now().Unix()
	if claims.Exp <= now || claims.Exp > now+24*3600 {
		return fmt.Errorf("exp %d not within 24 hours of %d", claims.Exp, now)
	}
	if claims.Sub != p.subject {
		return fmt.Errorf("sub %q, want %q", claims.Sub, p.subject)
	}
	return nil
}

func decodePart(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
