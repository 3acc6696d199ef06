package httpapi

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// isOperatorRoute reports whether key ("GET /api/operator/v1/…") is in the
// operator API's table, which is served beside the tenants' one.
func isOperatorRoute(key string) bool {
	for _, rt := range (&API{}).operatorRoutes() {
		if rt.method+" "+rt.pattern == key {
			return true
		}
	}
	return false
}

// TestOpenAPICoversOperatorRoutes checks every operator route is documented.
func TestOpenAPICoversOperatorRoutes(t *testing.T) {
	doc := specDoc(t)
	for _, rt := range (&API{}).operatorRoutes() {
		if specOperation(doc, rt.method, rt.pattern) == nil {
			t.Errorf("%s %s is routed but not in openapi.yaml", rt.method, rt.pattern)
		}
	}
}

// operatorClient makes an operator and returns a client bearing their token.
func (n *node) operatorClient(t *testing.T, name string) (*client, string) {
	t.Helper()
	o, token, err := n.operator.Create(context.Background(), name)
	if err != nil {
		t.Fatalf("create operator: %v", err)
	}
	c := n.anonymous(t, "operator:"+name)
	c.bearer = token
	return c, o.ID
}

// operatorPath fills an operator route's pattern with tenant id.
func operatorPath(pattern, tenantID string) string {
	return strings.ReplaceAll(pattern, "{tenantID}", tenantID)
}

// TestOperatorAPIRefusesTenantCredentials: no tenant credential opens the
// operator API — not an admin's session, not an admin-scoped API key, not
// an admin's session token presented as a bearer — and a revoked operator's
// token is refused too. An operator's token opens it.
func TestOperatorAPIRefusesTenantCredentials(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			key := keyClient(t, admin, "admin")
			ops, _ := w.operatorClient(t, "Olga")
			gone, goneID := w.operatorClient(t, "Gone")
			if err := w.operator.Revoke(context.Background(), goneID); err != nil {
				t.Fatal(err)
			}
			// The admin's session cookie, presented as a bearer token.
			base, _ := url.Parse(w.srv.URL)
			var sessionToken string
			for _, c := range admin.http.Jar.Cookies(base) {
				if c.Name == sessionCookie {
					sessionToken = c.Value
				}
			}
			asBearer := w.anonymous(t, "session-as-bearer")
			asBearer.bearer = sessionToken
			for _, rt := range (&API{}).operatorRoutes() {
				if rt.public {
					continue
				}
				path := operatorPath(rt.pattern, w.A.Tenant.ID)
				var body any
				switch {
				case strings.HasSuffix(rt.pattern, "/suspend"), strings.HasSuffix(rt.pattern, "/resume"):
					body = map[string]string{"reason": "test"}
				case strings.HasSuffix(rt.pattern, "/limits"):
					body = map[string]any{"agents": 5}
				case rt.method == "POST":
					body = map[string]any{"slug": "never-made", "name": "Never", "admin_email": "x@never.example"}
				}
				for _, c := range []*client{w.anonymous(t, "nobody"), admin, key, asBearer, gone} {
					c.in(t).do(rt.method, path, body, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")
				}
				if rt.method == "GET" {
					ops.in(t).do(rt.method, path, nil).want(http.StatusOK)
				}
			}
			// Nothing the refused calls asked for happened.
			if _, err := w.db.TenantBySlug(context.Background(), "never-made"); err == nil {
				t.Error("a tenant credential created a tenant through the operator API")
			}
			if sp, _ := w.db.Suspension(context.Background(), w.A.Tenant.ID); sp.Suspended() {
				t.Error("a tenant credential suspended a tenant")
			}
			// Signing in to the console takes an operator token, not a tenant's key.
			w.anonymous(t, "console").do("POST", "/api/operator/v1/session", map[string]string{"token": key.bearer}).
				wantProblem(http.StatusUnauthorized, "unauthenticated")
			console := w.anonymous(t, "console")
			console.do("POST", "/api/operator/v1/session", map[string]string{"token": ops.bearer}).want(http.StatusOK)
			console.do("GET", "/api/operator/v1/tenants", nil).want(http.StatusOK)
			console.do("DELETE", "/api/operator/v1/session", nil).want(http.StatusNoContent)
			console.do("GET", "/api/operator/v1/tenants", nil, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")
		})
	}
}

type operatorTenant struct {
	Tenant     tenant.Tenant      `json:"tenant"`
	State      string             `json:"state"`
	Suspension *tenant.Suspension `json:"suspension"`
	Limits     plan.Limits        `json:"limits"`
	Usage      plan.Usage         `json:"usage"`
	Warnings   []plan.Warning     `json:"warnings"`
}

