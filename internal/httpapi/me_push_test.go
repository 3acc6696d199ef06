package httpapi

import (
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestMyPushSubscriptions: a member of staff subscribes their browser to Web
// Push (ADR 0048) and sees it with the center's VAPID key; a colleague and
// another workspace see none of it; a bad endpoint or bad keys are refused
// by field; an API key, no person, is refused (403); removing it twice is 404.
func TestMyPushSubscriptions(t *testing.T) {
	w := newWorld(t, leaderless)
	erik := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "erik@tenant-a.example", tenant.RoleExpert))
	ana := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent))
	sub := webpushtest.NewBrowser().Subscription("https://push.example.net/wpush/v2/erik-laptop")
	body := map[string]any{"endpoint": sub.Endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": sub.Keys.P256dh, "auth": sub.Keys.Auth}}

	var first, again struct{ ID, Endpoint string }
	erik.in(t).do("POST", "/api/v1/me/push-subscriptions", body).want(http.StatusCreated).decode(&first)
	erik.in(t).do("POST", "/api/v1/me/push-subscriptions", body).want(http.StatusCreated).decode(&again)
	if first.ID == "" || again.ID != first.ID || first.Endpoint != sub.Endpoint {
		t.Fatalf("subscribed %+v, again %+v", first, again)
	}
	var list struct {
		PublicKey string `json:"public_key"`
		Items     []struct{ ID string }
	}
	var vapid struct {
		PublicKey string `json:"public_key"`
	}
	w.A.admin.in(t).do("GET", "/api/v1/notifications/vapid-key", nil).want(http.StatusOK).decode(&vapid)
	erik.in(t).do("GET", "/api/v1/me/push-subscriptions", nil).want(http.StatusOK).decode(&list)
	if list.PublicKey != vapid.PublicKey || len(list.Items) != 1 || list.Items[0].ID != first.ID {
		t.Fatalf("erik's list: %+v", list)
	}
	for _, c := range []*client{ana, w.B.admin} {
		c.in(t).do("GET", "/api/v1/me/push-subscriptions", nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 0 {
			t.Fatalf("another person lists erik's browser: %+v", list)
		}
	}
	ana.in(t).do("POST", "/api/v1/me/push-subscriptions/remove", map[string]any{"endpoint": sub.Endpoint}).wantProblem(http.StatusNotFound, "not-found")

	for field, bad := range map[string]map[string]any{
		"endpoint": {"endpoint": "http://push.example.net/x", "keys": body["keys"]},
		"keys":     {"endpoint": sub.Endpoint, "keys": map[string]string{"p256dh": "AAAA", "auth": sub.Keys.Auth}},
	} {
		p := erik.in(t).do("POST", "/api/v1/me/push-subscriptions", bad).wantProblem(http.StatusUnprocessableEntity, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Fatalf("bad %s: %+v", field, p.Errors)
		}
	}
	keyClient(t, w.A.admin, "admin").in(t).do("POST", "/api/v1/me/push-subscriptions", body).wantProblem(http.StatusForbidden, "forbidden")

	erik.in(t).do("POST", "/api/v1/me/push-subscriptions/remove", map[string]any{"endpoint": sub.Endpoint}).want(http.StatusNoContent)
	erik.in(t).do("POST", "/api/v1/me/push-subscriptions/remove", map[string]any{"endpoint": sub.Endpoint}).wantProblem(http.StatusNotFound, "not-found")
}
