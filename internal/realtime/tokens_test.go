package realtime_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/realtime"
)

func TestTokens(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	tokens, err := realtime.NewTokens(testKey, clk)
	if err != nil {
		t.Fatal(err)
	}
	claims := realtime.TokenClaims{TenantID: "t1", UserID: "u1", SessionID: "s1"}
	token := tokens.Issue(claims, time.Minute)

	got, err := tokens.Verify(token)
	if err != nil || got != claims {
		t.Fatalf("verify fresh token = %+v, %v", got, err)
	}

	clk.Advance(time.Minute)
	if _, err := tokens.Verify(token); err != nil {
		t.Fatalf("verify at the last second: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := tokens.Verify(token); !errors.Is(err, realtime.ErrTokenExpired) {
		t.Fatalf("verify after expiry: err = %v, want ErrTokenExpired", err)
	}

	other, _ := realtime.NewTokens([]byte(strings.Repeat("k", 32)), clk)
	good := strings.Split(tokens.Issue(claims, time.Hour), ".")
	forged := strings.Split(tokens.Issue(realtime.TokenClaims{TenantID: "t2", UserID: "u1", SessionID: "s1"}, time.Hour), ".")
	// A token for another purpose signed with the same key (a reset link, say).
	otherPurpose := auth.NewSigner(testKey).Sign("password-reset", []string{"t1", "u1", "s1"}, "", clk.Now().Add(time.Hour))
	for name, tok := range map[string]string{
		"empty":          "",
		"no signature":   good[0] + "." + good[1],
		"other key":      other.Issue(claims, time.Hour),
		"swapped claims": forged[0] + "." + forged[1] + "." + good[2],
		"other purpose":  otherPurpose,
		"garbage":        "a.b.c",
	} {
		if _, err := tokens.Verify(tok); !errors.Is(err, realtime.ErrTokenInvalid) {
			t.Errorf("%s: err = %v, want ErrTokenInvalid", name, err)
		}
	}
}

func TestTokensRefuseShortKey(t *testing.T) {
	if _, err := realtime.NewTokens([]byte("short"), clock.System{}); err == nil {
		t.Fatal("short key accepted")
	}
}
