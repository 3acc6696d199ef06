package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// customer makes a persona in the tenant with an email address, as a
// contact on the loop channel and an address an agent added.
func (w *world) customer(t *testing.T, tf tenantFixture, name, email string) string {
	t.Helper()
	id := w.ingest(t, tf.Tenant.ID, name, "hello").Persona.ID
	tf.admin.in(t).do("POST", "/api/v1/personas/"+id+"/identifiers", map[string]string{"kind": "email", "value": email}).want(http.StatusOK)
	return id
}

func TestNotificationTypes(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin.in(t)
	var got notice.Type
	admin.do("POST", "/api/v1/notifications/types", statementType("statement")).want(http.StatusCreated).decode(&got)
	if got.Key != "statement" || got.Category != "transactional" || got.CreatedAt.IsZero() {
		t.Fatalf("created %+v", got)
	}
	admin.do("POST", "/api/v1/notifications/types", statementType("statement")).wantProblem(http.StatusConflict, "conflict")

	changed := statementType("")
	changed["name"] = "Monthly statement"
	admin.do("PUT", "/api/v1/notifications/types/statement", changed).want(http.StatusOK).decode(&got)
	if got.Key != "statement" || got.Name != "Monthly statement" {
		t.Fatalf("replaced %+v", got)
	}
	admin.do("PUT", "/api/v1/notifications/types/statement", statementType("other")).wantProblem(http.StatusUnprocessableEntity, "validation")
	admin.do("PUT", "/api/v1/notifications/types/missing", statementType("")).wantProblem(http.StatusNotFound, "not-found")

	// A template that does not parse is refused when saved, naming it.
	broken := statementType("broken")
	broken["templates"] = map[string]any{"en": map[string]any{"email": map[string]string{"subject": "{{.month", "body": "x"}}}
	if p := admin.do("POST", "/api/v1/notifications/types", broken).wantProblem(http.StatusUnprocessableEntity, "validation"); len(p.Errors) != 1 || !strings.HasPrefix(p.Errors[0].Field, "templates") {
		t.Errorf("broken template: %+v", p)
	}

	var list struct{ Items []notice.Type }
	admin.do("GET", "/api/v1/notifications/types", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 1 || list.Items[0].Key != "statement" {
		t.Errorf("list %+v", list.Items)
	}

	// Agents read types but do not define them.
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
	agent.do("GET", "/api/v1/notifications/types/statement", nil).want(http.StatusOK)
	agent.do("POST", "/api/v1/notifications/types", statementType("mine")).wantProblem(http.StatusForbidden, "forbidden")

	admin.do("DELETE", "/api/v1/notifications/types/statement", nil).want(http.StatusNoContent)
	admin.do("GET", "/api/v1/notifications/types/statement", nil).wantProblem(http.StatusNotFound, "not-found")
	admin.do("DELETE", "/api/v1/notifications/types/statement", nil).wantProblem(http.StatusNotFound, "not-found")
}

func TestNotifySettings(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin.in(t)
	var s notice.Settings
	admin.do("GET", "/api/v1/notifications/settings", nil).want(http.StatusOK).decode(&s)
	admin.do("PUT", "/api/v1/notifications/settings", map[string]any{
		"defaults": map[string]any{"order": []string{"sms", "email"}, "time_zone": "Europe/Lisbon"},
		"caps":     map[string]any{"marketing": map[string]any{"max": 2, "window": "168h"}}, "max_attempts": 4,
	}).want(http.StatusOK).decode(&s)
	if s.MaxAttempts != 4 || s.Caps["marketing"].Max != 2 || s.Defaults.TimeZone != "Europe/Lisbon" {
		t.Fatalf("settings %+v", s)
	}
	admin.do("PUT", "/api/v1/notifications/settings", map[string]any{"defaults": map[string]any{"time_zone": "Mars/Olympus"}}).
		wantProblem(http.StatusUnprocessableEntity, "validation")
	var b notice.Settings
	w.B.admin.in(t).do("GET", "/api/v1/notifications/settings", nil).want(http.StatusOK).decode(&b)
	if b.MaxAttempts != 0 || b.Defaults.TimeZone != "" {
		t.Errorf("tenant B sees tenant A's settings: %+v", b)
	}
}

// TestRaiseEvent raises events over the API on both engines: one persona by
// email, a batch with a stranger in it, and every way an event is refused
// with nothing stored.
func TestRaiseEvent(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testRaiseEvent(t, newWorld(t, withEngine(e), leaderless))
		})
	}
}

