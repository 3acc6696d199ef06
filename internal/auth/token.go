package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ErrInvalidToken is returned for any token that is malformed, forged or expired;
// callers that need to tell an expired one apart check ErrExpiredToken.
var ErrInvalidToken = errors.New("invalid or expired token")

// ErrExpiredToken is a token that was valid and has expired; it is also an
// ErrInvalidToken, so callers that do not care which keep one check.
var ErrExpiredToken = fmt.Errorf("%w: expired", ErrInvalidToken)

var b64 = base64.RawURLEncoding

// NewSessionToken returns a random session token for the cookie and the hash under
// which it is stored: a stolen database does not yield usable sessions.
func NewSessionToken() (token, hash string) {
	buf := make([]byte, 32)
	rand.Read(buf)
	token = b64.EncodeToString(buf)
	return token, HashToken(token)
}

// HashToken returns the stored form of a high-entropy token. A plain SHA-256 is
// right here: the token is 256 random bits, so there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// APIKeyPrefix starts every API key, so leaked keys are easy to recognise and scan for.
const APIKeyPrefix = "sbk_"

// NewAPIKey returns a key for the record id, to be shown once, and the hash to store.
// The key carries its id, so verification is one primary-key lookup and one HMAC —
// no slow hash on every request, which is safe because the secret is 256 random bits.
func NewAPIKey(pepper []byte, id string) (key, hash string, err error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", "", err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	s := b64.EncodeToString(secret)
	return APIKeyPrefix + b64.EncodeToString(u[:]) + "_" + s, hashSecret(pepper, s), nil
}

// ParseAPIKey splits a presented key into its record id and secret.
func ParseAPIKey(key string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(key, APIKeyPrefix)
	if !ok {
		return "", "", ErrInvalidToken
	}
	// The id is 16 bytes, 22 base64url characters; base64url itself may contain
	// "_", so the parts are cut by position, not by separator.
	if len(rest) != 22+1+43 || rest[22] != '_' {
		return "", "", ErrInvalidToken
	}
	idPart, secret := rest[:22], rest[23:]
	raw, err := b64.DecodeString(idPart)
	if err != nil || len(raw) != 16 {
		return "", "", ErrInvalidToken
	}
	u, _ := uuid.FromBytes(raw)
	return u.String(), secret, nil
}

// CheckAPIKeySecret compares a presented secret with the stored hash in constant time.
func CheckAPIKeySecret(pepper []byte, secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(pepper, secret)), []byte(hash)) == 1
}

func hashSecret(pepper []byte, secret string) string {
	m := hmac.New(sha256.New, pepper)
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// Signer makes and checks short, expiring, HMAC-signed tokens: password-reset links,
// realtime tokens, preference links. The purpose is part of the signature, so a
// token made for one use is worthless for another.
type Signer struct {
	key []byte
}

// NewSigner returns a signer with the server's secret key.
func NewSigner(key []byte) *Signer { return &Signer{key: key} }

// Sign returns a token carrying fields until expires. bind is signed but not carried:
// a reset link binds the current password hash, so it stops working once used.
func (s *Signer) Sign(purpose string, fields []string, bind string, expires time.Time) string {
	var exp [8]byte
	binary.BigEndian.PutUint64(exp[:], uint64(expires.Unix()))
	payload := b64.EncodeToString(exp[:]) + "." + b64.EncodeToString([]byte(strings.Join(fields, "\x00")))
	return payload + "." + b64.EncodeToString(s.mac(purpose, payload, bind))
}

// Verify checks a token made by Sign for purpose and bind, at time now, and
// returns its fields.
func (s *Signer) Verify(purpose, token, bind string, now time.Time) ([]string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, ErrInvalidToken
	}
	payload := parts[0] + "." + parts[1]
	mac, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(mac, s.mac(purpose, payload, bind)) {
		return nil, ErrInvalidToken
	}
	exp, err := b64.DecodeString(parts[0])
	if err != nil || len(exp) != 8 {
		return nil, ErrInvalidToken
	}
	if now.Unix() > int64(binary.BigEndian.Uint64(exp)) {
		return nil, ErrExpiredToken
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, ErrInvalidToken
	}
	return strings.Split(string(raw), "\x00"), nil
}

// Fields returns the fields of a token without checking it, so a caller can look
// up what to bind before calling Verify. Never trust them before Verify succeeds.
func Fields(token string) []string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	return strings.Split(string(raw), "\x00")
}

func (s *Signer) mac(purpose, payload, bind string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	m.Write([]byte{0})
	m.Write([]byte(bind))
	return m.Sum(nil)
}
