package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestPassword(t *testing.T) {
	if _, err := HashPassword("short"); err != ErrWeakPassword {
		t.Fatalf("short password: got %v, want ErrWeakPassword", err)
	}
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash form %q", h)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		ok, err := CheckPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if _, err := CheckPassword("$bcrypt$whatever", "x"); err == nil {
		t.Error("malformed hash accepted")
	}
}

func TestAPIKeyRoundTrip(t *testing.T) {
	// Many keys, so ids and secrets holding "_" and "-" (base64url) are covered.
	pepper := []byte("pepper")
	for range 500 {
		id := uuid.NewString()
		key, hash, err := NewAPIKey(pepper, id)
		if err != nil {
			t.Fatal(err)
		}
		gotID, secret, err := ParseAPIKey(key)
		if err != nil || gotID != id || !CheckAPIKeySecret(pepper, secret, hash) {
			t.Fatalf("key %q: ParseAPIKey = %q, %v", key, gotID, err)
		}
	}
}

func TestAPIKey(t *testing.T) {
	pepper := []byte("pepper")
	id := uuid.Must(uuid.NewV7()).String()
	key, hash, err := NewAPIKey(pepper, id)
	if err != nil {
		t.Fatal(err)
	}
	gotID, secret, err := ParseAPIKey(key)
	if err != nil || gotID != id {
		t.Fatalf("ParseAPIKey = %q, %v; want id %q", gotID, err, id)
	}
	if !CheckAPIKeySecret(pepper, secret, hash) {
		t.Fatal("valid secret refused")
	}
	if CheckAPIKeySecret([]byte("other pepper"), secret, hash) {
		t.Fatal("secret accepted under another pepper")
	}
	last := byte('A')
	if key[len(key)-1] == 'A' {
		last = 'B'
	}
	tampered := key[:len(key)-1] + string(last)
	if _, s, err := ParseAPIKey(tampered); err == nil && CheckAPIKeySecret(pepper, s, hash) {
		t.Fatal("tampered key accepted")
	}
	for _, bad := range []string{"", "sbk_", "sbk_abc_def", "xyz_" + key[4:], key + "x"} {
		if _, _, err := ParseAPIKey(bad); err == nil {
			t.Errorf("ParseAPIKey(%q) accepted", bad)
		}
	}
}

func TestSigner(t *testing.T) {
	s := NewSigner([]byte("k"))
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tok := s.Sign("reset", []string{"t1", "u1"}, "pwhash-1", now.Add(time.Hour))
	if f := Fields(tok); len(f) != 2 || f[0] != "t1" || f[1] != "u1" {
		t.Fatalf("Fields = %v", f)
	}
	if f, err := s.Verify("reset", tok, "pwhash-1", now); err != nil || f[1] != "u1" {
		t.Fatalf("Verify = %v, %v", f, err)
	}
	cases := map[string]func() error{
		"expired":       func() error { _, err := s.Verify("reset", tok, "pwhash-1", now.Add(2*time.Hour)); return err },
		"other purpose": func() error { _, err := s.Verify("realtime", tok, "pwhash-1", now); return err },
		"rebound":       func() error { _, err := s.Verify("reset", tok, "pwhash-2", now); return err },
		"other key":     func() error { _, err := NewSigner([]byte("j")).Verify("reset", tok, "pwhash-1", now); return err },
		"garbage":       func() error { _, err := s.Verify("reset", "a.b.c", "", now); return err },
	}
	for name, f := range cases {
		err := f()
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: got %v, want ErrInvalidToken", name, err)
		}
		// Only the expired token says it expired: a forged one must not.
		if expired := errors.Is(err, ErrExpiredToken); expired != (name == "expired") {
			t.Errorf("%s: errors.Is(err, ErrExpiredToken) = %v", name, expired)
		}
	}
}