func testRaiseEvent(t *testing.T, w *world) {
	admin := w.A.admin.in(t)
	admin.do("POST", "/api/v1/notifications/types", statementType("statement")).want(http.StatusCreated)
	ana := w.customer(t, w.A, "ana", "ana@example.com")
	bea := w.customer(t, w.A, "bea", "bea@example.com")
	billing := keyClient(t, w.A.admin, "events:write")

	// One persona, found by email.
	r := raise(t, billing, map[string]any{"type": "statement", "to": map[string]string{"email": "ANA@example.com"}, "data": map[string]string{"month": "May"}})
	if len(r.Results) != 1 || r.Results[0].PersonaID != ana || r.Results[0].Status != notice.StatusPending ||
		!slices.Equal(r.Results[0].Channels, []string{"email"}) || len(r.Results[0].Reasons) == 0 || r.Counts["pending"] != 1 || r.Duplicate {
		t.Fatalf("raised %+v", r)
	}
	var d notify.DeliveryView
	admin.do("GET", "/api/v1/notifications/deliveries/"+r.Results[0].DeliveryID, nil).want(http.StatusOK).decode(&d)
	if d.PersonaID != ana || d.EventID != r.Event.ID || d.Status != notice.StatusPending || len(d.Reasons) == 0 || d.Subject != "Your May statement" {
		t.Errorf("delivery %+v", d)
	}
	var e notice.Event
	admin.do("GET", "/api/v1/notifications/events/"+r.Event.ID, nil).want(http.StatusOK).decode(&e)
	if e.ID != r.Event.ID || e.Type != "statement" || e.Recipients != 1 {
		t.Errorf("event %+v", e)
	}

	// A batch: a stranger is a rejected result, the others go ahead.
	r = raise(t, billing, map[string]any{"type": "statement", "data": map[string]string{"month": "June"}, "recipients": []map[string]any{
		{"to": map[string]string{"email": "bea@example.com"}},
		{"to": map[string]string{"email": "nobody@example.com"}},
		{"to": map[string]string{"persona_id": ana}, "data": map[string]string{"month": "July"}},
	}})
	statuses := []string{}
	for _, res := range r.Results {
		statuses = append(statuses, res.Status)
	}
	if !slices.Equal(statuses, []string{"pending", "rejected", "pending"}) || r.Results[0].PersonaID != bea || r.Results[1].Error == "" ||
		r.Counts["pending"] != 2 || r.Counts["rejected"] != 1 {
		t.Fatalf("batch %+v", r)
	}
	admin.do("GET", "/api/v1/notifications/deliveries/"+r.Results[2].DeliveryID, nil).want(http.StatusOK).decode(&d)
	if d.Subject != "Your July statement" {
		t.Errorf("the recipient's own data is not used: %q", d.Subject)
	}
	var page struct{ Items []notice.Delivery }
	admin.do("GET", "/api/v1/notifications/deliveries?event_id="+r.Event.ID, nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 2 {
		t.Errorf("the batch's deliveries: %+v", page.Items)
	}
	admin.do("GET", "/api/v1/notifications/deliveries?persona_id="+ana+"&status=pending", nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 2 {
		t.Errorf("ana's pending deliveries: %+v", page.Items)
	}
	admin.do("GET", "/api/v1/notifications/deliveries?status=lost", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")

	// Refused, with nothing stored.
	before := deliveryCount(t, admin)
	p := billing.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "statement", "to": map[string]string{"email": "ana@example.com"},
		"data": map[string]string{"month": "May"}, "expires_at": "2001-01-01T00:00:00Z"}).wantProblem(http.StatusUnprocessableEntity, "validation")
	wantField(t, p, "expires_at")
	p = billing.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "statement", "to": map[string]string{"email": "ana@example.com"},
		"data": map[string]string{"day": "Monday"}}).wantProblem(http.StatusUnprocessableEntity, "validation")
	wantField(t, p, "data")
	p = billing.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "statement", "to": map[string]string{"email": "nobody@example.com"},
		"data": map[string]string{"month": "May"}}).wantProblem(http.StatusUnprocessableEntity, "validation")
	wantField(t, p, "to")
	billing.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "lottery", "to": map[string]string{"email": "ana@example.com"},
		"data": map[string]string{}}).wantProblem(http.StatusNotFound, "not-found")
	if n := deliveryCount(t, admin); n != before {
		t.Errorf("refused events stored deliveries: %d, then %d", before, n)
	}

	// Tenant B's type and personas are not A's.
	w.B.admin.in(t).do("POST", "/api/v1/notifications/types", statementType("promo")).want(http.StatusCreated)
	billing.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "promo", "to": map[string]string{"email": "ana@example.com"},
		"data": map[string]string{"month": "May"}}).wantProblem(http.StatusNotFound, "not-found")
	w.B.admin.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "promo", "to": map[string]string{"persona_id": ana},
		"data": map[string]string{"month": "May"}}).wantProblem(http.StatusUnprocessableEntity, "validation")

	// Raising takes events:write; reading keys cannot.
	reader := keyClient(t, w.A.admin, "read")
	reader.in(t).do("POST", "/api/v1/notifications/events", map[string]any{"type": "statement", "to": map[string]string{"email": "ana@example.com"},
		"data": map[string]string{"month": "May"}}).wantProblem(http.StatusForbidden, "forbidden")
}

