package secretbox

import (
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	b, err := New(key, "webhook-secret")
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := b.Seal("row1", "whsec_abc"), b.Seal("row1", "whsec_abc")
	if s1 == s2 || strings.Contains(s1, "whsec_abc") {
		t.Fatalf("sealed values %q, %q: want fresh nonces and no plain text", s1, s2)
	}
	if got, err := b.Open("row1", s1); err != nil || got != "whsec_abc" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open("row2", s1); err == nil {
		t.Fatal("a value moved to another row opens")
	}
	other, _ := New(key, "context-connector-secret")
	if _, err := other.Open("row1", s1); err == nil {
		t.Fatal("a box of another purpose opens the value")
	}
	otherKey, _ := New([]byte("another key"), "webhook-secret")
	if _, err := otherKey.Open("row1", s1); err == nil {
		t.Fatal("another server key opens the value")
	}
	if _, err := b.Open("row1", "whsec_abc"); err == nil {
		t.Fatal("a plain value opens")
	}
	if _, err := New(nil, "x"); err == nil {
		t.Fatal("a box without a key")
	}
}