// TestOperatorSuspendResume: a suspended tenant's people are refused with
// the reason — at sign-in, on their open sessions, with their API keys —
// other tenants are untouched, and both changes are in the tenant's audit log.
func TestOperatorSuspendResume(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			key := keyClient(t, admin, "read")
			ops, opID := w.operatorClient(t, "Olga")
			ops = ops.in(t)
			tid := w.A.Tenant.ID
			ops.do("POST", "/api/operator/v1/tenants/"+tid+"/suspend", map[string]string{"reason": "  "}).
				wantProblem(http.StatusUnprocessableEntity, "validation")
			ops.do("POST", "/api/operator/v1/tenants/01a24adb-0000-7000-8000-000000000000/suspend", map[string]string{"reason": "x"}).
				wantProblem(http.StatusNotFound, "not-found")
			const reason = "The invoice of November is unpaid; write to billing@example.net"
			var v operatorTenant
			ops.do("POST", "/api/operator/v1/tenants/"+tid+"/suspend", map[string]string{"reason": reason}).want(http.StatusOK).decode(&v)
			if v.State != "suspended" || v.Suspension == nil || v.Suspension.Reason != reason || v.Suspension.By != opID {
				t.Fatalf("after suspend: %+v", v)
			}
			for _, c := range []*client{admin, key} {
				p := c.do("GET", "/api/v1/me", nil).wantProblem(http.StatusForbidden, "workspace-suspended")
				if !strings.Contains(p.Detail, reason) {
					t.Errorf("%s is not told why: %q", c.name, p.Detail)
				}
			}
			// Signing in with the right password says why, and leaves no session.
			seeded := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			login := w.anonymous(t, "login")
			p := login.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "email": seeded.Email, "password": testPassword}).
				wantProblem(http.StatusForbidden, "workspace-suspended")
			if !strings.Contains(p.Detail, reason) {
				t.Errorf("sign-in does not say why: %q", p.Detail)
			}
			login.do("GET", "/api/v1/me", nil, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")
			// A wrong password learns nothing about the suspension.
			w.anonymous(t, "guess").do("POST", "/api/v1/auth/login", map[string]string{"tenant": "tenant-a", "email": seeded.Email, "password": "wrong password"}).
				wantProblem(http.StatusUnauthorized, "bad-credentials")
			// Another tenant is untouched.
			w.B.admin.in(t).do("GET", "/api/v1/me", nil).want(http.StatusOK)

			ops.do("POST", "/api/operator/v1/tenants/"+tid+"/resume", map[string]string{"reason": "paid"}).want(http.StatusOK).decode(&v)
			if v.State != "sandbox" && v.State != "live" || v.Suspension != nil {
				t.Fatalf("after resume: %+v", v)
			}
			admin.do("GET", "/api/v1/me", nil).want(http.StatusOK)
			w.login(t, "tenant-a", seeded.Email, testPassword)
			var audit struct{ Items []tenant.AuditEntry }
			admin.do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&audit)
			var actions []string
			for _, a := range audit.Items {
				if a.ActorType == "operator" && a.ActorID == opID {
					actions = append(actions, a.Action)
				}
			}
			if strings.Join(actions, ",") != "tenant.resume,tenant.suspend" {
				t.Errorf("operator actions in the audit log: %v", actions)
			}
			var bAudit struct{ Items []tenant.AuditEntry }
			w.B.admin.in(t).do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&bAudit)
			for _, a := range bAudit.Items {
				if a.ActorType == "operator" {
					t.Errorf("tenant B's log has A's suspension: %+v", a)
				}
			}
		})
	}
}

