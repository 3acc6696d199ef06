package httpapi

import (
	"net/http"
	"testing"
)

// Agents edit a customer's profile and add an address over the API.
func TestEditPersonaOverHTTP(t *testing.T) {
	w := newWorld(t)
	contact := w.ingest(t, w.A.Tenant.ID, "cust-9", "hello")
	agent := w.A.admin.in(t)
	var p struct {
		Name, TimeZone, Language string
		Attributes               map[string]string
		Identifiers              []struct{ Kind, Value string }
	}
	agent.do("PATCH", "/api/v1/personas/"+contact.Persona.ID, map[string]any{"name": "Zoë Müller", "time_zone": "Europe/Berlin",
		"language": "de", "attributes": map[string]any{"segment": "premier", "nothing": nil}}).want(http.StatusOK).decode(&p)
	if p.Name != "Zoë Müller" || p.Attributes["segment"] != "premier" {
		t.Fatalf("patched %+v", p)
	}
	agent.do("PATCH", "/api/v1/personas/"+contact.Persona.ID, map[string]any{"time_zone": "Atlantis/Capital"}).
		wantProblem(http.StatusUnprocessableEntity, "validation")
	agent.do("POST", "/api/v1/personas/"+contact.Persona.ID+"/identifiers", map[string]any{"kind": "email", "value": "zoe@example.com"}).
		want(http.StatusOK).decode(&p)
	if len(p.Identifiers) != 2 {
		t.Fatalf("identifiers %+v", p.Identifiers)
	}
	w.B.admin.in(t).do("PATCH", "/api/v1/personas/"+contact.Persona.ID, map[string]any{"name": "x"}).wantProblem(http.StatusNotFound, "not-found")
}
