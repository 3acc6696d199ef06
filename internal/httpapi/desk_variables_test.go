package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Issue 11, finding 1: a variable is filled in for the conversation on
// screen; one without a value (a visitor who gave no name) is named to the
// agent, and a reply that still carries one is refused with a 422 naming it
// and stores nothing. An escaped \{{…}} is sent as {{…}}. Another tenant's
// conversation is not found.
func TestVariablesPreviewAndReply(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			anaC := w.sessionClient(t, ana).in(t)
			named := w.contactOn(t, w.A.Tenant.ID, "c1", "hello").Conversation.ID
			res, err := w.inbox.Ingest(context.Background(), inbox.Inbound{TenantID: w.A.Tenant.ID, Channel: "api",
				From: persona.Identifier{Kind: persona.KindAPI, Value: "anon"}, Body: "hi"})
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			anon := res.Conversation.ID

			const bye = "Thank you for contacting {{business.name}}, {{customer.first_name}}. {{ conversation.id }}"
			type rendered struct {
				Body    string
				Unknown []string `json:"unknown_variables"`
			}
			for _, tc := range []struct {
				name, conv, body, want string
				unknown                []string
			}{
				{"named", named, bye, "Thank you for contacting Tenant tenant-a, Customer. " + named, []string{}},
				{"nameless", anon, bye, "Thank you for contacting Tenant tenant-a, {{customer.first_name}}. " + anon, []string{"customer.first_name"}},
				{"escaped", anon, `Use \{{customer.name}} and {{ two words }}`, `Use \{{customer.name}} and {{ two words }}`, []string{}},
				{"agent", anon, "{{agent.first_name}} <{{agent.email}}>", "User <ana@tenant-a.example>", []string{}},
			} {
				var out rendered
				anaC.do("POST", "/api/v1/conversations/"+tc.conv+"/preview", map[string]string{"body": tc.body}).want(http.StatusOK).decode(&out)
				if out.Body != tc.want || !slices.Equal(out.Unknown, tc.unknown) {
					t.Errorf("%s: preview %q %v, want %q %v", tc.name, out.Body, out.Unknown, tc.want, tc.unknown)
				}
			}
			w.B.admin.in(t).do("POST", "/api/v1/conversations/"+anon+"/preview", map[string]string{"body": bye}).wantProblem(http.StatusNotFound, "not-found")

			var vars struct{ Items []inbox.Variable }
			anaC.do("GET", "/api/v1/variables", nil).want(http.StatusOK).decode(&vars)
			if !slices.ContainsFunc(vars.Items, func(v inbox.Variable) bool { return v.Name == "customer.first_name" }) {
				t.Errorf("variables %+v lack customer.first_name", vars.Items)
			}

			// A reply still carrying a variable is refused, naming it; nothing is stored.
			before := timelineBodies(t, anaC, anon)
			for _, body := range []map[string]string{
				{"body": "Thank you, {{customer.first_name}}."},
				{"body": "Thanks", "body_html": "<p>Thanks {{ customer.name }}</p>"},
			} {
				p := anaC.do("POST", "/api/v1/conversations/"+anon+"/messages", body).wantProblem(http.StatusUnprocessableEntity, "validation")
				field := "body"
				if _, ok := body["body_html"]; ok {
					field = "body_html"
				}
				if len(p.Errors) != 1 || p.Errors[0].Field != field || !strings.Contains(p.Errors[0].Reason, "{{customer.") {
					t.Errorf("reply %v: problem %+v, want one error on %s naming the variable", body, p, field)
				}
			}
			if after := timelineBodies(t, anaC, anon); !slices.Equal(before, after) {
				t.Errorf("a refused reply changed the timeline: %q → %q", before, after)
			}
			// Escaped, it is text; any other {{ is text too.
			anaC.do("POST", "/api/v1/conversations/"+anon+"/messages", map[string]string{"body": `Type \{{customer.name}} in {{ a b }}`}).want(http.StatusCreated)
			if got := timelineBodies(t, anaC, anon); got[len(got)-1] != "Type {{customer.name}} in {{ a b }}" {
				t.Errorf("the escaped reply was stored as %q", got[len(got)-1])
			}
		})
	}
}

// A macro's reply with a variable the conversation has no value for is
// refused like a typed one, naming the action and the variable; nothing is sent.
func TestMacroReplyUnresolved(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			anaC := w.sessionClient(t, ana).in(t)
			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "refund please").Conversation.ID
			m := createdID(t, anaC, "/api/v1/macros", map[string]any{"name": "Order", "actions": []map[string]string{
				{"type": "reply", "value": "Your order {{order.id}} is on its way, {{customer.first_name}}."}}})
			before := timelineBodies(t, anaC, conv)
			p := anaC.do("POST", "/api/v1/conversations/"+conv+"/macros/"+m+"/run", nil).wantProblem(http.StatusUnprocessableEntity, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "actions[0]" || !strings.Contains(p.Errors[0].Reason, "{{order.id}}") {
				t.Errorf("problem %+v, want actions[0] naming {{order.id}}", p)
			}
			if after := timelineBodies(t, anaC, conv); !slices.Equal(before, after) {
				t.Errorf("the refused macro changed the timeline: %q → %q", before, after)
			}
		})
	}
}

// timelineBodies are the bodies of a conversation's timeline, oldest first.
func timelineBodies(t *testing.T, c *client, conv string) []string {
	t.Helper()
	var page struct {
		Items []struct{ Body string }
	}
	c.do("GET", "/api/v1/conversations/"+conv+"/messages?limit=100", nil).want(http.StatusOK).decode(&page)
	var out []string
	for _, m := range page.Items {
		out = append(out, m.Body)
	}
	return out
}
