package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Customer is a persona seeded with data in every place a customer's data
// can be, and the strings that identify it.
type Customer struct {
	PersonaID, ConversationID string
	Email, Phone, Claimed     string
	// Marker is a word found only in this customer's message and file.
	Marker string
}

// Marks are the strings a scan looks for once the customer is erased.
func (c Customer) Marks() []string {
	return []string{c.Email, c.Phone, c.Claimed, c.Marker}
}

// SeedCustomer creates a persona of the tenant (with a unique email, phone
// and marker built from tag) and puts its data where a real one's would be:
// identifiers and a claim, a conversation with a message and a file, tags,
// thread keys, routing work, an offer, a decision, an SLA clock, a callback,
// a notice with its steps, preferences, response hours, a push subscription,
// a portal session, a consent record, and the copies kept elsewhere — a
// realtime event, a webhook delivery with an attempt that echoed it, a stored
// idempotent response and an audit entry.
func SeedCustomer(t *testing.T, db *store.DB, tenantID, tag string) Customer {
	t.Helper()
	ctx := context.Background()
	c := Customer{Email: tag + ".customer@example.org", Phone: "+1555" + digits(tag),
		Claimed: tag + ".typed@example.net", Marker: "zq" + tag + "marker"}
	p := newPersona(t, db, tenantID, persona.Identifier{Kind: persona.KindEmail, Value: c.Email, Verified: true},
		persona.Identifier{Kind: persona.KindPhone, Value: c.Phone, Verified: true})
	c.PersonaID = p.ID
	must(t, "claim", db.AddClaim(ctx, tenantID, p.ID, persona.Identifier{Kind: persona.KindEmail, Value: c.Claimed}, t0))
	conv := newConversation(t, db, tenantID, p.ID, "email", conversation.StatusOpen)
	c.ConversationID = conv.ID
	att := conversation.Attachment{ID: ids.New(), Name: "statement.txt", ContentType: "text/plain", Size: 40}
	must(t, "attachment", db.InsertAttachment(ctx, tenantID, att, []byte("statement of "+c.Email+" "+c.Marker), t0))
	msg := conversation.Message{ID: ids.New(), TenantID: tenantID, ConversationID: conv.ID,
		Kind: conversation.KindMessage, Direction: conversation.Inbound, Channel: "email", AuthorType: "persona",
		AuthorID: p.ID, Body: "please call me on " + c.Phone + " " + c.Marker, Attachments: []conversation.Attachment{att},
		Status: "received", CreatedAt: t0, UpdatedAt: t0}
	must(t, "message", db.InsertMessage(ctx, msg))
	must(t, "tags", db.SetTags(ctx, tenantID, conv.ID, []string{"billing"}))
	must(t, "thread", db.AddThreadKey(ctx, tenantID, "email", "<"+c.Marker+"@mail.example.org>", conv.ID))
	work := store.WorkRecord{ID: ids.New(), TenantID: tenantID, ConversationID: conv.ID, Kind: "conversation", Modality: "email",
		State: "waiting", Data: []byte(`{}`), ArrivedAt: t0, UpdatedAt: t0}
	must(t, "work", db.InsertWork(ctx, work))
	must(t, "offer", db.InsertOffer(ctx, store.OfferRecord{ID: ids.New(), TenantID: tenantID, WorkID: work.ID, AgentID: "u1",
		State: "open", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
	must(t, "decision", db.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: tenantID, WorkID: work.ID,
		ConversationID: conv.ID, Kind: "queued", At: t0}))
	must(t, "sla", db.PutSLAClock(ctx, store.SLAClock{TenantID: tenantID, ConversationID: conv.ID, Target: "first_response",
		PolicyID: "pol", State: "running", Started: t0, Due: t0.Add(time.Hour)}))
	must(t, "callback", db.InsertCallback(ctx, store.CallbackRecord{ID: ids.New(), TenantID: tenantID, PersonaID: p.ID,
		Phone: c.Phone, State: "waiting", NotBefore: t0, CreatedAt: t0, UpdatedAt: t0}))
	ev := notice.Event{TenantID: tenantID, ID: ids.New(), Type: "card.blocked", Data: map[string]any{"email": c.Email}, Recipients: 1, CreatedAt: t0}
	must(t, "notify event", db.InsertNotifyEvent(ctx, ev))
	d := newDelivery(tenantID, ev.ID, p.ID)
	must(t, "delivery", db.InsertDeliveries(ctx, []notice.Delivery{d}))
	must(t, "step", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: tenantID, ID: d.ID, Status: notice.StatusSent,
		Body: "Your card was blocked " + c.Marker, Steps: []notice.Step{{At: t0, Status: notice.StatusSent}}, At: t0}}))
	must(t, "prefs", db.SetPersonaPrefs(ctx, tenantID, p.ID, prefs.Preferences{Retrieval: prefs.Web}, t0))
	must(t, "hours", db.AddResponseHour(ctx, tenantID, p.ID, 10))
	must(t, "push", db.AddPushSubscription(ctx, store.PushSubscription{TenantID: tenantID, ID: ids.New(), PersonaID: p.ID,
		Endpoint: "https://push.example/" + c.Marker, P256dh: "k", Auth: "a", CreatedAt: t0}))
	must(t, "portal session", db.CreatePortalSession(ctx, store.PortalSession{TokenHash: "h-" + p.ID, TenantID: tenantID,
		PersonaID: p.ID, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))
	appendConsent(t, db, tenantID, p.ID, "channel:sms", false, "asked by phone from "+c.Phone, t0)
	// Knowledge reuse: the conversation's past case keeps the customer's
	// words, and an agent searched with them.
	must(t, "knowledge case", db.PutKnowledgeCase(ctx, knowledge.Case{ID: ids.New(), TenantID: tenantID, ConversationID: conv.ID,
		CustomerText: "my card is lost " + c.Marker, ArticleIDs: []string{"art"}, ResolvedAt: t0, CreatedAt: t0, UpdatedAt: t0}))
	must(t, "knowledge search", db.AddKnowledgeSearch(ctx, knowledge.Search{ID: ids.New(), TenantID: tenantID, ConversationID: conv.ID,
		Query: "card of " + c.Email, At: t0}))
	SeedHelpTrail(t, db, tenantID, conv.ID, c.Marker) // what they searched and said in the help center
	SeedSwarmRoom(t, db, tenantID, conv.ID, c.Marker) // a swarm room about them: its question and messages

	// The copies: what the realtime feed, webhooks, idempotent replays and
	// the audit log kept of this customer.
	payload, _ := json.Marshal(map[string]any{"conversation_id": conv.ID, "persona": map[string]any{"id": p.ID,
		"identifiers": []string{c.Email, c.Phone}}, "body": msg.Body})
	_, err := db.InsertEvent(ctx, event.Event{ID: ids.New(), TenantID: tenantID, Type: "message.created", Data: payload, At: t0})
	must(t, "event", err)
	hook := store.WebhookEndpoint{ID: ids.New(), TenantID: tenantID, URL: "https://hooks.example.org/" + tag, SealedSecret: "s",
		EventTypes: []string{"message.created"}, Active: true, CreatedAt: t0, UpdatedAt: t0}
	must(t, "webhook", db.CreateWebhookEndpoint(ctx, tenantID, hook))
	wd := store.WebhookDelivery{ID: ids.New(), TenantID: tenantID, EndpointID: hook.ID, EventID: ids.New(), EventType: "message.created",
		Payload: payload, Status: "pending", CreatedAt: t0, UpdatedAt: t0}
	must(t, "webhook delivery", db.CreateWebhookDelivery(ctx, tenantID, wd))
	_, err = db.RecordWebhookAttempt(ctx, tenantID, wd.ID, store.WebhookAttempt{Attempt: 1, StartedAt: t0, Duration: time.Millisecond,
		StatusCode: 500, ResponseBody: "cannot store contact " + c.Email}, "retrying", t0.Add(time.Minute))
	must(t, "webhook attempt", err)
	// Another endpoint's delivery whose payload is only an id, but whose
	// receiver echoed the phone back.
	wd2 := store.WebhookDelivery{ID: ids.New(), TenantID: tenantID, EndpointID: hook.ID, EventID: ids.New(), EventType: "message.created",
		Payload: json.RawMessage(`{"ping":true}`), Status: "failed", CreatedAt: t0, UpdatedAt: t0}
	must(t, "webhook delivery 2", db.CreateWebhookDelivery(ctx, tenantID, wd2))
	_, err = db.RecordWebhookAttempt(ctx, tenantID, wd2.ID, store.WebhookAttempt{Attempt: 1, StartedAt: t0, Duration: time.Millisecond,
		StatusCode: 400, ResponseBody: "unknown number " + c.Phone}, "failed", time.Time{})
	must(t, "webhook attempt 2", err)
	// Stored responses are sealed: one names the records it shows in refs,
	// one was a portal customer's, owned by their address.
	for _, key := range []store.IdempotentRequest{
		{TenantID: tenantID, PrincipalID: "key:k1", Key: "create-" + tag, Refs: []string{msg.ID, conv.ID, p.ID}},
		{TenantID: tenantID, PrincipalID: "customer:" + c.Email, Key: "prefs-" + tag},
	} {
		key.Method, key.Path, key.RequestHash, key.CreatedAt = "POST", "/api/v1/channels/api/messages", "h", t0
		_, _, err = db.ClaimIdempotencyKey(ctx, key)
		must(t, "claim idempotency key", err)
		key.StatusCode, key.ContentType, key.ResponseBody = 201, "application/json", []byte("c2VhbGVk"+ids.New())
		must(t, "complete idempotency key", db.CompleteIdempotencyKey(ctx, key))
	}
	must(t, "audit", db.AppendAudit(ctx, tenant.AuditEntry{ID: ids.New(), TenantID: tenantID, ActorType: "user", ActorID: "u1",
		Action: "persona.update", TargetType: "persona", TargetID: p.ID, Detail: map[string]any{"phone": c.Phone}, CreatedAt: t0}))
	return c
}

