package connectors

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

func TestSummarize(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	var calls []store.ContextCall // newest first, as the store lists them
	for i := range 100 {
		status := "ok"
		if i%10 == 0 {
			status = "timeout"
		}
		calls = append(calls, store.ContextCall{At: now.Add(-time.Duration(i) * time.Second), Duration: time.Duration(100-i) * time.Millisecond,
			Status: status, Error: map[bool]string{true: "no answer", false: ""}[status != "ok"]})
	}
	st := Summarize(calls)
	if st.Calls != 100 || st.Errors != 10 || st.ByStatus["timeout"] != 10 || st.ByStatus["ok"] != 90 {
		t.Errorf("counts: %+v", st)
	}
	if st.P50 != 50*time.Millisecond || st.P95 != 95*time.Millisecond || !st.LastCall.Equal(now) || st.LastError != "no answer" {
		t.Errorf("p50 %s p95 %s last %s %q", st.P50, st.P95, st.LastCall, st.LastError)
	}
	if st := Summarize(nil); st.Calls != 0 || st.P95 != 0 || st.Breaker != "closed" {
		t.Errorf("no calls: %+v", st)
	}
}

// TestSealer: a sealed secret opens with the server key and the connector
// id it was sealed for, and with nothing else.
func TestSealer(t *testing.T) {
	s, err := newSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.seal("c1", "whsec_x")
	if got, err := s.open("c1", sealed); err != nil || got != "whsec_x" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.open("c2", sealed); err == nil {
		t.Error("opened for another connector")
	}
	other, _ := newSealer([]byte("another server key, 32 bytes lng"))
	if _, err := other.open("c1", sealed); err == nil {
		t.Error("opened with another server key")
	}
	if s.seal("c1", "whsec_x") == sealed {
		t.Error("two seals of one secret are equal: the nonce is not fresh")
	}
}

func TestNewSelfHost(t *testing.T) {
	for base, want := range map[string]string{
		"http://127.0.0.1:8080":       "127.0.0.1:8080",
		"http://:8080":                "127.0.0.1:8080",
		"https://demo.example":        "demo.example:443",
		"http://LocalHost:8080/":      "localhost:8080",
		"http://demo.example/prefix/": "demo.example:80",
	} {
		s, err := NewSelf(base, nil, nil)
		if err != nil || s.Host != want {
			t.Errorf("%s: %v %v, want %s", base, s, err, want)
		}
	}
	if _, err := NewSelf("not a url", nil, nil); err == nil {
		t.Error("a base URL without a host accepted")
	}
}
