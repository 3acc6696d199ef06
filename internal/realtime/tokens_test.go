package realtime_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/realtime"
)

func TestTokens(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	tokens, err := realtime.NewTokens(testKey, clk)
	if err != nil {
		t.Fatal(err)
	}
	token := tokens.Issue("t1", "u1", time.Minute)

	tenant, user, err := tokens.Verify(token)
	if err != nil || tenant != "t1" || user != "u1" {
		t.Fatalf("verify fresh token = %q, %q, %v", tenant, user, err)
	}

	clk.Advance(59 * time.Second)
	if _, _, err := tokens.Verify(token); err != nil {
		t.Fatalf("verify just before expiry: %v", err)
	}
	clk.Advance(time.Second)
	if _, _, err := tokens.Verify(token); !errors.Is(err, realtime.ErrTokenExpired) {
		t.Fatalf("verify at expiry: err = %v, want ErrTokenExpired", err)
	}

	other, _ := realtime.NewTokens([]byte(strings.Repeat("k", 32)), clk)
	payload, sig, _ := strings.Cut(tokens.Issue("t1", "u1", time.Hour), ".")
	forgedPayload, _, _ := strings.Cut(tokens.Issue("t2", "u1", time.Hour), ".")
	for name, tok := range map[string]string{
		"empty":          "",
		"no signature":   payload,
		"other key":      other.Issue("t1", "u1", time.Hour),
		"swapped claims": forgedPayload + "." + sig,
		"garbage":        "a.b",
	} {
		if _, _, err := tokens.Verify(tok); !errors.Is(err, realtime.ErrTokenInvalid) {
			t.Errorf("%s: err = %v, want ErrTokenInvalid", name, err)
		}
	}
}

func TestTokensRefuseShortKey(t *testing.T) {
	if _, err := realtime.NewTokens([]byte("short"), clock.System{}); err == nil {
		t.Fatal("short key accepted")
	}
}
