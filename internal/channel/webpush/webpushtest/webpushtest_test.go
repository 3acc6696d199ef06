package webpushtest

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	v, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rfcBrowser is the user agent of RFC 8291 Appendix A, and the message sent
// to it there.
func rfcBrowser(t *testing.T) (Browser, []byte) {
	t.Helper()
	key, err := ecdh.P256().NewPrivateKey(b64(t, "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	b := Browser{key: key, auth: b64(t, "BTBZMqHH6r4Tts7J_aSIgg")}
	sub := b.Subscription("https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV")
	if sub.Keys.P256dh != "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4" ||
		sub.Keys.Auth != "BTBZMqHH6r4Tts7J_aSIgg" {
		t.Fatalf("subscription keys %+v differ from the RFC's", sub.Keys)
	}
	body := b64(t, "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	return b, body
}

// TestDecryptRFC8291 holds Decrypt to RFC 8291 Appendix A.
func TestDecryptRFC8291(t *testing.T) {
	b, body := rfcBrowser(t)
	got, err := b.Decrypt(body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "When I grow up, I want to be a watermelon" {
		t.Errorf("decrypted %q", got)
	}
}

// TestDecryptRefuses checks that what the browser could not read is an
// error, not a plaintext.
func TestDecryptRefuses(t *testing.T) {
	b, body := rfcBrowser(t)
	edit := func(f func(m []byte) []byte) []byte { return f(append([]byte(nil), body...)) }
	wrongAuth := b
	wrongAuth.auth = make([]byte, 16)
	for _, tc := range []struct {
		name string
		b    Browser
		body []byte
	}{
		{"empty", b, nil},
		{"header cut short", b, body[:20]},
		{"key id cut short", b, body[:21+30]},
		{"key id not a point", b, edit(func(m []byte) []byte { m[22] ^= 1; return m })},
		{"two records", b, edit(func(m []byte) []byte { binary.BigEndian.PutUint32(m[16:20], 20); return m })},
		{"tampered ciphertext", b, edit(func(m []byte) []byte { m[len(m)-20] ^= 1; return m })},
		{"tampered salt", b, edit(func(m []byte) []byte { m[0] ^= 1; return m })},
		{"wrong auth secret", wrongAuth, body},
		{"another browser", NewBrowser(), body},
	} {
		if got, err := tc.b.Decrypt(tc.body); err == nil {
			t.Errorf("%s: decrypted %q", tc.name, got)
		}
	}
}

// TestSendDecrypt sends through the Web Push channel to a browser made here
// and reads back the payload the channel encrypted.
func TestSendDecrypt(t *testing.T) {
	bodies := make(chan []byte, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bodies <- body
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	public, private, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := webpush.New(webpush.Config{PublicKey: public, PrivateKey: private, Subscriber: "mailto:ops@center.example", HTTP: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBrowser()
	out := channel.Outbound{MessageID: "01JTEST.0", To: b.Subscription(srv.URL + "/push/laptop").JSON(),
		Subject: "Order A-1 shipped", Body: "It is on its way."}
	if _, err := ch.Send(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	want, err := webpush.Payload(out)
	if err != nil {
		t.Fatal(err)
	}
	body := <-bodies
	got, err := b.Decrypt(body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("decrypted %s, want %s", got, want)
	}
	if _, err := NewBrowser().Decrypt(body); err == nil {
		t.Error("another browser read the message")
	}
}