// TestRaiseIdempotent checks a key raises an event once: a retry by the same
// caller gets the stored answer, and the same key from another caller (the
// stored answers are per caller) finds the event, which notify keys by tenant.
func TestRaiseIdempotent(t *testing.T) {
	w := newWorld(t, leaderless)
	admin := w.A.admin.in(t)
	admin.do("POST", "/api/v1/notifications/types", statementType("statement")).want(http.StatusCreated)
	w.customer(t, w.A, "ana", "ana@example.com")
	billing := keyClient(t, w.A.admin, "events:write")
	body := map[string]any{"type": "statement", "to": map[string]string{"email": "ana@example.com"}, "data": map[string]string{"month": "May"}}
	key := header("Idempotency-Key", "statement-may-ana")

	first := raise(t, billing, body, key)
	res := billing.in(t).do("POST", "/api/v1/notifications/events", body, key).want(http.StatusAccepted)
	var again notify.Raised
	res.decode(&again)
	if res.Header.Get("Idempotent-Replayed") != "true" || again.Event.ID != first.Event.ID {
		t.Errorf("retry: replayed %q, event %s, want %s", res.Header.Get("Idempotent-Replayed"), again.Event.ID, first.Event.ID)
	}
	other := raise(t, w.A.admin, body, key)
	if !other.Duplicate || other.Event.ID != first.Event.ID {
		t.Errorf("same key from another caller: %+v, want the first event %s as a duplicate", other, first.Event.ID)
	}
	if n := deliveryCount(t, admin); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
}

func deliveryCount(t *testing.T, c *client) int {
	t.Helper()
	var page struct{ Items []notice.Delivery }
	c.in(t).do("GET", "/api/v1/notifications/deliveries?limit=199", nil).want(http.StatusOK).decode(&page)
	return len(page.Items)
}

// TestPreferencesAndConsent changes a persona's preferences and consent as
// an agent on the customer's word, exports the ledger, and erases the
// persona, on both engines.
func TestPreferencesAndConsent(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testPreferencesAndConsent(t, newWorld(t, withEngine(e), leaderless))
		})
	}
}

