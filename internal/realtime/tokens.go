package realtime

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/clock"
)

// Token errors, distinguished so the HTTP layer can tell a client to fetch a new
// token (expired) rather than give up (invalid).
var (
	ErrTokenInvalid = errors.New("realtime token invalid")
	ErrTokenExpired = errors.New("realtime token expired")
)

// tokenPurpose separates these tokens from the signer's other uses of the key
// (reset links, preference links).
const tokenPurpose = "switchboard.realtime.v2"

// MinTokenKeyLen is the shortest key NewTokens accepts: a full SHA-256 block's
// worth of security.
const MinTokenKeyLen = 32

// Tokens issues and checks short-lived connection tokens for clients that cannot
// send a session cookie with the WebSocket upgrade (the widget on a customer's
// site, tests). A token travels in the URL, where proxies may log it, so keep
// its lifetime to seconds or minutes: long enough to dial, no longer.
//
// A token names the session it was issued to, not only the user: the HTTP layer
// checks at connect that the session still exists and its user is still
// enabled, so a token minted before a logout or a disable is worthless at once,
// not when it expires. The session is named by its stored hash, which is no
// credential (the cookie's token cannot be derived from it).
type Tokens struct {
	signer *auth.Signer
	clock  clock.Clock
}

// TokenClaims is whom a verified token names.
type TokenClaims struct {
	TenantID  string
	UserID    string
	SessionID string
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
	return &Tokens{signer: auth.NewSigner(append([]byte(nil), key...)), clock: clk}, nil
}

// Issue returns a token naming the tenant, user and session, valid for ttl from
// now (to the second, as auth.Signer keeps expiries).
func (t *Tokens) Issue(c TokenClaims, ttl time.Duration) string {
	return t.signer.Sign(tokenPurpose, []string{c.TenantID, c.UserID, c.SessionID}, "", t.clock.Now().Add(ttl))
}

// Verify checks token's signature and expiry and returns whom it names. It does
// not know whether the session still stands; the caller checks that.
func (t *Tokens) Verify(token string) (TokenClaims, error) {
	fields, err := t.signer.Verify(tokenPurpose, token, "", t.clock.Now())
	switch {
	case errors.Is(err, auth.ErrExpiredToken):
		return TokenClaims{}, ErrTokenExpired
	case err != nil:
		return TokenClaims{}, ErrTokenInvalid
	case len(fields) != 3 || fields[0] == "":
		return TokenClaims{}, ErrTokenInvalid
	}
	return TokenClaims{TenantID: fields[0], UserID: fields[1], SessionID: fields[2]}, nil
}
