package httpapi

import (
	"context"

	"bytes"
	"encoding/json"
	"fmt"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// isolationFixtures make, in one tenant, the record a path parameter names and
// return its id. Every path parameter of every route needs one, so a new
// endpoint is covered by TestTenantIsolation as soon as it is routed.
var isolationFixtures = map[string]func(f *fixtures) string{
	"userID": func(f *fixtures) string {
		return f.w.seedUser(f.t, f.tf.Tenant, "fixture@"+f.tf.Tenant.Slug+".example", tenant.RoleAgent).ID
	},
	"apiKeyID": func(f *fixtures) string {
		var k struct{ ID string }
		f.tf.admin.in(f.t).do("POST", "/api/v1/api-keys", map[string]any{"name": "fixture", "scopes": []string{"read"}}).
			want(http.StatusCreated).decode(&k)
		return k.ID
	},
	"webhookID": func(f *fixtures) string {
		var e struct{ ID string }
		f.tf.admin.in(f.t).do("POST", "/api/v1/webhooks", map[string]any{
			"url": f.w.receiver(f.t) + "/" + f.tf.Tenant.Slug, "description": "fixture", "event_types": []string{"*"},
		}).want(http.StatusCreated).decode(&e)
		return e.ID
	},
	"connectorID": func(f *fixtures) string {
		id := createdID(f.t, f.tf.admin, "/api/v1/context/connectors", map[string]any{"name": "fixture", "url": f.w.receiver(f.t) + "/ctx-" + f.tf.Tenant.Slug})
		// Switched off: B reading its customer's context would call it, and
		// change B's own figures between the snapshots (its test still calls).
		f.tf.admin.in(f.t).do("PATCH", "/api/v1/context/connectors/"+id, map[string]any{"active": false}).want(http.StatusOK)
		return id
	},
	"trunkID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/phone/trunks", map[string]any{"name": "fixture", "accept_from": []string{"203.0.113.7"},
			"numbers": []map[string]any{{"number": fixtureNumber(), "queue_id": f.id("queueID", "")}}})
	},
	"templateID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/whatsapp/templates", map[string]any{"name": "order_ready", "language": "en_US",
			"category": "utility", "body": "Hello {{1}}, order {{2}} is ready.", "status": "approved"})
	},
	"scheduleID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/report-schedules", map[string]any{"name": "fixture", "frequency": "daily", "at": "08:00",
			"tz": "UTC", "recipients": []string{f.tf.Admin.ID}})
	},
	"ruleID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/listening/rules", map[string]any{"name": "fixture", "hashtags": []string{"fixture"}})
	},
	"conversationID": conversationFixture,
	"personaID":      func(f *fixtures) string { return f.contact().Persona.ID },
	"attachmentID":   func(f *fixtures) string { return f.contact().Message.Attachments[0].ID },
	"messageID":      originalFixture,
	"mergeID": func(f *fixtures) string {
		other := f.w.ingest(f.t, f.tf.Tenant.ID, "merge-"+f.tf.Tenant.Slug, "to be merged")
		id, err := f.w.inbox.Merge(context.Background(), inbox.Actor{TenantID: f.tf.Tenant.ID}, f.id("personaID", ""), other.Persona.ID)
		if err != nil {
			f.t.Fatalf("merge fixture: %v", err)
		}
		return id
	},
	"channelAccountID": func(f *fixtures) string {
		var acc struct{ ID string }
		f.tf.admin.in(f.t).do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "loop", "address": "desk-" + f.tf.Tenant.Slug}).
			want(http.StatusCreated).decode(&acc)
		return acc.ID
	},
	"cannedID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/canned-responses", map[string]any{"shortcut": "fixture", "title": "Fixture",
			"body": "Hello {{customer.first_name}}", "scope": "tenant"})
	},
	"macroID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/macros", map[string]any{"name": "Fixture", "scope": "tenant",
			"actions": []map[string]string{{"type": "tags_add", "value": "fixture"}}})
	},
	"calendarID":    calendarFixture,
	"policyID":      policyFixture,
	"queueID":       queueFixture,
	"routingRuleID": ruleFixture,
	"offerID":       offerFixture,
	"callbackID":    callbackFixture,
	"callID":        callFixture,
	"presenceState": presenceStateFixture,
	"typeKey":       notificationTypeFixture,
	"eventID":       func(f *fixtures) string { return f.raised().Event.ID },
	"noticeID":      func(f *fixtures) string { return f.raised().Results[0].DeliveryID },
	"mailID":        func(f *fixtures) string { return f.w.catch(f.t, "admin@"+f.tf.Tenant.Slug+".example", "Fixture") },
	"invitationID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/invitations", map[string]any{"email": "invited@" + f.tf.Tenant.Slug + ".example", "role": "agent"})
	},
	"sessionID": sessionFixture,
	"deliveryID": func(f *fixtures) string {
		var d struct {
			DeliveryID string `json:"delivery_id"`
		}
		f.tf.admin.in(f.t).do("POST", "/api/v1/webhooks/"+f.id("webhookID", "")+"/ping", nil).
			want(http.StatusAccepted).decode(&d)
		return d.DeliveryID
	},

	"sandboxMessageID": sandboxMessageFixture,

	"articleID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/knowledge/articles", map[string]any{"title": "Fixture article " + f.tf.Tenant.Slug,
			"resolution": "Do this."})
	},
	"version": func(f *fixtures) string { f.id("articleID", ""); return "1" }, // a number, not an id: see all
	"roomID": func(f *fixtures) string {
		var v struct{ Room struct{ ID string } }
		f.tf.admin.in(f.t).do("POST", "/api/v1/conversations/"+f.id("conversationID", "")+"/swarm", map[string]any{"question": "fixture"}).
			want(http.StatusCreated).decode(&v)
		return v.Room.ID
	},
	"fileID": func(f *fixtures) string {
		var x struct{ ID string }
		f.tf.admin.in(f.t).do("POST", "/api/v1/swarm/rooms/"+f.id("roomID", "")+"/files", multipartFile(f.t, "file", "fixture.txt", []byte("fixture"))).
			want(http.StatusCreated).decode(&x)
		return x.ID
	},
	"flagID": func(f *fixtures) string {
		return createdID(f.t, f.tf.admin, "/api/v1/knowledge/articles/"+f.id("articleID", "")+"/flags", map[string]any{"reason": "fixture"})
	},
}

