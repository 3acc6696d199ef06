package connectors

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

// sealer encrypts connector secrets (AES-256-GCM under a key derived from
// the server's), as second factors are: a copied database or an export
// yields no secret to forge answers with. The connector's id is the
// additional data, so a sealed secret moved to another row does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(serverKey []byte) (sealer, error) {
	if len(serverKey) == 0 {
		return sealer{}, errors.New("context connectors: no server key to seal secrets with")
	}
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte("context-connector-secret"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return sealer{}, fmt.Errorf("connector secret cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	return sealer{aead}, err
}

func (s sealer) seal(connectorID, plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(connectorID)))
}

func (s sealer) open(connectorID, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errors.New("unseal connector secret: malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(connectorID))
	if err != nil {
		return "", fmt.Errorf("unseal connector secret: %w", err)
	}
	return string(plain), nil
}
