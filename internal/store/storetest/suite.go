// Package storetest is the storage suite that every SQL engine must pass, so that
// SQLite and PostgreSQL behave the same. Engine tests call Run with an opener that
// returns a fresh, migrated database.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Run runs the whole suite; open must return a fresh, migrated database per call.
func Run(t *testing.T, open func(t testing.TB) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"Migrations", testMigrations},
		{"Tenants", testTenants},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"APIKeys", testAPIKeys},
		{"Audit", testAudit},
		{"Events", testEvents},
		{"Idempotency", testIdempotency},
		{"Settings", testSettings},
		{"Transactions", testTransactions},
		{"Personas", testPersonas},
		{"Conversations", testConversations},
		{"Search", testSearch},
		{"PeopleSearch", testPeopleSearch},
		{"SMSOptOuts", testSMSOptOuts},
		{"MessengerWindows", testMessengerWindows},
		{"WhatsApp", testWhatsApp},
		{"Routing", testRouting},
		{"WaitingPosition", testWaitingPosition},
		{"TenantLiveCalls", testTenantLiveCalls},
		{"InboxList", testInboxList},
		{"SLAAtRisk", testSLAAtRisk},
		{"QueueVisits", testQueueVisits},
		{"RollupCursor", testRollupCursor},
		{"DeskContent", testDeskContent},
		{"EraseTraces", testEraseTraces},
		{"EraseTenant", testEraseTenant},
		{"Usage", testUsage},
		{"Sandbox", testSandbox},
		{"Join", testJoin},
		{"KnowledgeReuse", testKnowledgeReuse},
		{"HelpCenter", testHelpCenter},
		{"Knowledge", testKnowledge},
		{"KnowledgeMeasures", testKnowledgeMeasures},
		{"KnowledgeIndexReads", testKnowledgeIndexReads},
		{"ContextConnectors", testContextConnectors},
		{"Swarm", testSwarm},
		{"SwarmRecord", testSwarmRecord},
		{"ContextFeedback", testContextFeedback},
		{"Community", testCommunity},
		{"SwarmReads", testSwarmReads},
		{"SwarmReadsFiles", testSwarmReadsFiles},
		{"UserPush", testUserPush},
		{"Calls", testCalls},
		{"PhoneTrunks", testPhoneTrunks},
		{"CallRecordings", testCallRecordings},
		{"CSAT", testCSAT},
		{"Listening", testListening},
		{"ReportSchedules", testReportSchedules},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
	t.Run("Notify", func(t *testing.T) { testNotify(t, open) }) // its own subtests, a fresh database each
}

var t0 = time.Date(2026, 11, 24, 9, 30, 0, 123456000, time.UTC)

// NewTenant creates a tenant with the given slug and returns it.
func NewTenant(t *testing.T, s *store.DB, slug string) tenant.Tenant {
	t.Helper()
	tn := tenant.Tenant{ID: ids.New(), Slug: slug, Name: "Tenant " + slug, CreatedAt: t0}
	if err := s.CreateTenant(context.Background(), tn); err != nil {
		t.Fatalf("create tenant %s: %v", slug, err)
	}
	return tn
}