// digits turns tag into seven digits, so each customer has its own number.
func digits(tag string) string {
	n := 0
	for _, r := range tag {
		n = (n*31 + int(r)) % 10000000
	}
	return fmt.Sprintf("%07d", n)
}

// Finding is a value that a scan found in a table's column.
type Finding struct{ Table, Column, Mark string }

func (f Finding) String() string { return f.Table + "." + f.Column + " holds " + f.Mark }

// Scan reads every row of every table in the database — the list comes from
// the engine's catalog, so tables added later are scanned too — and returns
// where any of marks occurs, in text or in binary columns (files).
func Scan(t *testing.T, db *store.DB, marks ...string) []Finding {
	t.Helper()
	ctx := context.Background()
	tables, err := db.Tables(ctx)
	must(t, "tables", err)
	var out []Finding
	for _, table := range tables {
		rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		cols, err := rows.Columns()
		must(t, "columns", err)
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		seen := map[Finding]bool{}
		for rows.Next() {
			must(t, "scan row", rows.Scan(ptrs...))
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				default:
					s = fmt.Sprint(v)
				}
				for _, m := range marks {
					if m != "" && strings.Contains(s, m) {
						seen[Finding{table, cols[i], m}] = true
					}
				}
			}
		}
		must(t, "rows", rows.Err())
		rows.Close()
		for f := range seen {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func testEraseTraces(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	gone := SeedCustomer(t, db, a.ID, "gone")
	keep := SeedCustomer(t, db, a.ID, "keep")
	before := WithoutIndexes(Scan(t, db, keep.Marks()...))
	must(t, "erase", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		if err := s.ErasePersona(ctx, a.ID, gone.PersonaID); err != nil {
			return err
		}
		return s.RedactConsentNotes(ctx, a.ID, gone.PersonaID)
	}))
	must(t, "compact", db.CompactSearchIndex(ctx))
	for _, f := range Scan(t, db, gone.Marks()...) {
		t.Errorf("after erasing the persona, %s", f)
	}
	// Its id may stay only where it proves the erasure: the consent ledger,
	// and the audit log's record of what was done to which id.
	for _, f := range Scan(t, db, gone.PersonaID, gone.ConversationID) {
		if f.Table != "consent_records" && !(f.Table == "audit_log" && f.Column == "target_id") {
			t.Errorf("after erasing the persona, %s", f)
		}
	}
	if after := WithoutIndexes(Scan(t, db, keep.Marks()...)); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the other customer's data changed:\n before %v\n after  %v", before, after)
	}
}

