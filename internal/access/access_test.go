package access_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestEveryEventTypeHasAPermission(t *testing.T) {
	for _, typ := range append(slices.Clone(event.Types), event.Typing, event.QueueStats) {
		if _, ok := access.EventPerm(typ); !ok {
			t.Errorf("event type %q has no permission in access.eventPerms; nobody would read it", typ)
		}
	}
	if _, ok := access.EventPerm("no.such.type"); ok {
		t.Error("an unknown type has a permission")
	}
}

func TestCanRead(t *testing.T) {
	revoked := tenant.APIKey{Scopes: []tenant.Scope{tenant.ScopeAdmin}, RevokedAt: time.Unix(1, 0)}
	cases := []struct {
		name  string
		grant access.Grant
		typ   string
		want  bool
	}{
		{"agent reads messages", access.ForRole(tenant.RoleAgent), event.MessageCreated, true},
		{"agent does not read new API keys", access.ForRole(tenant.RoleAgent), event.APIKeyCreated, false},
		{"agent does not read user changes", access.ForRole(tenant.RoleAgent), event.UserUpdated, false},
		{"agent does not read webhook changes", access.ForRole(tenant.RoleAgent), event.WebhookEndpointChange, false},
		{"supervisor does not read new API keys", access.ForRole(tenant.RoleSupervisor), event.APIKeyCreated, false},
		{"admin reads new API keys", access.ForRole(tenant.RoleAdmin), event.APIKeyCreated, true},
		{"disabled admin reads nothing", access.ForUser(tenant.User{Role: tenant.RoleAdmin, Disabled: true}), event.MessageCreated, false},
		{"webhooks:manage key does not read messages", access.ForScopes([]tenant.Scope{tenant.ScopeWebhooksManage}), event.MessageCreated, false},
		{"webhooks:manage key reads pings", access.ForScopes([]tenant.Scope{tenant.ScopeWebhooksManage}), event.WebhookPing, true},
		{"read key reads messages", access.ForScopes([]tenant.Scope{tenant.ScopeRead}), event.MessageCreated, true},
		{"revoked admin key reads nothing", access.ForKey(revoked), event.MessageCreated, false},
		{"unknown type is read by nobody", access.ForRole(tenant.RoleAdmin), "no.such.type", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.grant.CanRead(c.typ); got != c.want {
				t.Errorf("CanRead(%q) = %v, want %v", c.typ, got, c.want)
			}
		})
	}
}

func TestReadable(t *testing.T) {
	if !access.ForRole(tenant.RoleAdmin).ReadsAll() {
		t.Error("an admin should read every event type")
	}
	hooks := access.ForScopes([]tenant.Scope{tenant.ScopeWebhooksManage})
	if hooks.ReadsAll() {
		t.Error("a webhooks:manage key reads every event type")
	}
	got := hooks.Readable()
	want := []string{event.WebhookEndpointChange, event.WebhookPing}
	if !slices.Equal(got, want) {
		t.Errorf("Readable() = %v, want %v", got, want)
	}
}
