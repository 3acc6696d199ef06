package tenantdata_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/tenantdata"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// globalTables hold no tenant's rows, each for the reason given. A table
// without a tenant_id column that is not here fails TestEveryTableIsCovered:
// decide whether it holds a tenant's data (give it tenant_id, and export and
// erasure take it) or not (say why here).
var globalTables = map[string]string{
	"tenants":           "the tenant's own row, keyed by id: exported, and its deletion cascades",
	"settings":          "the server's own settings (signing keys, VAPID keys)",
	"schema_migrations": "the schema's version",
	"portal_codes":      "a consumer's sign-in codes, across businesses, by identifier; they expire in minutes",
	"operators":         "the service's operators, above every tenant; what they did is in each tenant's audit log",
	// River's tables; river_job's arguments name the tenant and erasure
	// deletes its jobs by them.
	"river_job": "jobs, erased by their tenant_id argument", "river_leader": "River's leader election",
	"river_migration": "River's schema version", "river_queue": "River's queues", "river_client": "River's clients",
	"river_client_queue": "River's client queues", "river_notification": "River's wake-up notices (ids only)",
	// SQLite's full-text index of messages (external content): it follows
	// the messages table by triggers and is merged after an erasure.
	"messages_fts": "index of messages", "messages_fts_data": "index of messages", "messages_fts_idx": "index of messages",
	"messages_fts_docsize": "index of messages", "messages_fts_config": "index of messages",
}

// TestEveryTableIsCovered holds every table in the catalog, on both
// engines, to either carrying tenant_id (so export and erasure find it) or
// being named above with the reason it holds no tenant's data.
func TestEveryTableIsCovered(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			if err := jobs.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			all, err := db.Tables(ctx)
			must(t, err)
			owned, err := db.TenantTables(ctx)
			must(t, err)
			isOwned := map[string]bool{}
			for _, tb := range owned {
				isOwned[tb] = true
			}
			for _, tb := range all {
				if !isOwned[tb] && globalTables[tb] == "" {
					t.Errorf("table %s has no tenant_id column and is not in globalTables: export and workspace deletion would miss what it holds", tb)
				}
			}
		})
	}
}

type seeded struct {
	tenant tenant.Tenant
	marks  []string
	files  map[string]bool
}

func seed(t *testing.T, db *store.DB, q *jobs.Queue, slug string) seeded {
	t.Helper()
	ctx := context.Background()
	tn := storetest.NewTenant(t, db, slug)
	u := storetest.NewUser(t, db, tn.ID, "admin@"+slug+".example", tenant.RoleAdmin)
	s := seeded{tenant: tn, marks: []string{tn.ID, slug, u.Email}}
	for _, tag := range []string{slug + "1", slug + "2"} {
		s.marks = append(s.marks, storetest.SeedCustomer(t, db, tn.ID, tag).Marks()...)
	}
	if err := q.Insert(ctx, webhook.DeliverArgs{TenantID: tn.ID, DeliveryID: ids.New()}, nil); err != nil {
		t.Fatal(err)
	}
	// A provider's credentials in a channel account's settings.
	must(t, db.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: tn.ID, Channel: "sms", Address: "+1555" + slug,
		Settings: map[string]string{"provider": "twilio", "auth_token": "tok-" + slug + "-secret"}}, t0))
	// A context connector with its sealed secret, and a call to it.
	cc := store.ContextConnector{ID: ids.New(), TenantID: tn.ID, Name: slug + "-billing", URL: "https://billing.example/" + slug,
		SealedSecret: "sealed-" + slug + "-secret", Budget: time.Second, Active: true, CreatedAt: t0, UpdatedAt: t0}
	must(t, db.CreateContextConnector(ctx, cc))
	must(t, db.RecordContextCalls(ctx, tn.ID, []store.ContextCall{{ID: ids.New(), ConnectorID: cc.ID, At: t0, Status: "ok"}}))
	s.marks = append(s.marks, cc.ID)
	return s
}

