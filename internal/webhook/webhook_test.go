package webhook

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestAttemptJSONShowsMilliseconds(t *testing.T) {
	a := Attempt{Attempt: 2, StartedAt: time.Unix(1700000000, 0).UTC(), Duration: 1500 * time.Microsecond, StatusCode: 502}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"attempt":2,"started_at":"2023-11-14T22:13:20Z","status_code":502,"response_body":"","error":"","duration_ms":1.5}`
	if string(b) != want {
		t.Fatalf("json = %s\nwant   %s", b, want)
	}
}

func TestEndpointLogValueHidesSecret(t *testing.T) {
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "endpoint", Endpoint{ID: "ep1", Secret: "whsec_topsecret"})
	if strings.Contains(buf.String(), "topsecret") || !strings.Contains(buf.String(), "ep1") {
		t.Fatalf("log line %q: want the id, not the secret", buf.String())
	}
}