// TestPlanLimits: each limit refuses, with 402 naming it, what would pass
// it; 80 % gives one warning a month (an event the admin reads), shown in
// the admin's plan and the operator's console.
func TestPlanLimits(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			ops, _ := w.operatorClient(t, "Olga")
			ops = ops.in(t)
			tid := w.A.Tenant.ID
			ops.do("PUT", "/api/operator/v1/tenants/"+tid+"/limits", map[string]any{"agents": -1}, outsideSpec).
				wantProblem(http.StatusUnprocessableEntity, "validation")
			ops.do("PUT", "/api/operator/v1/tenants/"+tid+"/limits", map[string]any{"agents": 3, "notices_per_month": 0, "storage_bytes": 100}).
				want(http.StatusOK)

			newUser := func(email string) *response {
				return admin.do("POST", "/api/v1/users", map[string]any{"email": email, "name": "N", "role": "agent", "password": "a long enough password"})
			}
			newUser("two@tenant-a.example").want(http.StatusCreated)
			var pl struct{ Warnings []plan.Warning }
			admin.do("GET", "/api/v1/plan", nil).want(http.StatusOK).decode(&pl)
			if len(pl.Warnings) != 0 { // 2 of 3 is 66 %
				t.Fatalf("warned at 2 of 3: %+v", pl.Warnings)
			}
			var three struct{ ID string }
			newUser("three@tenant-a.example").want(http.StatusCreated).decode(&three)
			p := newUser("four@tenant-a.example").wantProblem(http.StatusPaymentRequired, "plan-limit")
			if len(p.Errors) != 1 || p.Errors[0].Field != plan.Agents || !strings.Contains(p.Detail, "agents limit is 3") {
				t.Errorf("refusal does not name the limit: %+v", p)
			}
			// An invitation is a seat promised: refused at the limit too.
			admin.do("POST", "/api/v1/invitations", map[string]string{"email": "five@tenant-a.example", "role": "agent"}).
				wantProblem(http.StatusPaymentRequired, "plan-limit")
			// Disabling frees a seat; enabling again past the limit is refused.
			admin.do("PATCH", "/api/v1/users/"+three.ID, map[string]any{"disabled": true}).want(http.StatusOK)
			newUser("four@tenant-a.example").want(http.StatusCreated)
			admin.do("PATCH", "/api/v1/users/"+three.ID, map[string]any{"disabled": false}).wantProblem(http.StatusPaymentRequired, "plan-limit")

			admin.do("GET", "/api/v1/plan", nil).want(http.StatusOK).decode(&pl)
			if len(pl.Warnings) != 1 || pl.Warnings[0] != (plan.Warning{Limit: plan.Agents, Used: 3, Cap: 3}) {
				t.Errorf("plan warnings: %+v", pl.Warnings)
			}
			var v operatorTenant
			ops.do("GET", "/api/operator/v1/tenants/"+tid, nil).want(http.StatusOK).decode(&v)
			if len(v.Warnings) != 1 || v.Warnings[0].Limit != plan.Agents {
				t.Errorf("console warnings: %+v", v.Warnings)
			}
			// The warning is an event, given once although 80 % was reached twice.
			evs, err := w.db.EventsSince(context.Background(), tid, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			warned := 0
			for _, ev := range evs {
				if ev.Type == event.PlanLimitWarning {
					warned++
				}
			}
			if warned != 1 {
				t.Errorf("%d plan.limit_warning events, want 1", warned)
			}

			// Notices: a limit of 0 refuses every raise.
			p = admin.do("POST", "/api/v1/notifications/events", map[string]any{"type": "statement", "to": map[string]string{"email": "ana@example.com"}}).
				wantProblem(http.StatusPaymentRequired, "plan-limit")
			if len(p.Errors) != 1 || p.Errors[0].Field != plan.NoticesPerMonth {
				t.Errorf("notices refusal: %+v", p)
			}
			// Storage: an upload that would pass 100 bytes is refused; a small one is kept.
			upload := func(n int) *response {
				return admin.do("POST", uploadPath, multipartFile(t, "file", "a.txt", []byte(strings.Repeat("x", n))))
			}
			upload(60).want(http.StatusCreated)
			p = upload(60).wantProblem(http.StatusPaymentRequired, "plan-limit")
			if len(p.Errors) != 1 || p.Errors[0].Field != plan.StorageBytes {
				t.Errorf("storage refusal: %+v", p)
			}
			// Tenant B sees its own plan, not A's; an agent does not see the plan.
			var bPlan struct {
				Limits   plan.Limits
				Usage    plan.Usage
				Warnings []plan.Warning
			}
			w.B.admin.in(t).do("GET", "/api/v1/plan", nil).want(http.StatusOK).decode(&bPlan)
			if bPlan.Limits != (plan.Limits{}) || len(bPlan.Warnings) != 0 || bPlan.Usage.TenantID != w.B.Tenant.ID || bPlan.Usage.Agents != 1 {
				t.Errorf("tenant B's plan: %+v", bPlan)
			}
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)).in(t)
			agent.do("GET", "/api/v1/plan", nil).wantProblem(http.StatusForbidden, "forbidden")
			ops.do("GET", "/api/operator/v1/tenants/01a24adb-0000-7000-8000-000000000000", nil).wantProblem(http.StatusNotFound, "not-found")
			// Tenant B has no limits and is not held by A's.
			w.B.admin.in(t).do("POST", "/api/v1/users", map[string]any{"email": "x@tenant-b.example", "name": "N", "role": "agent", "password": "a long enough password"}).
				want(http.StatusCreated)
		})
	}
}

