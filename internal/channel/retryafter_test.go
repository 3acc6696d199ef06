package channel

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"  7 ", 7 * time.Second, true},
		{"0", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
		{"999999", MaxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, false},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), MaxRetryAfter, true},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestRetryLaterSurvivesWrapping(t *testing.T) {
	base := errors.New("provider answered 429")
	err := fmt.Errorf("whatsapp: send: %w", RetryLater(30*time.Second, base))
	d, ok := RetryAfter(err)
	if !ok || d != 30*time.Second {
		t.Fatalf("RetryAfter = %s, %v; want 30s", d, ok)
	}
	if !errors.Is(err, base) {
		t.Fatal("the provider's error is lost in the wrapping")
	}
	if errors.Is(err, ErrPermanent) {
		t.Fatal("a throttled send is not permanent")
	}
	if _, ok := RetryAfter(base); ok {
		t.Fatal("a plain error asks for no wait")
	}
	if RetryLater(0, base) != base {
		t.Fatal("no wait leaves the error as it is")
	}
}

func TestThrottled(t *testing.T) {
	now := time.Now()
	base := errors.New("refused")
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"12"}}}
	if d, ok := RetryAfter(Throttled(resp, now, base)); !ok || d != 12*time.Second {
		t.Fatalf("429 with Retry-After 12: %s, %v", d, ok)
	}
	resp.StatusCode = http.StatusBadRequest
	if _, ok := RetryAfter(Throttled(resp, now, base)); ok {
		t.Fatal("a 400 is not throttling, whatever its headers")
	}
}
