package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// textCase is one text field of one create or update endpoint: body builds
// a valid request with v in the field, which the problem must name.
type textCase struct {
	name, method, path string
	field              string
	long               string // a value over the field's limit; "" when only the request's limit bounds it
	body               func(v string) any
}

// textCases are the create and update endpoints with a text field each,
// set up in tenant A of w.
func textCases(t *testing.T, w *world) []textCase {
	t.Helper()
	admin := w.A.admin.in(t)
	contact := w.ingest(t, w.A.Tenant.ID, "text-limits", "hello")
	conv, personaID := contact.Conversation.ID, contact.Persona.ID
	canned := createdID(t, admin, "/api/v1/canned-responses", map[string]any{"shortcut": "hi", "title": "Hi", "body": "Hello", "scope": "tenant"})
	macro := createdID(t, admin, "/api/v1/macros", map[string]any{"name": "Close", "actions": []map[string]string{{"type": "status", "value": "resolved"}}, "scope": "tenant"})
	queue := createdID(t, admin, "/api/v1/queues", map[string]any{"name": "General", "strategy": "longest_idle"})
	webhook := createdID(t, admin, "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/x", "event_types": []string{"webhook.ping"}})
	from := time.Now().Add(24 * time.Hour).UTC()

	name := strings.Repeat("n", 201)
	line := strings.Repeat("l", 1001)
	huge := strings.Repeat("h", 300<<10)
	return []textCase{
		{name: "user name", method: "POST", path: "/api/v1/users", field: "name", long: strings.Repeat("u", 100<<10), body: func(v string) any {
			return map[string]any{"email": "new@tenant-a.example", "name": v, "role": "agent", "password": testPassword}
		}},
		{name: "user rename", method: "PATCH", path: "/api/v1/users/" + w.A.Admin.ID, field: "name", long: name, body: func(v string) any { return map[string]any{"name": v} }},
		{name: "api key name", method: "POST", path: "/api/v1/api-keys", field: "name", long: name, body: func(v string) any { return map[string]any{"name": v, "scopes": []string{"read"}} }},
		{name: "webhook description", method: "POST", path: "/api/v1/webhooks", field: "description", long: line, body: func(v string) any {
			return map[string]any{"url": "https://hooks.example/y", "description": v, "event_types": []string{"webhook.ping"}}
		}},
		{name: "webhook new description", method: "PATCH", path: "/api/v1/webhooks/" + webhook, field: "description", long: line, body: func(v string) any { return map[string]any{"description": v} }},
		{name: "conversation team", method: "PATCH", path: "/api/v1/conversations/" + conv, field: "team", long: name, body: func(v string) any { return map[string]any{"team": v} }},
		{name: "conversation tag", method: "PATCH", path: "/api/v1/conversations/" + conv, field: "tags", long: name, body: func(v string) any { return map[string]any{"tags": []string{"vip", v}} }},
		{name: "reply body", method: "POST", path: "/api/v1/conversations/" + conv + "/messages", field: "body", long: huge, body: func(v string) any { return map[string]any{"body": "x" + v} }},
		{name: "reply subject", method: "POST", path: "/api/v1/conversations/" + conv + "/messages", field: "subject", long: line, body: func(v string) any { return map[string]any{"body": "hi", "subject": v} }},
		// body_html's limit (1 MiB) is the request's: a longer one is a 413.
		{name: "reply html", method: "POST", path: "/api/v1/conversations/" + conv + "/messages", field: "body_html", body: func(v string) any {
			return map[string]any{"body": "hi", "body_html": v}
		}},
		{name: "note", method: "POST", path: "/api/v1/conversations/" + conv + "/notes", field: "body", long: huge, body: func(v string) any { return map[string]any{"body": "x" + v} }},
		{name: "transfer note", method: "POST", path: "/api/v1/conversations/" + conv + "/transfer", field: "note", long: huge, body: func(v string) any {
			return map[string]any{"queue_id": queue, "note": "x" + v}
		}},
		{name: "canned title", method: "POST", path: "/api/v1/canned-responses", field: "title", long: name, body: func(v string) any {
			return map[string]any{"shortcut": "bye", "title": v, "body": "Bye", "scope": "tenant"}
		}},
		{name: "canned body", method: "PUT", path: "/api/v1/canned-responses/" + canned, field: "body", long: huge, body: func(v string) any {
			return map[string]any{"shortcut": "hi", "title": "Hi", "body": "x" + v}
		}},
		{name: "macro name", method: "POST", path: "/api/v1/macros", field: "name", long: name, body: func(v string) any {
			return map[string]any{"name": v, "actions": []map[string]string{{"type": "status", "value": "resolved"}}, "scope": "tenant"}
		}},
		{name: "macro tag action", method: "PUT", path: "/api/v1/macros/" + macro, field: "actions[0].value", long: line, body: func(v string) any {
			return map[string]any{"name": "Close", "actions": []map[string]string{{"type": "tags_add", "value": v}}}
		}},
		{name: "channel account name", method: "POST", path: "/api/v1/channel-accounts", field: "name", long: name, body: func(v string) any {
			return map[string]any{"channel": "loop", "address": "desk-text", "name": v}
		}},
		{name: "api channel name", method: "POST", path: "/api/v1/channels/api/messages", field: "name", long: name, body: func(v string) any {
			return map[string]any{"from": map[string]string{"kind": "api", "value": "crm-text"}, "name": v, "body": "hello"}
		}},
		{name: "api channel subject", method: "POST", path: "/api/v1/channels/api/messages", field: "subject", long: line, body: func(v string) any {
			return map[string]any{"from": map[string]string{"kind": "api", "value": "crm-text"}, "subject": v, "body": "hello"}
		}},
		{name: "persona name", method: "PATCH", path: "/api/v1/personas/" + personaID, field: "name", long: name, body: func(v string) any { return map[string]any{"name": v} }},
		{name: "persona attribute", method: "PATCH", path: "/api/v1/personas/" + personaID, field: "attributes", long: strings.Repeat("a", 2001), body: func(v string) any {
			return map[string]any{"attributes": map[string]any{"plan": v}}
		}},
		{name: "queue name", method: "POST", path: "/api/v1/queues", field: "name", long: name, body: func(v string) any { return map[string]any{"name": v, "strategy": "longest_idle"} }},
		{name: "queue rename", method: "PUT", path: "/api/v1/queues/" + queue, field: "name", long: name, body: func(v string) any { return map[string]any{"name": v, "strategy": "longest_idle"} }},
		{name: "calendar name", method: "POST", path: "/api/v1/calendars", field: "name", long: name, body: func(v string) any {
			return map[string]any{"name": v, "time_zone": "Europe/Lisbon", "hours": alwaysOpen}
		}},
		{name: "holiday name", method: "POST", path: "/api/v1/calendars", field: "holidays", long: name, body: func(v string) any {
			return map[string]any{"name": "Lisbon", "time_zone": "Europe/Lisbon", "hours": alwaysOpen, "holidays": []map[string]string{{"date": "2099-12-25", "name": v}}}
		}},
		{name: "policy name", method: "POST", path: "/api/v1/sla-policies", field: "name", long: name, body: func(v string) any {
			return map[string]any{"name": v, "first_response": "1h", "resolution": "8h"}
		}},
		{name: "routing skill", method: "PUT", path: "/api/v1/users/" + w.A.Admin.ID + "/routing", field: "skills", long: name, body: func(v string) any {
			return map[string]any{"skills": map[string]int{v: 5}}
		}},
		{name: "presence state", method: "POST", path: "/api/v1/presence-states", field: "name", long: name, body: func(v string) any { return map[string]any{"name": v, "routable": false} }},
		{name: "callback phone", method: "POST", path: "/api/v1/callbacks", field: "phone", long: line, body: func(v string) any {
			return map[string]any{"persona_id": personaID, "phone": v, "queue_id": queue,
				"not_before": from.Format(time.RFC3339), "not_after": from.Add(2 * time.Hour).Format(time.RFC3339)}
		}},
		{name: "notification type name", method: "POST", path: "/api/v1/notifications/types", field: "name", long: name, body: func(v string) any {
			typ := statementType("text_limits")
			typ["name"] = v
			return typ
		}},
		{name: "consent note", method: "POST", path: "/api/v1/personas/" + personaID + "/consent", field: "note", long: line, body: func(v string) any {
			return map[string]any{"scope": "transactional", "granted": true, "note": v}
		}},
	}
}

