package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// recordSize is the rs of the aes128gcm header: a push message is one
// record, and 4096 bytes is what every push service takes (RFC 8030 §7.2).
const recordSize = 4096

// headerSize is the aes128gcm header for a P-256 key: salt (16), rs (4),
// idlen (1) and the uncompressed point (65).
const headerSize = 16 + 4 + 1 + 65

// seal encrypts a push message for a browser (RFC 8291) with a one-time key
// pair and salt of its own.
func seal(plaintext []byte, browser *ecdh.PublicKey, auth []byte) ([]byte, error) {
	ephemeral, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("one-time key: %w", err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	return encrypt(plaintext, browser, auth, ephemeral, salt)
}

// encrypt is RFC 8291 with the sender's one-time key and the salt given, so
// the RFC's example (Appendix A) can be reproduced: the browser's key and
// auth secret and the one-time key agree on a secret, from which HKDF makes
// the content key and nonce of RFC 8188's aes128gcm; the body is that
// coding's header (salt, rs, the one-time public key) and one record, the
// plaintext ended by the last-record delimiter 2 and not padded.
func encrypt(plaintext []byte, browser *ecdh.PublicKey, auth []byte, ephemeral *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	if len(plaintext) > MaxPayload {
		return nil, fmt.Errorf("a push message holds at most %d bytes, not %d", MaxPayload, len(plaintext))
	}
	shared, err := ephemeral.ECDH(browser)
	if err != nil {
		return nil, fmt.Errorf("key agreement: %w", err)
	}
	sender := ephemeral.PublicKey().Bytes()
	info := make([]byte, 0, 14+65+65)
	info = append(append(append(info, "WebPush: info\x00"...), browser.Bytes()...), sender...)
	ikm, err := hkdf.Key(sha256.New, shared, auth, string(info), 32)
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
	body := make([]byte, 0, headerSize+len(plaintext)+1+gcm.Overhead())
	body = append(body, salt...)
	body = binary.BigEndian.AppendUint32(body, recordSize)
	body = append(body, byte(len(sender)))
	body = append(body, sender...)
	// The record is sealed in place after the header: plaintext, delimiter.
	record := append(body[len(body):], plaintext...)
	record = append(record, 2)
	return gcm.Seal(body, nonce, record, nil), nil
}
