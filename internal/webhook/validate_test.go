package webhook

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://hooks.example.com/switchboard", "https://hooks.example.com/switchboard", true},
		{"  http://127.0.0.1:8080/in?token=abc  ", "http://127.0.0.1:8080/in?token=abc", true},
		{"https://[::1]:9000/", "https://[::1]:9000/", true},
		{"", "", false},
		{"hooks.example.com/in", "", false},
		{"/relative/path", "", false},
		{"ftp://example.com/in", "", false},
		{"javascript:alert(1)", "", false},
		{"https://", "", false},
		{"https://user:pass@example.com/in", "", false},
		{"https://token@example.com/in", "", false},
		{"https://example.com/in#frag", "", false},
		{"https://exa mple.com/", "", false},
		{"https://example.com/" + strings.Repeat("a", 2048), "", false},
	}
	for _, tc := range tests {
		got, err := ValidateURL(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("ValidateURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		var fe *tenant.FieldError
		if !errors.As(err, &fe) || fe.Field != "url" {
			t.Errorf("ValidateURL(%q) = %q, %v; want a FieldError on url", tc.in, got, err)
		}
	}
}

func TestValidateEventTypes(t *testing.T) {
	got, err := ValidateEventTypes([]string{event.UserCreated, "*", event.UserCreated})
	if err != nil || !slices.Equal(got, []string{event.UserCreated, "*"}) {
		t.Fatalf("ValidateEventTypes = %v, %v; want deduplicated [user.created *]", got, err)
	}
	for _, bad := range [][]string{nil, {}, {"user.exploded"}, {event.UserCreated, ""}} {
		var fe *tenant.FieldError
		if _, err := ValidateEventTypes(bad); !errors.As(err, &fe) || fe.Field != "event_types" {
			t.Errorf("ValidateEventTypes(%q) = %v, want a FieldError on event_types", bad, err)
		}
	}
}

func TestSubscribed(t *testing.T) {
	tests := []struct {
		types []string
		typ   string
		want  bool
	}{
		{[]string{event.UserCreated}, event.UserCreated, true},
		{[]string{event.UserCreated}, event.UserUpdated, false},
		{[]string{"*"}, event.APIKeyRevoked, true},
		{nil, event.UserCreated, false},
	}
	for _, tc := range tests {
		if got := Subscribed(tc.types, tc.typ); got != tc.want {
			t.Errorf("Subscribed(%v, %s) = %v, want %v", tc.types, tc.typ, got, tc.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	cut := []byte("ok é")[:4] // "ok " and half of é
	if got := cleanText(append(cut, 0, 'x')); got != "ok x" {
		t.Fatalf("cleanText = %q, want %q", got, "ok x")
	}
}
