package send_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// pushService is a push service (RFC 8030) holding subscribed browsers'
// keys, so it can read what it is sent (RFC 8291); a subscription it does
// not know answers 410 Gone, as for a browser that unsubscribed.
type pushService struct {
	srv *httptest.Server

	mu       sync.Mutex
	browsers map[string]browser
	got      map[string][]string // subscription id → plaintexts
	calls    int
}

type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newPushService(t testing.TB) *pushService {
	t.Helper()
	p := &pushService{browsers: map[string]browser{}, got: map[string][]string{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.push))
	t.Cleanup(p.srv.Close)
	return p
}

// subscription registers a browser as id (known false: one the service
// has forgotten) and returns it as the portal stores it.
func (p *pushService) subscription(t testing.TB, tenantID, personaID, id string, known bool) store.PushSubscription {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := browser{key: key, auth: make([]byte, 16)}
	rand.Read(b.auth)
	if known {
		p.mu.Lock()
		p.browsers[id] = b
		p.mu.Unlock()
	}
	return store.PushSubscription{TenantID: tenantID, ID: id, PersonaID: personaID, Endpoint: p.srv.URL + "/push/" + id,
		P256dh: base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()), Auth: base64.RawURLEncoding.EncodeToString(b.auth)}
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
	plain, err := decrypt(body, b)
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

// decrypt reads one aes128gcm record (RFC 8188) encrypted for b (RFC 8291).
func decrypt(body []byte, b browser) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("short body")
	}
	salt, idLen := body[:16], int(body[20])
	_ = binary.BigEndian.Uint32(body[16:20]) // record size: one record here
	if len(body) < 21+idLen {
		return nil, errors.New("short header")
	}
	serverKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idLen])
	if err != nil {
		return nil, err
	}
	secret, err := b.key.ECDH(serverKey)
	if err != nil {
		return nil, err
	}
	prkKey, err := hkdf.Extract(sha256.New, secret, b.auth)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(serverKey.Bytes())
	ikm, err := hkdf.Expand(sha256.New, prkKey, info, 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, body[21+idLen:], nil)
	if err != nil {
		return nil, err
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return nil, errors.New("no final-record delimiter")
	}
	return plain[:len(plain)-1], nil
}
