package httpapi

import (
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/notify"
)

// What the notification tests and the isolation fixtures share.

// statementType is a transactional type on email with an English template
// that needs the event's month. It carries no link: a notice not sent yet
// renders with fresh links, and the isolation test compares B's notice twice.
func statementType(key string) map[string]any {
	return map[string]any{"key": key, "name": "Statement ready", "category": "transactional", "channels": []string{"email"},
		"send_time": "now", "default_language": "en",
		"templates": map[string]any{"en": map[string]any{"email": map[string]string{
			"subject": "Your {{.month}} statement", "body": "Hello {{.name}}, your {{.month}} statement is ready."}}}}
}

// notificationTypeFixture is a type whose key names the tenant, so that one
// tenant's key is not also the other's.
func notificationTypeFixture(f *fixtures) string {
	key := "statement_" + f.tf.Tenant.Slug
	f.tf.admin.in(f.t).do("POST", "/api/v1/notifications/types", statementType(key)).want(http.StatusCreated)
	return key
}

// raised is an event of the fixture type for the tenant's customer, who is
// given an email address for it.
func (f *fixtures) raised() notify.Raised {
	f.t.Helper()
	if f.event == nil {
		personaID := f.id("personaID", "")
		admin := f.tf.admin.in(f.t)
		admin.do("POST", "/api/v1/personas/"+personaID+"/identifiers",
			map[string]string{"kind": "email", "value": "customer@" + f.tf.Tenant.Slug + ".example"}).want(http.StatusOK)
		var r notify.Raised
		admin.do("POST", "/api/v1/notifications/events", map[string]any{"type": f.id("typeKey", ""),
			"to": map[string]string{"persona_id": personaID}, "data": map[string]string{"month": "May"}}).
			want(http.StatusAccepted).decode(&r)
		if len(r.Results) != 1 || r.Results[0].DeliveryID == "" {
			f.t.Fatalf("fixture event: %+v", r)
		}
		f.event = &r
	}
	return *f.event
}

// raise posts an event as c and returns the answer.
func raise(t *testing.T, c *client, body map[string]any, opts ...reqOpt) notify.Raised {
	t.Helper()
	var r notify.Raised
	c.in(t).do("POST", "/api/v1/notifications/events", body, opts...).want(http.StatusAccepted).decode(&r)
	return r
}
