package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// sandboxMessageFixture keeps a mail with HTML in the tenant's sandbox outbox.
func sandboxMessageFixture(f *fixtures) string {
	id, err := f.w.db.CaptureSandbox(context.Background(), store.SandboxMessage{ID: ids.New(), TenantID: f.tf.Tenant.ID, Kind: "email",
		From: "help@" + f.tf.Tenant.Slug + ".example", To: "kim@example.com", Subject: "Fixture", Body: "Hello", BodyHTML: "<p>Hello</p>",
		Ref: ids.New(), CreatedAt: time.Now()})
	if err != nil {
		f.t.Fatalf("sandbox message fixture: %v", err)
	}
	return id
}

// toSandbox puts a tenant back in the sandbox, as a new workspace starts.
func (n *node) toSandbox(t *testing.T, tenantID string) {
	t.Helper()
	if _, err := n.db.SQL().ExecContext(context.Background(), `UPDATE tenants SET sandbox = TRUE WHERE id = $1`, tenantID); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			w.toSandbox(t, w.A.Tenant.ID)
			a, b := w.A.admin.in(t), w.B.admin.in(t)

			var st sandboxStatus
			a.do("GET", "/api/v1/sandbox", nil).want(http.StatusOK).decode(&st)
			if !st.Sandbox || st.CopyOf != nil {
				t.Fatalf("A's sandbox status %+v", st)
			}

			// A webhook pinged from the sandbox is kept, and the receiver hears nothing.
			var hits atomic.Int32
			recv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				rw.WriteHeader(http.StatusNoContent)
			}))
			defer recv.Close()
			var hook struct{ ID string }
			a.do("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL + "/hook", "event_types": []string{"webhook.ping"}}).
				want(http.StatusCreated).decode(&hook)
			a.do("POST", "/api/v1/webhooks/"+hook.ID+"/ping", nil).want(http.StatusAccepted)
			var page struct {
				Items []keptMessage `json:"items"`
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(page.Items) == 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond) // the delivery job runs in the background
				a.do("GET", "/api/v1/sandbox/outbox", nil).want(http.StatusOK).decode(&page)
			}
			if len(page.Items) != 1 || page.Items[0].Kind != "webhook" || page.Items[0].To != recv.URL+"/hook" {
				t.Fatalf("A's sandbox outbox %+v, want the ping", page.Items)
			}
			if hits.Load() != 0 {
				t.Fatalf("the receiver got %d requests from a sandbox workspace", hits.Load())
			}
			var kept store.SandboxMessage
			a.do("GET", "/api/v1/sandbox/outbox/"+page.Items[0].ID, nil).want(http.StatusOK).decode(&kept)
			if !strings.Contains(kept.Body, "webhook.ping") || kept.Detail["endpoint_id"] != hook.ID {
				t.Errorf("kept ping %+v", kept)
			}
			b.do("GET", "/api/v1/sandbox/outbox/"+page.Items[0].ID, nil).wantProblem(http.StatusNotFound, "not-found")
			var bPage struct {
				Items []keptMessage `json:"items"`
			}
			b.do("GET", "/api/v1/sandbox/outbox", nil).want(http.StatusOK).decode(&bPage)
			if len(bPage.Items) != 0 {
				t.Errorf("B sees %d of A's kept messages", len(bPage.Items))
			}
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
			agent.in(t).do("GET", "/api/v1/sandbox/outbox", nil).wantProblem(http.StatusForbidden, "")
			agent.in(t).do("POST", "/api/v1/sandbox/go-live", nil).wantProblem(http.StatusForbidden, "")

			// A simulated customer comes in through the inbox, marked.
			var sim simulated
			a.do("POST", "/api/v1/sandbox/simulate", map[string]any{"channel": "email", "from": "kim@example.com", "name": "Kim",
				"subject": "Invoice", "body": "Where is my invoice?"}).want(http.StatusCreated).decode(&sim)
			var msgs struct {
				Items []struct {
					ID   string         `json:"id"`
					Meta map[string]any `json:"meta"`
				} `json:"items"`
			}
			a.do("GET", "/api/v1/conversations/"+sim.ConversationID+"/messages", nil).want(http.StatusOK).decode(&msgs)
			if len(msgs.Items) != 1 || msgs.Items[0].Meta["simulated"] != true {
				t.Errorf("simulated conversation's messages %+v", msgs.Items)
			}
			b.do("GET", "/api/v1/conversations/"+sim.ConversationID, nil).wantProblem(http.StatusNotFound, "not-found")
			p := a.do("POST", "/api/v1/sandbox/simulate", map[string]any{"channel": "fax", "body": "x"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "channel" {
				t.Errorf("unknown channel: %+v", p)
			}

			// Going live is refused with what fails, then done once it passes.
			p = a.do("POST", "/api/v1/sandbox/go-live", nil).wantProblem(http.StatusUnprocessableEntity, "not-ready")
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			if strings.Join(fields, ",") != "channels,queue" { // the agent seeded above counts
				t.Errorf("go-live refused naming %v, want channels and queue", fields)
			}
			a.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "loop", "address": "desk-a"}).want(http.StatusCreated)
			a.do("POST", "/api/v1/queues", map[string]any{"name": "Front desk"}).want(http.StatusCreated)
			var list struct {
				Ready bool `json:"ready"`
			}
			a.do("GET", "/api/v1/sandbox/checklist", nil).want(http.StatusOK).decode(&list)
			if !list.Ready {
				t.Fatal("checklist not ready with a channel, a queue and an agent")
			}
			a.do("POST", "/api/v1/sandbox/go-live", nil).want(http.StatusOK)
			a.do("POST", "/api/v1/sandbox/go-live", nil).wantProblem(http.StatusConflict, "sandbox-state")
			a.do("POST", "/api/v1/sandbox/simulate", map[string]any{"channel": "email", "from": "x@example.com", "body": "x"}).
				wantProblem(http.StatusConflict, "sandbox-state")
			var audit struct {
				Items []tenant.AuditEntry `json:"items"`
			}
			a.do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&audit)
			if len(audit.Items) == 0 || audit.Items[0].Action != "tenant.go_live" || audit.Items[0].ActorID != w.A.Admin.ID {
				t.Errorf("newest audit entry %+v, want A's admin going live", audit.Items[:min(1, len(audit.Items))])
			}

			// Live now, the next ping reaches the receiver.
			a.do("POST", "/api/v1/webhooks/"+hook.ID+"/ping", nil).want(http.StatusAccepted)
			for hits.Load() == 0 && time.Now().Before(deadline.Add(10*time.Second)) {
				time.Sleep(50 * time.Millisecond)
			}
			if hits.Load() != 1 {
				t.Errorf("live, the receiver got %d pings, want 1", hits.Load())
			}

			// A live workspace opens a sandbox copy; the copy knows its original.
			var cp struct {
				Tenant tenant.Tenant  `json:"tenant"`
				Copied map[string]int `json:"copied"`
			}
			a.do("POST", "/api/v1/sandbox/copies", nil).want(http.StatusCreated).decode(&cp)
			if !cp.Tenant.Sandbox || cp.Tenant.Slug != "tenant-a-sandbox" || cp.Copied["routing_queues"] != 1 || cp.Copied["users"] != 2 {
				t.Errorf("copy %+v", cp)
			}
			a.do("GET", "/api/v1/sandbox", nil).want(http.StatusOK).decode(&st)
			if st.Sandbox || len(st.Copies) != 1 || st.Copies[0].TenantID != cp.Tenant.ID {
				t.Errorf("A's status after the copy %+v", st)
			}
			b.do("GET", "/api/v1/sandbox", nil).want(http.StatusOK).decode(&st)
			if len(st.Copies) != 0 {
				t.Errorf("B sees A's copies: %+v", st.Copies)
			}
			copyAdmin, err := w.db.UserByEmail(context.Background(), cp.Tenant.ID, w.A.Admin.Email)
			if err != nil {
				t.Fatal(err)
			}
			inCopy := w.sessionClient(t, copyAdmin).in(t)
			inCopy.do("GET", "/api/v1/sandbox", nil).want(http.StatusOK).decode(&st)
			if !st.Sandbox || st.CopyOf == nil || st.CopyOf.SourceID != w.A.Tenant.ID {
				t.Errorf("the copy's status %+v", st)
			}
			var convs struct {
				Items []any `json:"items"`
			}
			inCopy.do("GET", "/api/v1/conversations", nil).want(http.StatusOK).decode(&convs)
			if len(convs.Items) != 0 {
				t.Errorf("the copy holds %d conversations, want none", len(convs.Items))
			}
			inCopy.do("POST", "/api/v1/sandbox/copies", nil).wantProblem(http.StatusConflict, "sandbox-state")
			inCopy.do("POST", "/api/v1/sandbox/go-live", nil).wantProblem(http.StatusConflict, "sandbox-state")
		})
	}
}
