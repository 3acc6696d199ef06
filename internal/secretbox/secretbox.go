// Package secretbox seals the secrets the center must read back — the signing
// secrets of webhooks and context connectors, second factors' seeds, a
// channel's provider credentials — so that the rows holding them (a copied
// table, an export, a log of a query) yield nothing to sign or sign in with.
// It does not protect a whole-database backup or dump: the server's secret key
// is kept in the same database (the settings table), so whoever has all of it
// has the key too; keep backups as secret as the database. A Box is AES-256-GCM under a key derived from the server's secret
// key and the Box's purpose; the id of the row it belongs to is the
// additional data, so a sealed value moved to another row does not open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Box seals and opens the secrets of one purpose.
type Box struct {
	purpose string
	aead    cipher.AEAD
}

// New returns the Box of purpose ("webhook-secret", …) under the server key.
// Boxes of different purposes cannot open each other's values.
func New(serverKey []byte, purpose string) (*Box, error) {
	if len(serverKey) == 0 {
		return nil, fmt.Errorf("%s: no server key to seal secrets with", purpose)
	}
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte(purpose))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("%s cipher: %w", purpose, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%s cipher: %w", purpose, err)
	}
	return &Box{purpose: purpose, aead: aead}, nil
}

// Seal encrypts plain for the row id: base64url of a fresh nonce and the
// ciphertext.
func (b *Box) Seal(id, plain string) string {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plain), []byte(id)))
}

// ErrMalformed is a sealed value that is not one.
var ErrMalformed = errors.New("malformed sealed value")

// Open decrypts what Seal gave for the same row id.
func (b *Box) Open(id, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", fmt.Errorf("unseal %s: %w", b.purpose, ErrMalformed)
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(id))
	if err != nil {
		return "", fmt.Errorf("unseal %s: %w", b.purpose, err)
	}
	return string(plain), nil
}
