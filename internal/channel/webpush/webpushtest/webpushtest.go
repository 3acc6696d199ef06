// Package webpushtest is the browser's side of Web Push, for tests and the
// bench: a subscription's keys made as a browser makes them, and the
// decryption a browser does (RFC 8291 over RFC 8188's aes128gcm), so a test
// push service can read what the channel sent.
package webpushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
)

// Browser is a subscribed browser: its P-256 key pair and its 16-byte auth
// secret. Make one with NewBrowser.
type Browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

// NewBrowser makes a browser's keys from the system's random source.
func NewBrowser() Browser {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		// The system's random source does not fail (crypto/rand).
		panic(fmt.Sprintf("webpushtest: generate key: %v", err))
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return Browser{key: key, auth: auth}
}

// Subscription is the browser's subscription at endpoint, as its
// PushSubscription.toJSON() gives it; its JSON is what Outbound.To carries,
// and its Keys what the store keeps.
func (b Browser) Subscription(endpoint string) webpush.Subscription {
	return webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{
		P256dh: base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes()),
		Auth:   base64.RawURLEncoding.EncodeToString(b.auth)}}
}

// Decrypt reads a push message's body as the browser would: a single
// aes128gcm record whose header names the salt, the record size and the
// sender's one-time public key, keyed by ECDH with the browser's key and the
// auth secret. A body of more than one record is an error: a push message
// is one (RFC 8291 §4).
func (b Browser) Decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("shorter than the aes128gcm header")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idLen {
		return nil, errors.New("key id cut short")
	}
	sender, err := ecdh.P256().NewPublicKey(body[21 : 21+idLen])
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	ct := body[21+idLen:]
	if rs < 18 || uint32(len(ct)) > rs {
		return nil, fmt.Errorf("%d bytes of ciphertext for record size %d: not one record", len(ct), rs)
	}
	secret, err := b.key.ECDH(sender)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(sender.Bytes())
	ikm, err := hkdf.Key(sha256.New, secret, b.auth, info, 32)
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
	// The last record ends with the delimiter 2, then any number of zeros.
	end := bytes.TrimRight(padded, "\x00")
	if len(end) == 0 || end[len(end)-1] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return end[:len(end)-1], nil
}
