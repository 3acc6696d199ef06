package httpapi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// sealer encrypts stored responses (AES-256-GCM, key derived from the server
// secret): a replayed POST may carry a secret shown once, such as a new API key,
// and the database must never hold one in the clear.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte) sealer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("idempotency-response"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return sealer{aead: aead}
}

func (s sealer) seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, plain, nil)
	return []byte(base64.StdEncoding.EncodeToString(sealed)) // stored in a text column
}

func (s sealer) open(stored []byte) ([]byte, error) {
	sealed, err := base64.StdEncoding.DecodeString(string(stored))
	if err != nil {
		return nil, errors.New("stored response is corrupt")
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("stored response is corrupt")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
