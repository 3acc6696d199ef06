package webpush

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// tokenLife is how long a VAPID token is valid; RFC 8292 §2 allows at most
// 24 hours, and push services that check the bound do so with their own
// clocks.
const tokenLife = 12 * time.Hour

// tokenRenew is how long before its expiry a cached token is replaced, so a
// token is never sent in its last hour (time in flight, clocks that differ).
const tokenRenew = time.Hour

// maxAudiences bounds the cache: audiences are push services' origins, a
// handful in practice, but an endpoint is whatever a browser handed the
// portal.
const maxAudiences = 1024

// jwtHeader is the JOSE header of every token, base64url.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))

// vapid signs the center's VAPID tokens (RFC 8292) and keeps one per
// audience until it is due for renewal: deriving and signing per send was
// most of a send's CPU. Safe for concurrent use.
type vapid struct {
	key     *ecdsa.PrivateKey
	k       string // the public key, base64url: the header's k
	subject string // the JWT's sub, "mailto:…" or "https://…"
	clock   clock.Clock

	mu     sync.Mutex
	tokens map[string]vapidToken // by audience
}

// vapidToken is an Authorization header and when to stop using it.
type vapidToken struct {
	header string
	renew  time.Time
}

// authorization is the Authorization header for a push service at
// audience (its origin): "vapid t=<JWT>, k=<public key>".
func (v *vapid) authorization(audience string) (string, error) {
	now := v.clock.Now()
	v.mu.Lock()
	tok, ok := v.tokens[audience]
	v.mu.Unlock()
	if ok && now.Before(tok.renew) {
		return tok.header, nil
	}
	// Signed outside the lock: two senders may both sign for one audience
	// once, and neither waits for the other's signature.
	jwt, err := v.sign(audience, now.Add(tokenLife))
	if err != nil {
		return "", err
	}
	tok = vapidToken{header: "vapid t=" + jwt + ", k=" + v.k, renew: now.Add(tokenLife - tokenRenew)}
	v.mu.Lock()
	if len(v.tokens) >= maxAudiences {
		v.drop(now)
	}
	v.tokens[audience] = tok
	v.mu.Unlock()
	return tok.header, nil
}

// drop forgets the tokens due for renewal, or all of them if none is: a
// cache full of live tokens for that many origins is being abused.
// v.mu is held.
func (v *vapid) drop(now time.Time) {
	for aud, tok := range v.tokens {
		if !now.Before(tok.renew) {
			delete(v.tokens, aud)
		}
	}
	if len(v.tokens) >= maxAudiences {
		clear(v.tokens)
	}
}

// sign makes an ES256 JWT (RFC 7515, 7518 §3.4: the signature is r and s,
// 32 bytes each) with the claims aud, exp and sub.
func (v *vapid) sign(audience string, exp time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{audience, exp.Unix(), v.subject})
	if err != nil {
		return "", fmt.Errorf("VAPID claims: %w", err)
	}
	input := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, v.key, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign VAPID token: %w", err)
	}
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig[:]), nil
}
