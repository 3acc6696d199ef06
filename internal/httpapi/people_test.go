package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestPeopleSearch: an agent finds a customer by name (accents ignored),
// email, phone however written and reference — as a customer and through
// their conversations — and merges two; another tenant finds, reads and
// merges none of them.
func TestPeopleSearch(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ctx := context.Background()
			ingest := func(from persona.Identifier, name, body string) inbox.Ingested {
				t.Helper()
				res, err := w.inbox.Ingest(ctx, inbox.Inbound{TenantID: w.A.Tenant.ID, Channel: "loop", From: from, FromName: name, Body: body})
				if err != nil {
					t.Fatalf("ingest: %v", err)
				}
				return res
			}
			zoe := ingest(persona.Identifier{Kind: persona.KindEmail, Value: "zoe.mueller@example.com", Verified: true, VerifiedBy: persona.MethodMailFromMailbox},
				"Zoë Müller", "Is my card blocked?")
			priya := ingest(persona.Identifier{Kind: persona.KindExternal, Value: "crm-1042"}, "Priya Nair", "Statement question")
			if _, err := w.inbox.AddIdentifier(ctx, inbox.Actor{TenantID: w.A.Tenant.ID}, priya.Persona.ID,
				persona.Identifier{Kind: persona.KindPhone, Value: "+4915112345678"}); err != nil {
				t.Fatal(err)
			}
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)).in(t)

			type people struct {
				Items []struct {
					ID, Name    string
					Identifiers []struct {
						Kind, Value string
						Verified    bool
					}
				}
			}
			find := func(c *client, q string) []string {
				t.Helper()
				var got people
				c.do("GET", "/api/v1/personas?q="+url.QueryEscape(q), nil).want(http.StatusOK).decode(&got)
				var names []string
				for _, p := range got.Items {
					names = append(names, p.Name)
				}
				return names
			}
			for q, want := range map[string]string{
				"zoe": "Zoë Müller", "Zoë": "Zoë Müller", "ZOE.MUELLER@EXAMPLE.COM": "Zoë Müller",
				"priya": "Priya Nair", "crm-1042": "Priya Nair", "+49 151 1234-5678": "Priya Nair", "0151 12345678": "Priya Nair",
			} {
				if got := find(agent, q); !slices.Equal(got, []string{want}) {
					t.Errorf("agent searching people for %q finds %v, want %s", q, got, want)
				}
			}
			var one people
			agent.do("GET", "/api/v1/personas?q=zoe", nil).want(http.StatusOK).decode(&one)
			if len(one.Items) != 1 || len(one.Items[0].Identifiers) != 1 || !one.Items[0].Identifiers[0].Verified {
				t.Fatalf("a found customer's identifiers with their proof: %+v", one.Items)
			}
			agent.do("GET", "/api/v1/personas?q=zoe&cursor=MDE", nil).wantProblem(http.StatusBadRequest, "bad-parameter")

			// Conversations by their customer, whatever their state or assignee.
			convs := func(c *client, q string) []string {
				t.Helper()
				var got struct{ Items []struct{ ID string } }
				c.do("GET", "/api/v1/conversations?status=&q="+url.QueryEscape(q), nil).want(http.StatusOK).decode(&got)
				var ids []string
				for _, c := range got.Items {
					ids = append(ids, c.ID)
				}
				return ids
			}
			if got := convs(agent, "Zoë"); !slices.Equal(got, []string{zoe.Conversation.ID}) {
				t.Errorf("conversations for Zoë: %v, want %s", got, zoe.Conversation.ID)
			}
			if got := convs(agent, "priya"); !slices.Equal(got, []string{priya.Conversation.ID}) {
				t.Errorf("conversations for priya: %v, want %s", got, priya.Conversation.ID)
			}

			// Tenant B sees none of it.
			b := w.B.admin.in(t)
			if got := find(b, "zoe"); len(got) != 0 {
				t.Errorf("tenant B finds %v", got)
			}
			if got := convs(b, "zoe"); len(got) != 0 {
				t.Errorf("tenant B finds conversations %v", got)
			}
			var all people
			b.do("GET", "/api/v1/personas", nil).want(http.StatusOK).decode(&all)
			if len(all.Items) != 0 {
				t.Errorf("tenant B lists %+v", all.Items)
			}
			b.do("GET", "/api/v1/personas/"+zoe.Persona.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			b.do("POST", "/api/v1/personas/"+zoe.Persona.ID+"/merge", map[string]string{"merge_id": priya.Persona.ID}).wantProblem(http.StatusNotFound, "not-found")
			bOwn, err := w.inbox.Ingest(ctx, inbox.Inbound{TenantID: w.B.Tenant.ID, Channel: "loop", From: persona.Identifier{Kind: persona.KindExternal, Value: "b-1"}, Body: "hi"})
			if err != nil {
				t.Fatal(err)
			}
			b.do("POST", "/api/v1/personas/"+bOwn.Persona.ID+"/merge", map[string]string{"merge_id": zoe.Persona.ID}).wantProblem(http.StatusUnprocessableEntity, "validation")

			// The agent merges Priya into Zoë: one customer, both conversations, audited.
			agent.do("POST", "/api/v1/personas/"+zoe.Persona.ID+"/merge", map[string]string{"merge_id": priya.Persona.ID}).want(http.StatusCreated)
			// The unproven reference is a claim of the proven customer now: it
			// still finds her for an agent, but no longer finds her for a contact.
			if got := find(agent, "crm-1042"); !slices.Equal(got, []string{"Zoë Müller"}) {
				t.Errorf("after the merge the reference finds %v", got)
			}
			if got := find(agent, "priya"); len(got) != 0 {
				t.Errorf("after the merge the merged persona is still listed: %v", got)
			}
			if got := convs(agent, "zoe"); !slices.Equal(got, []string{priya.Conversation.ID, zoe.Conversation.ID}) {
				t.Errorf("Zoë's conversations after the merge: %v", got)
			}
			var log struct{ Items []struct{ Action string } }
			w.A.admin.in(t).do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&log)
			if len(log.Items) == 0 || log.Items[0].Action != "persona.merge" {
				t.Errorf("audit log %+v, want the merge first", log.Items)
			}
		})
	}
}
