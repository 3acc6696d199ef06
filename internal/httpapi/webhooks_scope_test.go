package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// A webhook is a way to read the tenant's events: it reaches no further than
// whoever registers or changes it.
func TestWebhookSubscriptionsFollowTheCallersReach(t *testing.T) {
	w := newWorld(t)
	hooksOnly := keyClient(t, w.A.admin, "webhooks:manage")

	t.Run("message events refused", func(t *testing.T) {
		pr := hooksOnly.in(t).do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/in",
			"event_types": []string{event.MessageCreated}}).wantProblem(http.StatusUnprocessableEntity, "validation")
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "event_types" || !strings.Contains(pr.Errors[0].Reason, `"read" permission`) {
			t.Fatalf("problem %+v; want event_types naming the read permission", pr)
		}
	})

	t.Run("star is what the key may read", func(t *testing.T) {
		var ep struct {
			EventTypes []string `json:"event_types"`
		}
		hooksOnly.in(t).do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/in",
			"event_types": []string{"*"}}).want(http.StatusCreated).decode(&ep)
		want := []string{event.WebhookEndpointChange, event.WebhookPing}
		if !slices.Equal(ep.EventTypes, want) {
			t.Fatalf("event_types %v, want %v", ep.EventTypes, want)
		}
	})

	t.Run("an admin's star endpoint cannot be redirected", func(t *testing.T) {
		var ep struct{ ID string }
		w.A.admin.in(t).do("POST", "/api/v1/webhooks", map[string]any{"url": "https://admin.example/in",
			"event_types": []string{"*"}}).want(http.StatusCreated).decode(&ep)
		pr := hooksOnly.in(t).do("PATCH", "/api/v1/webhooks/"+ep.ID, map[string]any{"url": "https://attacker.example/in"}).
			wantProblem(http.StatusUnprocessableEntity, "validation")
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "event_types" {
			t.Fatalf("problem %+v; want event_types", pr)
		}
		var got struct{ URL string }
		w.A.admin.in(t).do("GET", "/api/v1/webhooks/"+ep.ID, nil).want(http.StatusOK).decode(&got)
		if got.URL != "https://admin.example/in" {
			t.Fatalf("url is now %s", got.URL)
		}
	})

	t.Run("admin keeps star", func(t *testing.T) {
		var ep struct {
			EventTypes []string `json:"event_types"`
		}
		w.A.admin.in(t).do("POST", "/api/v1/webhooks", map[string]any{"url": "https://admin.example/all",
			"event_types": []string{"*"}}).want(http.StatusCreated).decode(&ep)
		if !slices.Equal(ep.EventTypes, []string{"*"}) {
			t.Fatalf("event_types %v, want [*]", ep.EventTypes)
		}
	})
}