// NewUser creates a user in the tenant and returns it.
func NewUser(t *testing.T, s *store.DB, tenantID, email string, role tenant.Role) tenant.User {
	t.Helper()
	u := tenant.User{ID: ids.New(), TenantID: tenantID, Email: email, Name: "User " + email, Role: role,
		Presence: tenant.PresenceOffline, PasswordHash: "hash", CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func testMigrations(t *testing.T, db *store.DB) {
	ctx := context.Background()
	all, err := store.Migrations(db.Engine())
	must(t, "list migrations", err)
	v, err := db.SchemaVersion(ctx)
	must(t, "schema version", err)
	if last := all[len(all)-1].Version; v != last {
		t.Fatalf("schema version %d, want %d", v, last)
	}
	n, err := db.Migrate(ctx)
	must(t, "migrate again", err)
	if n != 0 {
		t.Fatalf("second migrate applied %d migrations, want 0", n)
	}
	// A migration merged after a higher-numbered one (parallel branches) is
	// applied when it arrives: here 0009, as if this database never had it.
	for _, q := range []string{`DROP INDEX webhook_endpoints_creator`, `ALTER TABLE webhook_endpoints DROP COLUMN created_by`,
		`DELETE FROM schema_migrations WHERE version = 9`} {
		_, err := db.SQL().ExecContext(ctx, q)
		must(t, q, err)
	}
	n, err = db.Migrate(ctx)
	must(t, "migrate the late one", err)
	if n != 1 {
		t.Fatalf("applied %d migrations, want the one missing below the newest", n)
	}
	if _, err := db.SQL().ExecContext(ctx, `SELECT created_by FROM webhook_endpoints`); err != nil {
		t.Fatalf("the late migration did not run: %v", err)
	}
	// A newer binary migrated this database: refuse to run on it.
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', 0)`, all[len(all)-1].Version+1)
	must(t, "fake future migration", err)
	_, err = db.Migrate(ctx)
	wantErr(t, "migrate on newer schema", err, store.ErrSchemaTooNew)
}

func testTenants(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "acme")
	wantErr(t, "duplicate slug", db.CreateTenant(ctx, tenant.Tenant{ID: ids.New(), Slug: "acme", Name: "x", CreatedAt: t0}), store.ErrConflict)
	got, err := db.TenantBySlug(ctx, "acme")
	must(t, "by slug", err)
	if got != a {
		t.Fatalf("TenantBySlug = %+v, want %+v", got, a)
	}
	got, err = db.Tenant(ctx, a.ID)
	must(t, "by id", err)
	if !got.CreatedAt.Equal(t0) {
		t.Fatalf("created_at %v, want %v (microsecond round trip)", got.CreatedAt, t0)
	}
	_, err = db.Tenant(ctx, ids.New())
	wantErr(t, "unknown tenant", err, store.ErrNotFound)
}

func testUsers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	ua := NewUser(t, db, a.ID, "ana@alpha.example", tenant.RoleAgent)
	NewUser(t, db, b.ID, "ana@alpha.example", tenant.RoleAdmin) // same email, other tenant: allowed
	err := db.CreateUser(ctx, tenant.User{ID: ids.New(), TenantID: a.ID, Email: ua.Email, Name: "dup", Role: tenant.RoleAgent, Presence: tenant.PresenceOffline, PasswordHash: "h"})
	wantErr(t, "duplicate email in tenant", err, store.ErrConflict)

	_, err = db.User(ctx, b.ID, ua.ID)
	wantErr(t, "user through another tenant", err, store.ErrNotFound)
	got, err := db.UserByEmail(ctx, a.ID, ua.Email)
	must(t, "by email", err)
	if got.ID != ua.ID || got.Role != tenant.RoleAgent {
		t.Fatalf("UserByEmail = %+v", got)
	}

	got.Presence, got.Name, got.UpdatedAt = tenant.PresenceAvailable, "Ana", t0.Add(time.Minute)
	must(t, "update", db.UpdateUser(ctx, got))
	again, _ := db.User(ctx, a.ID, ua.ID)
	if again.Presence != tenant.PresenceAvailable || again.Name != "Ana" {
		t.Fatalf("after update: %+v", again)
	}
	foreign := got
	foreign.TenantID = b.ID
	wantErr(t, "update through another tenant", db.UpdateUser(ctx, foreign), store.ErrNotFound)

	for i := range 5 {
		NewUser(t, db, a.ID, "agent"+string(rune('a'+i))+"@alpha.example", tenant.RoleAgent)
	}
	first, err := db.Users(ctx, a.ID, store.Page{Limit: 4})
	must(t, "page 1", err)
	rest, err := db.Users(ctx, a.ID, store.Page{After: first[len(first)-1].ID, Limit: 4})
	must(t, "page 2", err)
	if len(first) != 4 || len(rest) != 2 {
		t.Fatalf("pages of %d and %d users, want 4 and 2", len(first), len(rest))
	}
	for _, u := range append(first, rest...) {
		if u.TenantID != a.ID {
			t.Fatalf("listed a user of another tenant: %+v", u)
		}
	}
}