// notIDs are path parameters whose values are not ids (an article's version
// number): every answer holds such a value, so they cannot show a leak.
var notIDs = map[string]bool{"version": true}

// volatileFields change by themselves (a delivery being attempted in the
// background), so they are left out when comparing tenant B's records.
var volatileFields = []string{"status", "attempts", "last_status_code", "last_error", "next_attempt_at", "updated_at", "last_used_at", "took_ms"}

// TestTenantIsolation calls every route with path parameters as tenant A's admin,
// by session and by admin-scoped API key, with tenant B's ids, and requires 404:
// another tenant's records are not found, so their ids cannot be probed. It also
// proves A's own ids work, that no answer to A carries B's ids, and that B's
// records are unchanged afterwards.
func TestTenantIsolation(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testTenantIsolation(t, newWorld(t, withEngine(e)))
		})
	}
}

func testTenantIsolation(t *testing.T, w *world) {
	doc := specDoc(t)
	fa, fb := newFixtures(t, w, &w.A), newFixtures(t, w, &w.B)
	callers := []*client{w.A.admin, keyClient(t, w.A.admin, "admin")}

	// Deletions go last, so the other routes still find A's records.
	routes := w.api.routes()
	slices.SortStableFunc(routes, func(a, b route) int {
		return boolInt(a.method == "DELETE") - boolInt(b.method == "DELETE")
	})
	type call struct {
		rt            route
		foreign, own  string
		body          any
		hasParameters bool
	}
	var calls []call
	for _, rt := range routes {
		if rt.portal || rt.signed || rt.community {
			// Not the tenant API: customers and signed links reach these.
			// TestPortal and TestOneClickUnsubscribe cover their tenancy;
			// TestCommunity the catalogue's, which members share by design.
			continue
		}
		c := call{rt: rt, foreign: rt.pattern, own: rt.pattern}
		if c.hasParameters = pathParam.MatchString(rt.pattern); c.hasParameters {
			var ok1, ok2 bool
			c.foreign, ok1 = fb.path(rt)
			c.own, ok2 = fa.path(rt)
			if !ok1 || !ok2 {
				continue
			}
		}
		body, ok := exampleBody(t, doc, rt)
		if !ok {
			continue
		}
		c.body = body
		calls = append(calls, c)
	}
	leaks := fb.all()
	bSnap := map[string]string{}
	for _, c := range calls {
		if c.hasParameters && c.rt.method == "GET" {
			bSnap[c.rt.pattern] = normalized(t, w.B.admin.in(t).do("GET", c.foreign, nil).want(http.StatusOK).body)
		}
	}

	// A reaches none of B's records.
	for _, c := range calls {
		if !c.hasParameters {
			continue
		}
		for _, cl := range callers {
			if browserOnly[c.rt.method+" "+c.rt.pattern] && cl.bearer != "" {
				continue // 403 whatever the id (TestMonitorNeedsABrowser): it tells nothing of B
			}
			cl.in(t).do(c.rt.method, c.foreign, c.body).wantProblem(http.StatusNotFound, "not-found")
		}
	}

	// A reaches its own (so the 404s above prove something), and no answer to A,
	// lists included, names anything of B's.
	for _, c := range calls {
		if c.rt.public || (!c.hasParameters && c.rt.method != "GET") || upgrades(doc, c.rt) {
			continue
		}
		for i, cl := range callers {
			if c.rt.method == "DELETE" && i > 0 {
				break // deleted already
			}
			if (c.rt.perm == permSelf || browserOnly[c.rt.method+" "+c.rt.pattern]) && cl.bearer != "" {
				continue // a user's own (their offers, their profile), or a browser's: no API key has them
			}
			// Found and allowed: anything but 401, 403, 404 or a failure. (A
			// replay of a delivery still in flight is a 409, say.)
			r := cl.in(t).do(c.rt.method, c.own, c.body)
			switch s := r.StatusCode; {
			case s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusNotFound, s >= 500:
				t.Errorf("%s: status %d with tenant A's own ids; body: %s", r.what, s, r.body)
			}
			for _, id := range leaks {
				if bytes.Contains(r.body, []byte(id)) {
					t.Errorf("%s: the answer names %s of tenant B: %s", r.what, id, r.body)
				}
			}
		}
	}

	// B's records are as they were.
	for _, c := range calls {
		if want, ok := bSnap[c.rt.pattern]; ok {
			got := normalized(t, w.B.admin.in(t).do("GET", c.foreign, nil).want(http.StatusOK).body)
			if got != want {
				t.Errorf("GET %s: tenant B's record changed while tenant A was refused:\nbefore: %s\nafter:  %s", c.foreign, want, got)
			}
		}
	}
}

