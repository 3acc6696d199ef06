package webchat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// Token errors; the HTTP layer answers both with 401, with different problem
// types so the widget knows an expired token means "open a new session".
var (
	ErrTokenInvalid = errors.New("visitor token invalid")
	ErrTokenExpired = errors.New("visitor token expired")
)

// tokenPurpose separates these tokens from any other signed with the same key.
const tokenPurpose = "webchat-visitor"

// MinKeyLen is the shortest token key New accepts.
const MinKeyLen = 32

// Visitor is who a visitor token speaks for: a browser on one widget of one
// tenant, perhaps signed in to the business's site (UserID, verified by the
// business's HMAC), with what the pre-chat form asked.
type Visitor struct {
	TenantID  string            `json:"t"`
	AccountID string            `json:"a"`
	ID        string            `json:"v"`
	UserID    string            `json:"u,omitempty"`
	Name      string            `json:"n,omitempty"`
	Email     string            `json:"m,omitempty"`
	Phone     string            `json:"p,omitempty"`
	Fields    map[string]string `json:"f,omitempty"`
	Expires   int64             `json:"-"` // Unix milliseconds; carried by the signature
}

// Identifier is the persona identifier the visitor writes as: the business's
// own user id when verified, else the visitor id.
func (v Visitor) Identifier() persona.Identifier {
	if v.UserID != "" {
		return persona.Identifier{Kind: persona.KindExternal, Value: v.UserID, Verified: true, VerifiedBy: persona.MethodSignedWidgetUser}
	}
	return persona.Identifier{Kind: persona.KindWidget, Value: v.ID}
}

// key names the visitor for fan-out between tabs of the same person.
func (v Visitor) key() string { return v.TenantID + "/" + v.Identifier().String() }

// signToken encodes v and signs it until v.Expires, with the server's signer.
func signToken(key []byte, v Visitor) string {
	claims, _ := json.Marshal(v) // strings, a map of strings and an int always encode
	return auth.NewSigner(key).Sign(tokenPurpose, []string{string(claims)}, "", time.UnixMilli(v.Expires))
}

// parseToken checks a token's signature and expiry at now.
func parseToken(key []byte, token string, now time.Time) (Visitor, error) {
	fields, err := auth.NewSigner(key).Verify(tokenPurpose, token, "", now)
	if errors.Is(err, auth.ErrExpiredToken) {
		return Visitor{}, ErrTokenExpired
	}
	var v Visitor
	if err != nil || len(fields) != 1 || json.Unmarshal([]byte(fields[0]), &v) != nil ||
		v.TenantID == "" || v.AccountID == "" || v.ID == "" {
		return Visitor{}, ErrTokenInvalid
	}
	return v, nil
}

// UserHash is what the business's server computes for a signed-in user so the
// widget can prove who the visitor is: hex HMAC-SHA256(identity_secret, user_id).
func UserHash(secret, userID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// validUserHash compares in constant time; a widget without a secret verifies
// nobody.
func validUserHash(secret, userID, hash string) bool {
	if secret == "" || userID == "" {
		return false
	}
	got, err := hex.DecodeString(strings.TrimSpace(hash))
	want, _ := hex.DecodeString(UserHash(secret, userID))
	return err == nil && hmac.Equal(got, want)
}