func testSessions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	u := NewUser(t, db, a.ID, "ana@alpha.example", tenant.RoleAgent)
	sess := tenant.Session{TenantID: a.ID, UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0}
	must(t, "create", db.CreateSession(ctx, "h1", sess, "test"))
	got, err := db.Session(ctx, "h1", t0.Add(time.Minute))
	must(t, "get", err)
	if got.UserID != u.ID {
		t.Fatalf("session user %s, want %s", got.UserID, u.ID)
	}
	_, err = db.Session(ctx, "h1", t0.Add(2*time.Hour))
	wantErr(t, "expired session", err, store.ErrNotFound)
	must(t, "touch", db.TouchSession(ctx, "h1", t0.Add(90*time.Minute), t0.Add(3*time.Hour)))
	_, err = db.Session(ctx, "h1", t0.Add(2*time.Hour))
	must(t, "touched session", err)
	must(t, "delete", db.DeleteSession(ctx, "h1"))
	_, err = db.Session(ctx, "h1", t0)
	wantErr(t, "deleted session", err, store.ErrNotFound)

	must(t, "create 2", db.CreateSession(ctx, "h2", sess, ""))
	must(t, "create 3", db.CreateSession(ctx, "h3", tenant.Session{TenantID: a.ID, UserID: u.ID, CreatedAt: t0, ExpiresAt: t0, LastSeenAt: t0}, ""))
	n, err := db.DeleteExpiredSessions(ctx, t0.Add(time.Second))
	must(t, "expire", err)
	if n != 1 {
		t.Fatalf("expired %d sessions, want 1", n)
	}
	must(t, "delete user sessions", db.DeleteUserSessions(ctx, a.ID, u.ID))
	_, err = db.Session(ctx, "h2", t0)
	wantErr(t, "session after logout everywhere", err, store.ErrNotFound)
}

func testAPIKeys(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	k := tenant.APIKey{ID: ids.New(), TenantID: a.ID, Name: "billing", Scopes: []tenant.Scope{tenant.ScopeRead, tenant.ScopeEventsWrite},
		SecretHash: "abc", CreatedBy: "u1", CreatedAt: t0}
	must(t, "create", db.CreateAPIKey(ctx, k))
	got, err := db.APIKeyByID(ctx, k.ID)
	must(t, "by id", err)
	if got.Name != "billing" || len(got.Scopes) != 2 || got.Scopes[1] != tenant.ScopeEventsWrite || !got.RevokedAt.IsZero() {
		t.Fatalf("APIKeyByID = %+v", got)
	}
	_, err = db.APIKey(ctx, b.ID, k.ID)
	wantErr(t, "key through another tenant", err, store.ErrNotFound)
	wantErr(t, "revoke through another tenant", db.RevokeAPIKey(ctx, b.ID, k.ID, t0), store.ErrNotFound)
	must(t, "touch", db.TouchAPIKey(ctx, k.ID, t0.Add(time.Minute)))
	must(t, "revoke", db.RevokeAPIKey(ctx, a.ID, k.ID, t0.Add(2*time.Minute)))
	must(t, "revoke again", db.RevokeAPIKey(ctx, a.ID, k.ID, t0.Add(3*time.Minute)))
	got, _ = db.APIKey(ctx, a.ID, k.ID)
	if !got.RevokedAt.Equal(t0.Add(2*time.Minute)) || !got.LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after revoke: revoked %v used %v", got.RevokedAt, got.LastUsedAt)
	}
	list, err := db.APIKeys(ctx, b.ID, store.Page{})
	must(t, "list other tenant", err)
	if len(list) != 0 {
		t.Fatalf("tenant b sees %d keys of tenant a", len(list))
	}
}

func testAudit(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	for i, action := range []string{"user.create", "webhook.create", "api_key.revoke"} {
		must(t, action, db.AppendAudit(ctx, tenant.AuditEntry{ID: ids.New(), TenantID: a.ID, ActorType: "user", ActorID: "u1",
			Action: action, TargetType: "x", TargetID: "y", Detail: map[string]any{"n": i}, CreatedAt: t0}))
	}
	got, err := db.Audit(ctx, a.ID, store.Page{Limit: 2})
	must(t, "list", err)
	if len(got) != 2 || got[0].Action != "api_key.revoke" || got[0].Detail["n"] != float64(2) {
		t.Fatalf("newest first: %+v", got)
	}
	older, err := db.Audit(ctx, a.ID, store.Page{After: got[1].ID})
	must(t, "older", err)
	if len(older) != 1 || older[0].Action != "user.create" {
		t.Fatalf("older page: %+v", older)
	}
	none, _ := db.Audit(ctx, b.ID, store.Page{})
	if len(none) != 0 {
		t.Fatalf("tenant b sees tenant a's audit log")
	}
}

