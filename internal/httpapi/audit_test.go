package httpapi

import (
	"net/http"
	"testing"
)

// Administrative changes land in the audit log with who made them.
func TestAuditLogRecordsAdminActions(t *testing.T) {
	w := newWorld(t)
	var ep struct{ ID string }
	w.A.admin.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/x", "event_types": []string{"webhook.ping"}}).
		want(http.StatusCreated).decode(&ep)
	w.A.admin.do("PATCH", "/api/v1/webhooks/"+ep.ID, map[string]any{"active": false}).want(http.StatusOK)
	w.A.admin.do("DELETE", "/api/v1/webhooks/"+ep.ID, nil).want(http.StatusNoContent)
	w.A.admin.do("POST", "/api/v1/api-keys", map[string]any{"name": "crm", "scopes": []string{"read"}}).want(http.StatusCreated)

	var log struct {
		Items []struct {
			Action    string `json:"action"`
			ActorType string `json:"actor_type"`
			TargetID  string `json:"target_id"`
		} `json:"items"`
	}
	w.A.admin.do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&log)
	want := []string{"api_key.create", "webhook.delete", "webhook.update", "webhook.create"}
	if len(log.Items) < len(want) {
		t.Fatalf("audit log has %d entries, want at least %d: %+v", len(log.Items), len(want), log.Items)
	}
	for i, action := range want {
		if log.Items[i].Action != action {
			t.Errorf("entry %d: action %q, want %q (newest first)", i, log.Items[i].Action, action)
		}
	}
	if log.Items[1].TargetID != ep.ID || log.Items[1].ActorType != "user" {
		t.Errorf("webhook.delete: %+v, want target %q by a user", log.Items[1], ep.ID)
	}
}

// Rotating a webhook's secret shows the new one once, and it differs.
func TestWebhookSecretRotation(t *testing.T) {
	w := newWorld(t)
	var created, rotated, plain struct{ ID, Secret string }
	w.A.admin.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/x", "event_types": []string{"*"}}).
		want(http.StatusCreated).decode(&created)
	w.A.admin.do("PATCH", "/api/v1/webhooks/"+created.ID, map[string]any{"rotate_secret": true}).want(http.StatusOK).decode(&rotated)
	if rotated.Secret == "" || rotated.Secret == created.Secret {
		t.Fatalf("rotated secret %q, created %q", rotated.Secret, created.Secret)
	}
	w.A.admin.do("PATCH", "/api/v1/webhooks/"+created.ID, map[string]any{"description": "renamed"}).want(http.StatusOK).decode(&plain)
	if plain.Secret != "" {
		t.Fatal("a plain update must not show the secret")
	}
}
