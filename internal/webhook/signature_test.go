package webhook

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignMatchesAKnownVector(t *testing.T) {
	// Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
	got := Sign("whsec_test", time.Unix(1700000000, 0), []byte(`{"a":1}`))
	want := "t=1700000000,v1=" + knownMAC
	if got != want {
		t.Fatalf("Sign = %s\nwant   %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	const secret = "whsec_s3cret"
	body := []byte(`{"id":"ev_1","type":"user.created"}`)
	sent := time.Unix(1700000000, 0)
	header := Sign(secret, sent, body)
	v1 := strings.SplitN(header, ",v1=", 2)[1]
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"valid", secret, header, body, sent.Add(time.Minute), true},
		{"valid with spaces", secret, "t=1700000000, v1=" + v1, body, sent, true},
		{"one of several v1 matches", secret, "t=1700000000,v1=00ff,v1=" + v1, body, sent, true},
		{"wrong secret", "whsec_other", header, body, sent, false},
		{"body changed", secret, header, []byte(`{"id":"ev_2","type":"user.created"}`), sent, false},
		{"too old", secret, header, body, sent.Add(6 * time.Minute), false},
		{"from the future", secret, header, body, sent.Add(-6 * time.Minute), false},
		{"timestamp changed", secret, "t=1700000001,v1=" + v1, body, sent, false},
		{"no timestamp", secret, "v1=" + v1, body, sent, false},
		{"no signature", secret, "t=1700000000", body, sent, false},
		{"signature not hex", secret, "t=1700000000,v1=zz", body, sent, false},
		{"empty header", secret, "", body, sent, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, tc.body, tc.now, 0)
			if tc.ok && err != nil {
				t.Fatalf("Verify = %v, want nil", err)
			}
			if !tc.ok && !errors.Is(err, ErrSignature) {
				t.Fatalf("Verify = %v, want ErrSignature", err)
			}
		})
	}
}

func TestVerifyHonoursTolerance(t *testing.T) {
	body := []byte("{}")
	sent := time.Unix(1700000000, 0)
	header := Sign("whsec_x", sent, body)
	if err := Verify("whsec_x", header, body, sent.Add(20*time.Minute), 30*time.Minute); err != nil {
		t.Fatalf("within a 30m tolerance: %v", err)
	}
	if err := Verify("whsec_x", header, body, sent.Add(20*time.Second), 10*time.Second); err == nil {
		t.Fatal("20s late accepted with a 10s tolerance")
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	raw, ok := strings.CutPrefix(a, SecretPrefix)
	if !ok {
		t.Fatalf("secret %q lacks the %s prefix", a, SecretPrefix)
	}
	key, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(key) != 32 {
		t.Fatalf("secret body decodes to %d bytes (%v), want 32", len(key), err)
	}
}

const knownMAC = "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