// TestExportThenDeleteThenScan exports a workspace, checks the export
// against the database, deletes the workspace through its grace period and
// scans every table for what it held — while another workspace stays whole.
func TestExportThenDeleteThenScan(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			must(t, jobs.Migrate(ctx, db))
			q, err := jobs.New(db, jobs.Config{})
			must(t, err)
			gone, keep := seed(t, db, q, "leavingco"), seed(t, db, q, "stayingco")
			// The leaving workspace's sandbox copy goes with it.
			cp := storetest.NewTenant(t, db, "leavingco-trial")
			must(t, db.LinkSandboxCopy(ctx, store.SandboxCopy{TenantID: cp.ID, SourceID: gone.tenant.ID, CreatedBy: "user:u1", CreatedAt: t0}))
			gone.marks = append(gone.marks, cp.ID)
			clk := clock.NewFake(t0)
			svc := tenantdata.New(db, clk, slog.New(slog.DiscardHandler), tenantdata.Config{Grace: 48 * time.Hour})

			// Export.
			ex, err := svc.NewExport(ctx, gone.tenant.ID, "user:u1")
			must(t, err)
			var buf bytes.Buffer
			must(t, svc.Stream(ctx, gone.tenant.ID, ex.ID, &buf))
			checkExport(t, db, gone.tenant.ID, buf.Bytes(), keep.marks)
			rec, err := svc.Export(ctx, gone.tenant.ID, ex.ID)
			must(t, err)
			if rec.State != store.ExportDone || rec.RowsTotal == 0 || rec.RowsDone != rec.RowsTotal || rec.TablesDone != rec.TablesTotal || rec.Bytes != int64(buf.Len()) {
				t.Errorf("export record %+v: want done, every row and table, %d bytes", rec, buf.Len())
			}
			if err := svc.Stream(ctx, gone.tenant.ID, ex.ID, io.Discard); !errors.Is(err, store.ErrConflict) {
				t.Errorf("second download of one export: %v, want a conflict", err)
			}
			if _, err := svc.Export(ctx, keep.tenant.ID, ex.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another tenant reads the export: %v, want not found", err)
			}

			// Delete: a wrong confirmation, a cancel, then the grace period.
			var fe *tenant.FieldError
			if _, err := svc.RequestDeletion(ctx, gone.tenant.ID, "user:u1", "stayingco"); !errors.As(err, &fe) || fe.Field != "confirm" {
				t.Fatalf("deletion confirmed with another slug: %v", err)
			}
			d, err := svc.RequestDeletion(ctx, gone.tenant.ID, "user:u1", "leavingco")
			must(t, err)
			if !d.DueAt.Equal(t0.Add(48 * time.Hour)) {
				t.Errorf("due %v, want the grace period after the request", d.DueAt)
			}
			must(t, svc.CancelDeletion(ctx, gone.tenant.ID))
			clk.Advance(49 * time.Hour)
			if done, err := svc.EraseDue(ctx); err != nil || len(done) != 0 {
				t.Fatalf("a canceled deletion erased %v (%v)", done, err)
			}
			_, err = svc.RequestDeletion(ctx, gone.tenant.ID, "user:u1", "leavingco")
			must(t, err)
			clk.Advance(47 * time.Hour)
			if done, err := svc.EraseDue(ctx); err != nil || len(done) != 0 {
				t.Fatalf("erased %v before the grace period ended (%v)", done, err)
			}
			before := storetest.WithoutIndexes(storetest.Scan(t, db, keep.marks...))
			if len(storetest.Scan(t, db, gone.marks...)) == 0 {
				t.Fatal("the scan finds nothing of the workspace before its erasure")
			}
			clk.Advance(time.Hour)
			done, err := svc.EraseDue(ctx)
			must(t, err)
			if len(done) != 1 || done[0] != gone.tenant.ID {
				t.Fatalf("erased %v, want the leaving workspace", done)
			}
			for _, f := range storetest.Scan(t, db, gone.marks...) {
				t.Errorf("after the workspace's erasure, %s", f)
			}
			if after := storetest.WithoutIndexes(storetest.Scan(t, db, keep.marks...)); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("the other workspace's data changed:\n before %v\n after  %v", before, after)
			}
		})
	}
}

// checkExport reads an export back: every tenant table is there with as many
// rows as the database holds, each file with its bytes, credentials
// redacted, and nothing of another tenant.
func checkExport(t *testing.T, db *store.DB, tenantID string, data []byte, foreign []string) {
	t.Helper()
	ctx := context.Background()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
		body := read(t, f)
		for _, m := range foreign {
			if bytes.Contains(body, []byte(m)) {
				t.Errorf("the export's %s holds another tenant's %q", f.Name, m)
			}
		}
	}
	var m tenantdata.Manifest
	must(t, json.Unmarshal(read(t, entries[tenantdata.ManifestPath]), &m))
	tables, err := db.TenantTables(ctx)
	must(t, err)
	tables = append(tables, "tenants")
	if len(m.Tables) != len(tables) {
		t.Errorf("manifest lists %d tables, the database has %d tenant tables", len(m.Tables), len(tables))
	}
	var files int
	for _, tb := range tables {
		f := entries[tenantdata.TablePath(tb)]
		if f == nil {
			t.Errorf("table %s is not in the export", tb)
			continue
		}
		want, err := db.CountTenantRows(ctx, tenantID, tb)
		must(t, err)
		var got int64
		sc := bufio.NewScanner(bytes.NewReader(read(t, f)))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var row map[string]any
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%s line %d: %v", tb, got+1, err)
			}
			got++
			if tb == "users" && row["password_hash"] != tenantdata.Redacted {
				t.Errorf("users.password_hash exported as %v", row["password_hash"])
			}
			if tb == "attachments" {
				files++
				file := entries[row["file"].(string)]
				if file == nil {
					t.Errorf("attachment %v: no file %v in the export", row["id"], row["file"])
					continue
				}
				_, stored, err := db.Attachment(ctx, tenantID, row["id"].(string))
				must(t, err)
				if !bytes.Equal(read(t, file), stored) {
					t.Errorf("attachment %v: the exported bytes differ from the stored ones", row["id"])
				}
			}
		}
		if got != want || m.Tables[tb] != want {
			t.Errorf("table %s: %d rows exported, manifest says %d, database holds %d", tb, got, m.Tables[tb], want)
		}
	}
	if files == 0 || int64(files) != m.Files {
		t.Errorf("%d attachments exported, manifest says %d", files, m.Files)
	}
	for _, want := range []string{"users.password_hash", "channel_accounts.settings.auth_token", "context_connectors.sealed_secret"} {
		if !strings.Contains(strings.Join(m.Redacted, ","), want) {
			t.Errorf("manifest's redacted columns %v lack %s", m.Redacted, want)
		}
	}
	for name, f := range entries {
		if bytes.Contains(read(t, f), []byte("-secret")) {
			t.Errorf("the export's %s holds a provider's auth token", name)
		}
	}
}

func read(t *testing.T, f *zip.File) []byte {
	t.Helper()
	if f == nil {
		t.Fatal("missing entry")
	}
	r, err := f.Open()
	must(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	must(t, err)
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
