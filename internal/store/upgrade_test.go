package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

var update = flag.Bool("update", false, "rebuild the upgrade fixtures in testdata/upgrade from today's schema")

const (
	upgradeDir = "testdata/upgrade"
	// fixtureSchema is the PostgreSQL schema the dump was taken from; loading
	// the dump puts the test's own schema in its place.
	fixtureSchema = "switchboard_upgrade_fixture"
)

// observation is what a database made by an earlier release must still hold
// after this release has migrated it.
type observation struct {
	SchemaVersion int               `json:"schema_version"`
	Tables        map[string]int64  `json:"tables"`      // rows per table
	Tenants       []string          `json:"tenants"`     // slugs
	Messages      map[string]string `json:"messages"`    // per tenant slug: sha256 of its message bodies, sorted
	Attachments   map[string]string `json:"attachments"` // id: sha256 of the bytes, read through the store
	Search        map[string]int    `json:"search"`      // per tenant slug: conversations full-text search finds for "declined"
}

// TestUpgrade migrates databases made by an earlier release — a SQLite file
// and a PostgreSQL dump, committed in testdata/upgrade — with this release's
// node start-up (its migrations and River's), and finds their data intact:
// the same rows in every table, the same messages, attachments byte for byte,
// full-text search, and the demo admin's password. Run with -args -update to make
// new fixtures from today's schema; the test then proves the next release's
// migrations against them.
func TestUpgrade(t *testing.T) {
	if *update {
		generateFixtures(t)
	}
	raw, err := os.ReadFile(filepath.Join(upgradeDir, "expect.json"))
	if err != nil {
		t.Fatalf("read the expectations (make them with -update): %v", err)
	}
	var want map[string]observation
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		engine string
		load   func(t *testing.T) (dsn, dataDir string)
	}{
		{"sqlite", loadSQLiteFixture},
		{"postgres", loadPostgresFixture},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			dsn, dataDir := tc.load(t)
			a := openNode(t, dsn, dataDir)
			got := observe(t, a)
			checkUpgraded(t, want[tc.engine], got)
			if _, err := a.Accounts.Login(context.Background(), demo.Slug, demo.People[0].Email, demo.Password, "upgrade test"); err != nil {
				t.Errorf("the demo admin cannot sign in after the upgrade: %v", err)
			}
			if tc.engine == "sqlite" {
				var check string
				if err := a.DB.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
					t.Errorf("integrity_check after the upgrade: %q, %v", check, err)
				}
			}
		})
	}
}

// grows are the tables a migration adds rows to by design: the record of
// migrations applied, the store's and River's.
var grows = map[string]bool{"schema_migrations": true, "river_migration": true}

func checkUpgraded(t *testing.T, want, got observation) {
	t.Helper()
	migrations, _ := store.Migrations(store.SQLite)
	if last := migrations[len(migrations)-1].Version; got.SchemaVersion != last {
		t.Errorf("schema version %d after the upgrade, want %d", got.SchemaVersion, last)
	}
	if want.SchemaVersion > got.SchemaVersion {
		t.Errorf("the fixture is at schema %d, newer than this binary's %d", want.SchemaVersion, got.SchemaVersion)
	}
	for table, n := range want.Tables {
		if m, ok := got.Tables[table]; !ok {
			t.Errorf("table %s (%d rows) is gone after the upgrade", table, n)
		} else if grows[table] && m < n {
			t.Errorf("table %s lost rows in the upgrade: %d, %d before", table, m, n)
		} else if !grows[table] && m != n {
			t.Errorf("table %s holds %d rows after the upgrade, %d before", table, m, n)
		}
	}
	for _, c := range []struct {
		what      string
		want, got any
	}{
		{"tenants", want.Tenants, got.Tenants},
		{"message bodies", want.Messages, got.Messages},
		{"attachments", want.Attachments, got.Attachments},
		{"search results", want.Search, got.Search},
	} {
		if fmt.Sprint(c.want) != fmt.Sprint(c.got) {
			t.Errorf("%s after the upgrade:\n got  %v\n want %v", c.what, c.got, c.want)
		}
	}
	if len(want.Tables) < 20 || len(want.Messages) < 2 || len(want.Attachments) < 1 {
		t.Errorf("the fixture is too thin to prove anything: %d tables, %d tenants with messages, %d attachments",
			len(want.Tables), len(want.Messages), len(want.Attachments))
	}
}

