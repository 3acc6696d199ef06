package sip

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"github.com/icholy/digest"
)

// digestGuard issues and checks digest challenges (RFC 3261 §22, RFC 2617
// with qop=auth) for INVITEs from outside a trunk's AcceptFrom. Nonces are
// stateless: a timestamp and its HMAC under a per-process secret, so a
// challenge answered on another transport or after a retransmission still
// checks, and an old one is refused as stale.
type digestGuard struct {
	realm    string
	secret   []byte
	lifetime time.Duration
}

var (
	errNoCredentials  = errors.New("no credentials")
	errBadCredentials = errors.New("credentials do not match")
	errStaleNonce     = errors.New("stale nonce")
)

// challenge is a WWW-Authenticate value with a fresh nonce.
func (g digestGuard) challenge(now time.Time, stale bool) string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	copy(b[8:], g.mac(b[:8]))
	c := digest.Challenge{Realm: g.realm, Nonce: base64.RawURLEncoding.EncodeToString(b[:]),
		Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
	return c.String()
}

func (g digestGuard) mac(ts []byte) []byte {
	m := hmac.New(sha256.New, g.secret)
	m.Write(ts)
	return m.Sum(nil)[:16]
}

// check verifies an Authorization header value for method against the
// trunk's username and password.
func (g digestGuard) check(header, method, username, password string, now time.Time) error {
	if header == "" {
		return errNoCredentials
	}
	cred, err := digest.ParseCredentials(header)
	if err != nil {
		return errBadCredentials
	}
	raw, err := base64.RawURLEncoding.DecodeString(cred.Nonce)
	if err != nil || len(raw) != 24 || !hmac.Equal(raw[8:], g.mac(raw[:8])) {
		return errBadCredentials
	}
	issued := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	if cred.Realm != g.realm || subtle.ConstantTimeCompare([]byte(cred.Username), []byte(username)) != 1 {
		return errBadCredentials
	}
	if alg := strings.ToUpper(cred.Algorithm); alg != "" && alg != "MD5" {
		return errBadCredentials
	}
	chal := &digest.Challenge{Realm: g.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	switch cred.QOP {
	case "":
	case "auth":
		chal.QOP = []string{"auth"}
	default:
		return errBadCredentials
	}
	want, err := digest.Digest(chal, digest.Options{Method: method, URI: cred.URI, Username: username,
		Password: password, Cnonce: cred.Cnonce, Count: cred.Nc})
	if err != nil {
		return errBadCredentials
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cred.Response)), []byte(want.Response)) != 1 {
		return errBadCredentials
	}
	if age := now.Sub(issued); age < -time.Minute || age > g.lifetime {
		return errStaleNonce
	}
	return nil
}