func testEraseTenant(t *testing.T, db *store.DB) {
	ctx := context.Background()
	gone, keep := NewTenant(t, db, "leavingco"), NewTenant(t, db, "stayingco")
	seedStaff := func(tn tenant.Tenant) []string {
		u := NewUser(t, db, tn.ID, "admin@"+tn.Slug+".example", tenant.RoleAdmin)
		must(t, "session", db.CreateSession(ctx, "tok-"+tn.ID, tenant.Session{TenantID: tn.ID, UserID: u.ID,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0}, "test"))
		must(t, "api key", db.CreateAPIKey(ctx, tenant.APIKey{ID: ids.New(), TenantID: tn.ID, Name: "crm", SecretHash: "x",
			Scopes: []tenant.Scope{"read"}, CreatedBy: u.ID, CreatedAt: t0}))
		must(t, "opt-out", db.SetSMSOptOut(ctx, store.SMSOptOut{TenantID: tn.ID, BusinessNumber: "+15550000000",
			CustomerNumber: "+1555" + digits(tn.Slug+"stop"), OptedOut: true, Keyword: "STOP", ChangedAt: t0}))
		return []string{tn.ID, tn.Slug, u.Email, "+1555" + digits(tn.Slug+"stop")}
	}
	goneMarks := seedStaff(gone)
	keepMarks := seedStaff(keep)
	for _, tag := range []string{"leaving1", "leaving2"} {
		goneMarks = append(goneMarks, SeedCustomer(t, db, gone.ID, tag).Marks()...)
	}
	keepMarks = append(keepMarks, SeedCustomer(t, db, keep.ID, "staying1").Marks()...)
	must(t, "request deletion", db.RequestTenantDeletion(ctx, store.TenantDeletion{TenantID: gone.ID, RequestedBy: "user:u1",
		RequestedAt: t0, DueAt: t0.Add(7 * 24 * time.Hour)}))
	must(t, "export record", db.CreateTenantExport(ctx, store.TenantExport{ID: ids.New(), TenantID: gone.ID, RequestedBy: "user:u1",
		State: store.ExportPending, CreatedAt: t0, UpdatedAt: t0}))
	if len(Scan(t, db, goneMarks...)) == 0 {
		t.Fatal("the scan finds nothing before the erasure: it cannot tell anything after it")
	}
	before := WithoutIndexes(Scan(t, db, keepMarks...))

	must(t, "erase", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.EraseTenant(ctx, gone.ID) }))
	must(t, "compact", db.CompactSearchIndex(ctx))
	for _, f := range Scan(t, db, goneMarks...) {
		t.Errorf("after erasing the tenant, %s", f)
	}
	if after := WithoutIndexes(Scan(t, db, keepMarks...)); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the other tenant's data changed:\n before %v\n after  %v", before, after)
	}
	_, err := db.Tenant(ctx, gone.ID)
	wantErr(t, "erased tenant", err, store.ErrNotFound)
	wantErr(t, "erase again", db.EraseTenant(ctx, gone.ID), store.ErrNotFound)
}

// WithoutIndexes drops findings in SQLite's full-text index storage, whose
// compressed blocks change shape when the index is merged: compare what a
// scan found of data that must stay with it.
func WithoutIndexes(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !strings.HasPrefix(f.Table, "messages_fts_") {
			out = append(out, f)
		}
	}
	return out
}
