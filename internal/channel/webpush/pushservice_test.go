package webpush_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
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
)

// browser is a subscribed browser: its P-256 key pair and auth secret, made
// here as a browser makes them, so the test can read what it was sent.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t *testing.T) browser {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return browser{key: key, auth: auth}
}

func (b browser) subscription(endpoint string) webpush.Subscription {
	return webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{
		P256dh: base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes()),
		Auth:   base64.RawURLEncoding.EncodeToString(b.auth)}}
}

// received is one message the push service took, decrypted.
type received struct {
	plaintext []byte
	header    http.Header
	size      int
}

// pushService acts as a push service (RFC 8030) for subscriptions made with
// one VAPID key: it refuses a request whose VAPID token (RFC 8292) is not
// signed by that key, is for another origin, has expired or names no
// contact, and decrypts what it accepts with the browser's key (RFC 8291).
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
	plain, err := decrypt(body, b.key, b.auth)
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
	// Real time: the token's exp is stamped by the library from the wall clock.
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

// decrypt is the browser's side of RFC 8291 over RFC 8188's aes128gcm, for a
// single record: the header names the salt, the record size and the sender's
// one-time public key; the keys come from ECDH with the browser's key and the
// auth secret.
func decrypt(body []byte, key *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("shorter than the header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen {
		return nil, errors.New("key id cut short")
	}
	asKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	ct := body[21+idlen:]
	if rs < 18 || uint32(len(ct)) > rs {
		return nil, fmt.Errorf("%d bytes of ciphertext for record size %d: not one record", len(ct), rs)
	}
	secret, err := key.ECDH(asKey)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(key.PublicKey().Bytes()) + string(asKey.Bytes())
	ikm, err := hkdf.Key(sha256.New, secret, auth, info, 32)
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
	padded, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, err
	}
	// The last record ends with the delimiter 2 and any number of zeros.
	end := bytes.TrimRight(padded, "\x00")
	if len(end) == 0 || end[len(end)-1] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return end[:len(end)-1], nil
}

// TestDecryptRFC8291 holds the test's decrypt to RFC 8291 Appendix A, so the
// push service above reads messages as a browser would.
func TestDecryptRFC8291(t *testing.T) {
	b := func(s string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ua, err := ecdh.P256().NewPrivateKey(b("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ua.PublicKey().Bytes(), b("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4")) {
		t.Fatal("ua_public differs from the RFC")
	}
	body := b("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	auth := b("BTBZMqHH6r4Tts7J_aSIgg")
	got, err := decrypt(body, ua, auth)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "When I grow up, I want to be a watermelon" {
		t.Errorf("decrypted %q", got)
	}
	// A wrong auth secret or a flipped byte does not decrypt.
	if _, err := decrypt(body, ua, b("AAAAAAAAAAAAAAAAAAAAAA")); err == nil {
		t.Error("decrypted with a wrong auth secret")
	}
	flipped := append([]byte(nil), body...)
	flipped[len(flipped)-20] ^= 1
	if _, err := decrypt(flipped, ua, auth); err == nil {
		t.Error("decrypted a tampered message")
	}
}
