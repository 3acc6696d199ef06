package httpapi

import (
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestListeningRules(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin
	var r struct {
		ID       string   `json:"id"`
		Hashtags []string `json:"hashtags"`
		Priority int      `json:"priority"`
		Enabled  bool     `json:"enabled"`
	}
	admin.in(t).do("POST", "/api/v1/listening/rules", map[string]any{"name": "Complaints", "hashtags": []string{"#Acme"},
		"keywords": []string{"broken"}, "max_sentiment": -0.2, "priority": 2, "queue": "Social care"}).want(http.StatusCreated).decode(&r)
	if len(r.Hashtags) != 1 || r.Hashtags[0] != "acme" || r.Priority != 2 || !r.Enabled {
		t.Fatalf("rule created as %+v", r)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "Everything", "languages": []string{"en"}}, "keywords"},
		{map[string]any{"name": "Bad", "hashtags": []string{"acme"}, "priority": 7}, "priority"},
		{map[string]any{"name": "Bad", "hashtags": []string{"acme"}, "max_sentiment": 3}, "max_sentiment"},
		{map[string]any{"name": "", "hashtags": []string{"acme"}}, "name"},
	} {
		p := admin.in(t).do("POST", "/api/v1/listening/rules", c.body).wantProblem(http.StatusUnprocessableEntity, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Field != c.field {
			t.Errorf("%v: %+v, want the field %s named", c.body, p, c.field)
		}
	}
	admin.in(t).do("PUT", "/api/v1/listening/rules/"+r.ID, map[string]any{"name": "Complaints", "hashtags": []string{"acme"}, "enabled": false}).
		want(http.StatusOK).decode(&r)
	if r.Enabled || r.Priority != 0 {
		t.Fatalf("rule updated as %+v", r)
	}
	var list struct{ Items []struct{ ID string } }
	admin.in(t).do("GET", "/api/v1/listening/rules", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 1 || list.Items[0].ID != r.ID {
		t.Fatalf("rules listed as %+v", list)
	}
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
	agent.in(t).do("GET", "/api/v1/listening/rules", nil).want(http.StatusForbidden)
	admin.in(t).do("DELETE", "/api/v1/listening/rules/"+r.ID, nil).want(http.StatusNoContent)
	admin.in(t).do("GET", "/api/v1/listening/rules/"+r.ID, nil).want(http.StatusNotFound)
}
