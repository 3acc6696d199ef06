package webhook

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/access"
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
	admin := access.ForRole(tenant.RoleAdmin)
	got, err := ValidateEventTypes([]string{event.UserCreated, "*", event.UserCreated}, admin)
	if err != nil || !slices.Equal(got, []string{event.UserCreated, "*"}) {
		t.Fatalf("ValidateEventTypes = %v, %v; want deduplicated [user.created *]", got, err)
	}
	for _, bad := range [][]string{nil, {}, {"user.exploded"}, {event.UserCreated, ""}} {
		var fe *tenant.FieldError
		if _, err := ValidateEventTypes(bad, admin); !errors.As(err, &fe) || fe.Field != "event_types" {
			t.Errorf("ValidateEventTypes(%q) = %v, want a FieldError on event_types", bad, err)
		}
	}
}

// An endpoint reaches no further than its maker: a key that may only manage
// webhooks cannot subscribe to messages, and its "*" is what it may read.
func TestValidateEventTypesByGrant(t *testing.T) {
	hooksOnly := access.ForScopes([]tenant.Scope{tenant.ScopeWebhooksManage})
	reader := access.ForScopes([]tenant.Scope{tenant.ScopeRead, tenant.ScopeWebhooksManage})
	tests := []struct {
		name    string
		types   []string
		grant   access.Grant
		want    []string
		refused string // a word the FieldError's reason must hold
	}{
		{"hooks-only key, messages", []string{event.MessageCreated}, hooksOnly, nil, `"read" permission`},
		{"hooks-only key, new API keys", []string{event.APIKeyCreated}, hooksOnly, nil, `"api_keys:manage"`},
		{"hooks-only key, star", []string{"*"}, hooksOnly, []string{event.WebhookEndpointChange, event.WebhookPing}, ""},
		{"reader, messages", []string{event.MessageCreated}, reader, []string{event.MessageCreated}, ""},
		{"reader, users", []string{event.UserCreated}, reader, nil, `"users:manage"`},
		{"reader, star has no admin types", []string{"*"}, reader, nil, ""},
		{"nothing readable", []string{"*"}, access.Grant{}, nil, "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateEventTypes(tc.types, tc.grant)
			if tc.refused != "" {
				var fe *tenant.FieldError
				if !errors.As(err, &fe) || fe.Field != "event_types" || !strings.Contains(fe.Reason, tc.refused) {
					t.Fatalf("got %v, %v; want a FieldError on event_types naming %s", got, err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, typ := range got {
				if typ == AllEvents || !tc.grant.CanRead(typ) {
					t.Errorf("subscription holds %q, which the grant may not read", typ)
				}
			}
		})
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