// openNode starts this release's node on dsn the way `switchboard serve` does:
// app.Open migrates the store and River's tables, then builds every service.
func openNode(t *testing.T, dsn, dataDir string) *app.App {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.SMTPListen = dataDir, dsn, ""
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), fstest.MapFS{})
	if err != nil {
		t.Fatalf("open a node on the fixture: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

func loadSQLiteFixture(t *testing.T) (string, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(upgradeDir, "sqlite.db"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "switchboard.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return "", dir
}

func loadPostgresFixture(t *testing.T) (string, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(upgradeDir, "postgres.sql"))
	if err != nil {
		t.Fatal(err)
	}
	dsn := storetest.PostgresDSN(t) // an empty schema of the test's own
	schema := searchPath(t, dsn)
	db, err := store.Open(context.Background(), dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The dump names its schema everywhere; the test's takes its place. It
	// creates the schema itself, so the empty one goes first.
	dump := strings.ReplaceAll(string(raw), fixtureSchema, schema)
	if _, err := db.SQL().Exec(`DROP SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(dump); err != nil {
		t.Fatalf("load the PostgreSQL dump: %v", err)
	}
	return dsn, t.TempDir()
}

func searchPath(t *testing.T, dsn string) string {
	t.Helper()
	_, q, _ := strings.Cut(dsn, "?")
	for _, kv := range strings.Split(q, "&") {
		if v, ok := strings.CutPrefix(kv, "search_path="); ok {
			return v
		}
	}
	t.Fatalf("no search_path in the test DSN")
	return ""
}

// observe reads what checkUpgraded compares, through the store where it can.
func observe(t *testing.T, a *app.App) observation {
	t.Helper()
	ctx := context.Background()
	db := a.DB
	o := observation{Tables: map[string]int64{}, Messages: map[string]string{}, Attachments: map[string]string{}, Search: map[string]int{}}
	var err error
	if o.SchemaVersion, err = db.SchemaVersion(ctx); err != nil {
		t.Fatal(err)
	}
	listTables := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	if db.Engine() == store.SQLite {
		// FTS5's shadow tables are its own business; the search check covers them.
		listTables = `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts%'`
	}
	for _, table := range queryStrings(t, db, listTables) {
		var n int64
		if err := db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		o.Tables[table] = n
	}
	for _, slug := range queryStrings(t, db, `SELECT slug FROM tenants ORDER BY slug`) {
		o.Tenants = append(o.Tenants, slug)
		tn, err := db.TenantBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		bodies := queryStrings(t, db, `SELECT body FROM messages WHERE tenant_id = '`+tn.ID+`'`)
		slices.Sort(bodies)
		o.Messages[slug] = digest([]byte(strings.Join(bodies, "\x00")))
		hits, err := db.SearchConversations(ctx, tn.ID, "declined", 100)
		if err != nil {
			t.Fatalf("search %s: %v", slug, err)
		}
		o.Search[slug] = len(hits)
	}
	for _, row := range queryStrings(t, db, `SELECT tenant_id || ' ' || id FROM attachments`) {
		tenantID, id, _ := strings.Cut(row, " ")
		_, data, err := db.Attachment(ctx, tenantID, id)
		if err != nil {
			t.Fatalf("attachment %s: %v", id, err)
		}
		o.Attachments[id] = digest(data)
	}
	return o
}

func queryStrings(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// generateFixtures makes a database of each engine with today's node and
// representative data — the demo's two businesses (users, routing, SLA
// calendars, channels, canned responses, a macro, notification types and
// events, conversations on every channel) plus a mail thread with an
// attachment and an agent's note — and commits its file (SQLite) or dump
// (PostgreSQL, by pg_dump) with what observe sees in it.
func generateFixtures(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(upgradeDir, 0o750); err != nil {
		t.Fatal(err)
	}
	want := map[string]observation{}

	dir := t.TempDir()
	a := openNode(t, "", dir)
	seedFixture(t, a)
	want["sqlite"] = observe(t, a)
	a.Close()
	if _, err := os.Stat(filepath.Join(dir, "switchboard.db-wal")); err == nil {
		t.Fatal("the SQLite fixture's -wal survived closing; the committed file would miss its end")
	}
	// Not VACUUMed: that renumbers rowids, which the FTS index refers to.
	copyFile(t, filepath.Join(dir, "switchboard.db"), filepath.Join(upgradeDir, "sqlite.db"))

	base := storetest.PostgresDSN(t)
	dsn := strings.Replace(base, "search_path="+searchPath(t, base), "search_path="+fixtureSchema, 1)
	admin, err := store.Open(context.Background(), base, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, q := range []string{`DROP SCHEMA IF EXISTS ` + fixtureSchema + ` CASCADE`, `CREATE SCHEMA ` + fixtureSchema} {
		if _, err := admin.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer admin.SQL().Exec(`DROP SCHEMA IF EXISTS ` + fixtureSchema + ` CASCADE`)
	a = openNode(t, dsn, t.TempDir())
	seedFixture(t, a)
	want["postgres"] = observe(t, a)
	a.Close()
	dumpPostgres(t, dsn, filepath.Join(upgradeDir, "postgres.sql"))

	raw, _ := json.MarshalIndent(want, "", "  ")
	if err := os.WriteFile(filepath.Join(upgradeDir, "expect.json"), append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func seedFixture(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a.DB, a.Accounts, a.Inbox, a.Dispatch, a.Notify); err != nil {
		t.Fatalf("seed the demo: %v", err)
	}
	tn, err := a.DB.TenantBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	// Before the mail below, so its events are queued for the endpoint too.
	if _, err := a.Webhooks.Create(ctx, tn.ID, access.ForRole(tenant.RoleAdmin), webhook.EndpointInput{URL: "https://hooks.example.com/switchboard", Description: "CRM", EventTypes: []string{"*"}}); err != nil {
		t.Fatalf("seed a webhook endpoint: %v", err)
	}
	from := persona.Identifier{Kind: persona.KindEmail, Value: "lena.fischer@example.com"}
	first, err := a.Inbox.Ingest(ctx, inbox.Inbound{TenantID: tn.ID, Channel: "email", From: from, FromName: "Lena Fischer",
		Subject: "Statement for November", Body: "My payment was declined; the statement is attached.", ExternalID: "<fixture-1@example.com>",
		ThreadKey:   "<fixture-1@example.com>",
		Attachments: []inbox.File{{Name: "statement.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 fixture statement\n%%EOF\n")}}})
	if err != nil {
		t.Fatalf("seed a mail with an attachment: %v", err)
	}
	if _, err := a.Inbox.Ingest(ctx, inbox.Inbound{TenantID: tn.ID, Channel: "email", From: from, FromName: "Lena Fischer",
		Subject: "Re: Statement for November", Body: "Any news on this?", ExternalID: "<fixture-2@example.com>",
		ThreadKeys: []string{"<fixture-1@example.com>"}}); err != nil {
		t.Fatalf("seed a reply: %v", err)
	}
	admin, err := a.DB.UserByEmail(ctx, tn.ID, demo.People[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Inbox.Note(ctx, inbox.Actor{TenantID: tn.ID, UserID: admin.ID}, first.Conversation.ID, "Checked the card: blocked by the fraud rule."); err != nil {
		t.Fatalf("seed a note: %v", err)
	}
	if _, _, err := a.Accounts.CreateAPIKey(ctx, accounts.Actor{TenantID: tn.ID, Type: "user", ID: admin.ID}, "CRM", []string{"conversations:write"}); err != nil {
		t.Fatalf("seed an API key: %v", err)
	}
	if _, err := a.Accounts.Login(ctx, demo.Slug, demo.People[1].Email, demo.Password, "fixture"); err != nil {
		t.Fatalf("seed a session: %v", err)
	}
}

func dumpPostgres(t *testing.T, dsn, out string) {
	t.Helper()
	base, _, _ := strings.Cut(dsn, "?")
	cmd := exec.Command("pg_dump", "--dbname="+base+"?sslmode=disable", "--schema="+fixtureSchema,
		"--no-owner", "--no-privileges", "--inserts", "--no-comments")
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump (PostgreSQL's client tools are needed for -update): %v", err)
	}
	// psql's meta-commands (\restrict, added by recent pg_dump releases) are
	// not SQL; the test loads the dump through the driver.
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(l, `\`) {
			lines = append(lines, l)
		}
	}
	if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	raw, err := fs.ReadFile(os.DirFS(filepath.Dir(src)), filepath.Base(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