func testEvents(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	var seqs []int64
	for i, tn := range []tenant.Tenant{a, b, a, a} {
		ev, err := db.InsertEvent(ctx, event.Event{ID: ids.New(), TenantID: tn.ID, Type: event.UserCreated, Data: []byte(`{"i":` + string(rune('0'+i)) + `}`), At: t0})
		must(t, "insert", err)
		if len(seqs) > 0 && ev.Seq <= seqs[len(seqs)-1] {
			t.Fatalf("seq %d not after %d", ev.Seq, seqs[len(seqs)-1])
		}
		seqs = append(seqs, ev.Seq)
	}
	got, err := db.EventsSince(ctx, a.ID, seqs[0], 10)
	must(t, "since", err)
	if len(got) != 2 || got[0].Seq != seqs[2] || string(got[1].Data) != `{"i":3}` || got[0].TenantID != a.ID {
		t.Fatalf("EventsSince = %+v", got)
	}
	got, _ = db.EventsSince(ctx, a.ID, 0, 1)
	if len(got) != 1 || got[0].Seq != seqs[0] {
		t.Fatalf("limit 1 from 0: %+v", got)
	}
}

func testIdempotency(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	r := store.IdempotentRequest{TenantID: a.ID, PrincipalID: "u1", Key: "k1", Method: "POST", Path: "/api/v1/webhooks", RequestHash: "h", CreatedAt: t0}
	_, claimed, err := db.ClaimIdempotencyKey(ctx, r)
	must(t, "claim", err)
	if !claimed {
		t.Fatal("first claim not granted")
	}
	prev, claimed, err := db.ClaimIdempotencyKey(ctx, r)
	must(t, "second claim", err)
	if claimed || prev.StatusCode != 0 {
		t.Fatalf("second claim: claimed=%v prev=%+v (want in progress)", claimed, prev)
	}
	r.StatusCode, r.ContentType, r.ResponseBody = 201, "application/json", []byte(`{"id":"x"}`)
	must(t, "complete", db.CompleteIdempotencyKey(ctx, r))
	prev, _, _ = db.ClaimIdempotencyKey(ctx, r)
	if prev.StatusCode != 201 || string(prev.ResponseBody) != `{"id":"x"}` || prev.RequestHash != "h" {
		t.Fatalf("replayed record: %+v", prev)
	}
	other := r
	other.PrincipalID = "u2"
	if _, claimed, _ := db.ClaimIdempotencyKey(ctx, other); !claimed {
		t.Fatal("same key of another principal must be independent")
	}
	must(t, "release", db.ReleaseIdempotencyKey(ctx, a.ID, "u2", "k1"))
	if _, claimed, _ := db.ClaimIdempotencyKey(ctx, other); !claimed {
		t.Fatal("released key not claimable")
	}
	n, err := db.DeleteIdempotencyKeysBefore(ctx, t0.Add(time.Second))
	must(t, "expire", err)
	if n != 2 {
		t.Fatalf("expired %d keys, want 2", n)
	}
}

func testSettings(t *testing.T, db *store.DB) {
	ctx := context.Background()
	v, err := db.SettingOrInit(ctx, "secret", "first")
	must(t, "init", err)
	v2, err := db.SettingOrInit(ctx, "secret", "second")
	must(t, "init again", err)
	if v != "first" || v2 != "first" {
		t.Fatalf("SettingOrInit = %q, %q; want first both times", v, v2)
	}
}

func testTransactions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "alpha")
	boom := errors.New("boom")
	err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		u := tenant.User{ID: ids.New(), TenantID: a.ID, Email: "rolled@alpha.example", Name: "R", Role: tenant.RoleAgent,
			Presence: tenant.PresenceOffline, PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
		must(t, "create in tx", s.CreateUser(ctx, u))
		if _, err := s.UserByEmail(ctx, a.ID, u.Email); err != nil {
			t.Fatalf("own write not visible inside tx: %v", err)
		}
		return boom
	})
	wantErr(t, "failing tx", err, boom)
	_, err = db.UserByEmail(ctx, a.ID, "rolled@alpha.example")
	wantErr(t, "user from rolled-back tx", err, store.ErrNotFound)
}
