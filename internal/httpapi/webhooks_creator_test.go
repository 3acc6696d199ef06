package httpapi

import (
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A webhook reaches no further than whoever made it, for as long as it runs:
// when the key that made it is revoked, or the admin who made it is disabled or
// demoted, it is switched off and its deliveries fail as "endpoint disabled".
// Endpoints the change leaves readable keep running.
func TestWebhooksStopWithTheirCreatorsReach(t *testing.T) {
	w := newWorld(t)
	active := func(id string) bool {
		t.Helper()
		var ep struct{ Active bool }
		w.A.admin.in(t).do("GET", "/api/v1/webhooks/"+id, nil).want(http.StatusOK).decode(&ep)
		return ep.Active
	}
	create := func(c *client, types ...string) string {
		t.Helper()
		var ep struct{ ID string }
		c.in(t).do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/in", "event_types": types}).
			want(http.StatusCreated).decode(&ep)
		return ep.ID
	}

	t.Run("a revoked key's endpoints stop", func(t *testing.T) {
		key := keyClient(t, w.A.admin, "webhooks:manage", "read")
		mine := create(key, event.MessageCreated)
		admins := create(w.A.admin, event.MessageCreated)
		w.A.admin.in(t).do("DELETE", "/api/v1/api-keys/"+key.keyID, nil).want(http.StatusNoContent)
		if active(mine) {
			t.Error("the revoked key's endpoint still receives messages")
		}
		if !active(admins) {
			t.Error("the admin's endpoint was switched off with the key")
		}
	})

	t.Run("a demoted admin's star stops, a disabled one's all stop", func(t *testing.T) {
		second := w.seedUser(t, w.A.Tenant, "second-admin@a.example", tenant.RoleAdmin)
		c := w.sessionClient(t, second)
		star := create(c, "*")
		messages := create(c, event.MessageCreated)

		w.A.admin.in(t).do("PATCH", "/api/v1/users/"+second.ID, map[string]any{"role": "agent"}).want(http.StatusOK)
		if active(star) {
			t.Error("the demoted admin's * endpoint still runs: an agent may not read every event")
		}
		if !active(messages) {
			t.Error("the message endpoint was switched off, though an agent reads messages")
		}

		w.A.admin.in(t).do("PATCH", "/api/v1/users/"+second.ID, map[string]any{"disabled": true}).want(http.StatusOK)
		if active(messages) {
			t.Error("the disabled user's endpoint still runs")
		}

		// An admin who may read it all switches it back on, and it is theirs now.
		w.A.admin.in(t).do("PATCH", "/api/v1/webhooks/"+star, map[string]any{"active": true}).want(http.StatusOK)
		if !active(star) {
			t.Error("the admin could not switch the endpoint back on")
		}
	})
}
