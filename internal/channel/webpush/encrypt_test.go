package webpush

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"testing"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	v, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEncryptRFC8291 holds encrypt to the example of RFC 8291 Appendix A:
// the same browser, auth secret, one-time key and salt give the RFC's body
// to the byte.
func TestEncryptRFC8291(t *testing.T) {
	browser, err := ecdh.P256().NewPublicKey(b64(t, "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"))
	if err != nil {
		t.Fatal(err)
	}
	ephemeral, err := ecdh.P256().NewPrivateKey(b64(t, "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(ephemeral.PublicKey().Bytes()); got != "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8" {
		t.Fatalf("application server public key %s differs from the RFC's", got)
	}
	auth := b64(t, "BTBZMqHH6r4Tts7J_aSIgg")
	salt := b64(t, "DGv6ra1nlYgDCS1FRnbzlw")
	want := b64(t, "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")

	got, err := encrypt([]byte("When I grow up, I want to be a watermelon"), browser, auth, ephemeral, salt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body\n%s\nwant the RFC's\n%s", base64.RawURLEncoding.EncodeToString(got), base64.RawURLEncoding.EncodeToString(want))
	}
}

// TestEncryptSize: the longest payload makes a body of exactly 4096 bytes,
// the most a push service must take; one byte more is refused.
func TestEncryptSize(t *testing.T) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	body, err := seal(make([]byte, MaxPayload), key.PublicKey(), auth)
	if err != nil || len(body) != 4096 {
		t.Fatalf("%d bytes of payload: body of %d bytes, %v", MaxPayload, len(body), err)
	}
	if _, err := seal(make([]byte, MaxPayload+1), key.PublicKey(), auth); err == nil {
		t.Errorf("%d bytes of payload were sealed", MaxPayload+1)
	}
}
