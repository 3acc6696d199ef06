package realtime

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// Token errors, distinguished so the HTTP layer can tell a client to fetch a new
// token (expired) rather than give up (invalid).
var (
	ErrTokenInvalid = errors.New("realtime token invalid")
	ErrTokenExpired = errors.New("realtime token expired")
)

// tokenDomain separates these MACs from any other use of the same key.
const tokenDomain = "switchboard.realtime.v1."

// MinTokenKeyLen is the shortest key NewTokens accepts: a full SHA-256 block's
// worth of security.
const MinTokenKeyLen = 32

// Tokens issues and checks short-lived connection tokens for clients that cannot
// send a session cookie with the WebSocket upgrade (the widget on a customer's
// site, tests). A token travels in the URL, where proxies may log it, so keep
// its lifetime to seconds or minutes: long enough to dial, no longer.
type Tokens struct {
	key   []byte
	clock clock.Clock
}

type tokenClaims struct {
	Tenant string `json:"t"`
	User   string `json:"u"`
	// Expires is Unix milliseconds.
	Expires int64 `json:"e"`
}

// NewTokens returns a token issuer and verifier signing with key; every node of a
// cluster must share the key so a token issued by one is accepted by another.
func NewTokens(key []byte, clk clock.Clock) (*Tokens, error) {
	if len(key) < MinTokenKeyLen {
		return nil, fmt.Errorf("realtime tokens: key is %d bytes, need at least %d", len(key), MinTokenKeyLen)
	}
	if clk == nil {
		return nil, errors.New("realtime tokens: no clock")
	}
	return &Tokens{key: append([]byte(nil), key...), clock: clk}, nil
}

// Issue returns a token naming tenantID and userID, valid for ttl from now.
func (t *Tokens) Issue(tenantID, userID string, ttl time.Duration) string {
	claims, _ := json.Marshal(tokenClaims{ // strings and an int cannot fail to encode
		Tenant:  tenantID,
		User:    userID,
		Expires: t.clock.Now().Add(ttl).UnixMilli(),
	})
	payload := base64.RawURLEncoding.EncodeToString(claims)
	return payload + "." + base64.RawURLEncoding.EncodeToString(t.mac(payload))
}

// Verify checks token's signature and expiry and returns whom it names.
func (t *Tokens) Verify(token string) (tenantID, userID string, err error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", ErrTokenInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, t.mac(payload)) {
		return "", "", ErrTokenInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return "", "", ErrTokenInvalid
	}
	var c tokenClaims
	if err := json.Unmarshal(raw, &c); err != nil || c.Tenant == "" {
		return "", "", ErrTokenInvalid
	}
	if t.clock.Now().UnixMilli() >= c.Expires {
		return "", "", ErrTokenExpired
	}
	return c.Tenant, c.User, nil
}

func (t *Tokens) mac(payload string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(tokenDomain))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