// upgrades reports whether the route switches protocols (the WebSocket), which
// a plain request cannot exercise.
func upgrades(doc map[string]any, rt route) bool {
	responses, _ := specOperation(doc, rt.method, rt.pattern)["responses"].(map[string]any)
	_, ok := responses["101"]
	return ok
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fixtures makes and remembers one record of each kind in one tenant.
type fixtures struct {
	t      *testing.T
	w      *world
	tf     *tenantFixture
	makers map[string]func(*fixtures) string // isolationFixtures
	ids    map[string]string
	first  *inbox.Ingested // the tenant's first customer contact, made on demand
	event  *notify.Raised  // an event for that customer, made on demand
}

// contact is one customer message with an attachment, in a conversation of its own.
func (f *fixtures) contact() inbox.Ingested {
	if f.first == nil {
		in := f.w.ingest(f.t, f.tf.Tenant.ID, "customer-"+f.tf.Tenant.Slug, "my card is blocked")
		f.first = &in
	}
	return *f.first
}

func newFixtures(t *testing.T, w *world, tf *tenantFixture) *fixtures {
	return &fixtures{t: t, w: w, tf: tf, makers: isolationFixtures, ids: map[string]string{}}
}

// id returns the id of the tenant's record for the path parameter, making it
// on first use; route names the route that needs it, for the failure message.
func (f *fixtures) id(param, route string) string {
	f.t.Helper()
	if id, ok := f.ids[param]; ok {
		return id
	}
	mk, ok := f.makers[param]
	if !ok {
		f.t.Errorf("no fixture for {%s} in route %s: add one to isolationFixtures", param, route)
		return ""
	}
	id := mk(f)
	f.ids[param] = id
	return id
}

// path fills the route's path parameters with the tenant's ids.
func (f *fixtures) path(rt route) (string, bool) {
	f.t.Helper()
	ok := true
	p := pathParam.ReplaceAllStringFunc(rt.pattern, func(m string) string {
		id := f.id(m[1:len(m)-1], rt.method+" "+rt.pattern)
		ok = ok && id != ""
		return id
	})
	return p, ok
}

// all lists the tenant's ids: its own, its admin's, and its fixtures'.
func (f *fixtures) all() []string {
	out := []string{f.tf.Tenant.ID, f.tf.Admin.ID}
	for param, id := range f.ids {
		if !notIDs[param] {
			out = append(out, id)
		}
	}
	return out
}

// receiver returns the URL of a webhook receiver that accepts everything.
func (w *world) receiver(t *testing.T) string {
	if w.hooks == nil {
		w.hooks = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(w.hooks.Close)
	}
	return w.hooks.URL
}

// exampleBody is the request body the document gives as example for the route,
// the plausible body the isolation test sends; nil when it takes none.
func exampleBody(t *testing.T, doc map[string]any, rt route) (any, bool) {
	t.Helper()
	key := rt.method + " " + rt.pattern
	op := specOperation(doc, rt.method, rt.pattern)
	if op == nil {
		t.Errorf("%s is routed but not in openapi.yaml", key)
		return nil, false
	}
	rb, ok := op["requestBody"].(map[string]any)
	if !ok {
		return nil, true
	}
	content, _ := rb["content"].(map[string]any)
	mt, ok := content["application/json"].(map[string]any)
	if !ok && content["multipart/form-data"] != nil && pathParam.MatchString(rt.pattern) {
		return nil, false // a file uploaded to a record (a swarm room): its own test sends another tenant's id
	}
	if !ok && !pathParam.MatchString(rt.pattern) {
		return nil, false // an upload without path parameters: nothing to probe; its own test covers tenancy
	}
	ex, ok := mt["example"]
	if !ok {
		t.Errorf("%s: openapi.yaml gives no example request body; add one (the isolation test sends it)", key)
		return nil, false
	}
	return ex, true
}

// normalized is a JSON body without its volatile fields, for comparing.
func normalized(t *testing.T, body []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body) // a file download: compared as it is
	}
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range volatileFields {
				delete(v, k)
			}
			for _, e := range v {
				strip(e)
			}
		case []any:
			for _, e := range v {
				strip(e)
			}
		}
	}
	strip(v)
	out, _ := json.Marshal(v)
	return strings.TrimSpace(string(out))
}