// TestTextLimits sends every create and update endpoint a text field over
// its limit and one with control characters (NUL, an escape sequence, a C1
// control): each is refused with 422 naming the field, on both engines —
// PostgreSQL would otherwise answer a NUL with a 500.
func TestTextLimits(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			w := newWorld(t, withEngine(e), leaderless)
			for _, tc := range textCases(t, w) {
				for _, v := range []struct{ what, value string }{
					{"too long", tc.long},
					{"NUL", "a\x00b"},
					{"escape", "a\x1b[2Jb"},
					{"C1", "a\u009bb"},
				} {
					if v.value == "" {
						continue
					}
					t.Run(tc.name+"/"+v.what, func(t *testing.T) {
						p := w.A.admin.in(t).do(tc.method, tc.path, tc.body(v.value), outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
						if len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, tc.field) {
							t.Errorf("errors %+v, want one naming %s", p.Errors, tc.field)
						}
					})
				}
			}
		})
	}
}

// TestTooManyTags refuses 10,000 tags on a conversation, naming the limit,
// and keeps none of them.
func TestTooManyTags(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) { tooManyTags(t, e) })
	}
}

func tooManyTags(t *testing.T, e engine) {
	w := newWorld(t, withEngine(e), leaderless)
	conv := w.ingest(t, w.A.Tenant.ID, "tags", "hello").Conversation.ID
	tags := make([]string, 10000)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%d", i)
	}
	p := w.A.admin.in(t).do("PATCH", "/api/v1/conversations/"+conv, map[string]any{"tags": tags}, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
	if len(p.Errors) != 1 || p.Errors[0].Field != "tags" || !strings.Contains(p.Errors[0].Reason, "at most 50") {
		t.Errorf("errors %+v, want one on tags naming the limit of 50", p.Errors)
	}
	var c struct{ Tags []string }
	w.A.admin.in(t).do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
	if len(c.Tags) != 0 {
		t.Errorf("refused tags were stored: %d", len(c.Tags))
	}
}

// TestQueryControlCharacters refuses a list's query value with a NUL or
// another control character with 400 naming the parameter, on both engines
// (PostgreSQL answered a searched NUL with a 500).
func TestQueryControlCharacters(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			w := newWorld(t, withEngine(e), leaderless)
			w.ingest(t, w.A.Tenant.ID, "query", "hello")
			for _, q := range []string{"q=a%00b", "tag=a%00", "team=%1b", "channel=%C2%85", "q=%ff"} {
				t.Run(q, func(t *testing.T) {
					p := w.A.admin.in(t).do("GET", "/api/v1/conversations?"+q, nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
					if name, _, _ := strings.Cut(q, "="); len(p.Errors) != 1 || p.Errors[0].Field != name {
						t.Errorf("errors %+v, want one naming %s", p.Errors, name)
					}
				})
			}
		})
	}
}