func testPreferencesAndConsent(t *testing.T, w *world) {
	admin := w.A.admin.in(t)
	ana := w.customer(t, w.A, "ana", "ana@example.com")
	base := "/api/v1/personas/" + ana

	var v notify.PreferenceView
	admin.do("PUT", base+"/preferences", map[string]any{"channels": map[string]bool{"email": false}, "order": []string{"sms", "email"},
		"quiet_hours": map[string]string{"from": "22:00", "to": "07:00"}, "time_zone": "Europe/Lisbon"}).want(http.StatusOK).decode(&v)
	admin.do("GET", base+"/preferences", nil).want(http.StatusOK).decode(&v)
	if v.PersonaID != ana || v.Own.Channels["email"] || v.Own.QuietHours == nil || v.Own.TimeZone != "Europe/Lisbon" || v.Effective.Order[0] != "sms" {
		t.Errorf("preferences %+v", v)
	}
	if granted, ok := v.Consent["channel:email"]; !ok || granted {
		t.Errorf("switching email off is not in the ledger: %v", v.Consent)
	}
	admin.do("PUT", base+"/preferences", map[string]any{"time_zone": "Nowhere/City"}).wantProblem(http.StatusUnprocessableEntity, "validation")

	admin.do("PUT", base+"/momentary", map[string]any{"momentary": map[string]any{"state": "meeting", "allow_channels": []string{"sms"},
		"until": "2099-01-01T18:00:00Z"}}).want(http.StatusOK).decode(&v)
	if v.Own.Momentary == nil || v.Own.Momentary.State != "meeting" {
		t.Errorf("momentary %+v", v.Own.Momentary)
	}
	var cleared notify.PreferenceView // fresh: decoding keeps what the JSON leaves out
	admin.do("PUT", base+"/momentary", map[string]any{"momentary": nil}).want(http.StatusOK).decode(&cleared)
	if cleared.Own.Momentary != nil {
		t.Errorf("momentary not cleared: %+v", cleared.Own.Momentary)
	}

	var rec consent.Record
	admin.do("POST", base+"/consent", map[string]any{"scope": "category:marketing", "granted": true, "note": "Said yes on the phone."}).
		want(http.StatusCreated).decode(&rec)
	if rec.Source != consent.SourceAgent || rec.Actor != "user:"+w.A.Admin.ID || rec.Note != "Said yes on the phone." {
		t.Errorf("record %+v", rec)
	}
	admin.do("POST", base+"/consent", map[string]any{"scope": "everything", "granted": true}).wantProblem(http.StatusUnprocessableEntity, "validation")
	key := keyClient(t, w.A.admin, "conversations:write")
	key.in(t).do("POST", base+"/consent", map[string]any{"scope": "channel:sms", "granted": false}).want(http.StatusCreated).decode(&rec)
	if rec.Source != consent.SourceAPI || !strings.HasPrefix(rec.Actor, "apikey:") {
		t.Errorf("record by API key %+v", rec)
	}

	var ledger struct{ Items []consent.Record }
	admin.do("GET", base+"/consent", nil).want(http.StatusOK).decode(&ledger)
	n := len(ledger.Items)
	if n < 3 {
		t.Fatalf("ledger %+v", ledger.Items)
	}
	var x consent.Exported
	res := admin.do("GET", base+"/consent/export", nil).want(http.StatusOK)
	res.decode(&x)
	if !x.Verified || len(x.Records) != n || x.Head != ledger.Items[n-1].Hash || x.PersonaID != ana {
		t.Errorf("export %+v", x)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}

	// Agents may not erase; admins may. The ledger outlives the persona,
	// closed by the tombstone, and still verifies.
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
	agent.do("DELETE", base, nil).wantProblem(http.StatusForbidden, "forbidden")
	admin.do("DELETE", base, nil).want(http.StatusNoContent)
	admin.do("GET", base, nil).wantProblem(http.StatusNotFound, "not-found")
	admin.do("GET", base+"/preferences", nil).wantProblem(http.StatusNotFound, "not-found")
	x = consent.Exported{}
	admin.do("GET", base+"/consent/export", nil).want(http.StatusOK).decode(&x)
	last := x.Records[len(x.Records)-1]
	if !x.Verified || last.Source != consent.SourceErasure || last.Granted {
		t.Errorf("export after erasure: verified %v, last %+v (%s)", x.Verified, last, x.Error)
	}
	for _, r := range x.Records {
		if r.Note != "" {
			t.Errorf("a note survived erasure: %+v", r)
		}
	}
	admin.do("POST", base+"/consent", map[string]any{"scope": "all", "granted": true}).wantProblem(http.StatusNotFound, "not-found")
	admin.do("DELETE", base, nil).wantProblem(http.StatusNotFound, "not-found")
}