// TestOperatorUsageExport: the usage a scripted bit of traffic made, as JSON
// and CSV, per tenant and for all; another tenant's traffic is not counted.
func TestOperatorUsageExport(t *testing.T) {
	w := newWorld(t)
	ops, _ := w.operatorClient(t, "Olga")
	c1 := w.contactOn(t, w.A.Tenant.ID, "c1", "first").Conversation.ID
	w.contactOn(t, w.A.Tenant.ID, "c1", "second, same conversation")
	w.contactOn(t, w.A.Tenant.ID, "c2", "third")
	w.contactOn(t, w.B.Tenant.ID, "b1", "B's")
	w.A.admin.in(t).do("POST", "/api/v1/conversations/"+c1+"/messages", map[string]any{"body": "a reply"}).want(http.StatusCreated)

	month := plan.MonthOf(time.Now()).String()
	var u plan.Usage
	ops.do("GET", "/api/operator/v1/tenants/"+w.A.Tenant.ID+"/usage?month="+month, nil).want(http.StatusOK).decode(&u)
	want := plan.Usage{TenantID: w.A.Tenant.ID, Slug: "tenant-a", Month: month, Conversations: 2,
		Messages: []plan.ChannelMessages{{Channel: "api", Inbound: 3, Outbound: 1}}, AgentsActive: 1, Agents: 1,
		StorageBytes: int64(len("first") + len("second, same conversation") + len("third") + len("a reply"))}
	if !reflect.DeepEqual(u, want) {
		t.Fatalf("usage:\n got %+v\nwant %+v", u, want)
	}
	r := ops.do("GET", "/api/operator/v1/usage?format=csv&month="+month, nil).want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		got[row[1]+" "+row[3]+" "+row[4]] = row[5]
	}
	for k, v := range map[string]string{"tenant-a conversations ": "2", "tenant-a messages_inbound api": "3", "tenant-a messages_outbound api": "1",
		"tenant-a agents_active ": "1", "tenant-b conversations ": "1", "tenant-b messages_inbound api": "1", "tenant-b agents_active ": "0"} {
		if got[k] != v {
			t.Errorf("CSV %s = %q, want %s", k, got[k], v)
		}
	}
	var last plan.Usage
	ops.do("GET", "/api/operator/v1/tenants/"+w.A.Tenant.ID+"/usage?month="+plan.MonthOf(time.Now().AddDate(0, -1, 0)).String(), nil).
		want(http.StatusOK).decode(&last)
	if last.Conversations != 0 || len(last.Messages) != 0 {
		t.Errorf("last month: %+v", last)
	}
	ops.do("GET", "/api/operator/v1/usage?month=2026-13", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
	ops.do("GET", "/api/operator/v1/usage?format=xml", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
}

// TestSuspendedRepliesAreHeld: a reply made while its tenant is suspended
// (by anything that still can, such as a rule) is not handed to its channel
// — it stays queued, its try unused — and is sent after the resume; another
// tenant's reply goes at once meanwhile.
func TestSuspendedRepliesAreHeld(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ops, _ := w.operatorClient(t, "Olga")
	a := w.ingest(t, w.A.Tenant.ID, "ana", "hello").Conversation.ID
	b := w.ingest(t, w.B.Tenant.ID, "bob", "hello").Conversation.ID
	ops.do("POST", "/api/operator/v1/tenants/"+w.A.Tenant.ID+"/suspend", map[string]string{"reason": "unpaid"}).want(http.StatusOK)

	held, err := w.inbox.Reply(ctx, inbox.Actor{TenantID: w.A.Tenant.ID, UserID: w.A.Admin.ID}, a, inbox.ReplyInput{Body: "held"})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := w.inbox.Reply(ctx, inbox.Actor{TenantID: w.B.Tenant.ID, UserID: w.B.Admin.ID}, b, inbox.ReplyInput{Body: "goes"})
	if err != nil {
		t.Fatal(err)
	}
	status := func(tenantID, id string) string {
		m, err := w.db.Message(ctx, tenantID, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Status
	}
	waitUntil(t, 10*time.Second, "B's reply to be sent", func() bool { return status(w.B.Tenant.ID, sent.ID) == conversation.DeliverySent })
	if s := status(w.A.Tenant.ID, held.ID); s != conversation.DeliveryQueued {
		t.Fatalf("the suspended tenant's reply is %q, want still queued", s)
	}
	// Held is not failed: the channel was never tried, so its health says nothing.
	time.Sleep(500 * time.Millisecond) // A's delivery job has run by now (it ran beside B's)
	records, err := w.db.SendRecords(ctx, w.A.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if r.Failures > 0 {
			t.Fatalf("a held reply counted as a failure of %s: %+v", r.Channel, r)
		}
	}
	ops.do("POST", "/api/operator/v1/tenants/"+w.A.Tenant.ID+"/resume", map[string]string{"reason": "paid"}).want(http.StatusOK)
	waitUntil(t, inbox.HeldRetry+10*time.Second, "the held reply to be sent after the resume", func() bool {
		return status(w.A.Tenant.ID, held.ID) == conversation.DeliverySent
	})
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