var fixtureNumbers atomic.Int64

// fixtureNumber is a phone number no other fixture has (numbers are unique
// across tenants).
func fixtureNumber() string { return fmt.Sprintf("+1555%07d", 100+fixtureNumbers.Add(1)) }

// browserOnly are the routes only a signed-in user's browser can use (an API
// key gets 403, TestMonitorNeedsABrowser): monitoring a call is a leg of her
// browser, signalled on her desktop feed.
var browserOnly = map[string]bool{
	"POST /api/v1/calls/{callID}/monitor":   true,
	"DELETE /api/v1/calls/{callID}/monitor": true,
}

// An admin API key may list the live calls but not monitor one: 403, naming why.
func TestMonitorNeedsABrowser(t *testing.T) {
	w := newWorld(t)
	key := keyClient(t, w.A.admin, "admin")
	key.do("GET", "/api/v1/calls", nil).want(http.StatusOK)
	const someCall = "01a24d9e-f3a4-770e-ae50-da1989d50773"
	key.do("POST", "/api/v1/calls/"+someCall+"/monitor", map[string]string{"mode": "listen"}).wantProblem(http.StatusForbidden, "forbidden")
	key.do("DELETE", "/api/v1/calls/"+someCall+"/monitor", nil).wantProblem(http.StatusForbidden, "forbidden")
}
