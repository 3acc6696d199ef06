package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// The month's database at the size, around its rollups: for each of
// the two months a report reads (the month and the one before), its
// conversations, their messages and their fact rows (rollup_conversations,
// what drill-down reads). Reports never read the first two; they are there
// so the rollups are read from a database of the size (its pages
// compete for the same cache), not from one that holds nothing else.

// fillWords are the messages' words: bodies of a few of them, so the
// full-text index (a trigger on SQLite, a generated column and a GIN index
// on PostgreSQL) is fed as a real inbox feeds it.
var fillWords = strings.Fields(`card blocked payment due invoice refund account balance transfer loan
	mortgage address change password reset login app crash statement fee interest rate branch hours
	appointment tomorrow cancel order delivery late parcel missing thanks hello please help urgent
	question answer agent customer number policy claim insurance travel abroad limit overdraft`)

// fillMonth writes convs conversations created in the 30 days from month
// start, messages each, and a fact row each, for tenantID. Conversations
// need a persona: they are spread over personas fill-p<n>, written first.
func fillMonth(ctx context.Context, db *store.DB, tenantID string, start time.Time, tag string, convs, messages int) error {
	rng := rand.New(rand.NewPCG(uint64(start.Unix()), 7))
	channels := []string{"chat", "email", "sms", "voice", "whatsapp"}
	const personas = 20000
	var personaRows, convRows, msgRows, factRows [][]any
	flush := func(force bool) error {
		if !force && len(msgRows) < 50000 {
			return nil
		}
		for _, t := range []struct {
			table string
			cols  []string
			rows  *[][]any
		}{
			{"personas", []string{"id", "tenant_id", "name", "created_at", "updated_at"}, &personaRows},
			{"conversations", []string{"id", "tenant_id", "persona_id", "subject", "status", "assignee_id", "team", "channel",
				"last_message_at", "created_at", "updated_at"}, &convRows},
			{"messages", []string{"id", "tenant_id", "conversation_id", "kind", "direction", "channel", "author_type", "author_id",
				"body", "status", "created_at", "updated_at"}, &msgRows},
			{"rollup_conversations", []string{"tenant_id", "conversation_id", "created_at", "channel", "queue_id", "agent_id", "team",
				"tags", "state"}, &factRows},
		} {
			if err := fillRows(ctx, db, t.table, t.cols, *t.rows); err != nil {
				return fmt.Errorf("fill %s: %w", t.table, err)
			}
			*t.rows = (*t.rows)[:0]
		}
		return nil
	}
	if tag == "cur" { // personas once per tenant
		for p := range personas {
			at := start.UnixMicro()
			personaRows = append(personaRows, []any{fmt.Sprintf("fill-p%05d", p), tenantID, fmt.Sprintf("Customer %d", p), at, at})
		}
	}
	for i := range convs {
		id := fmt.Sprintf("fill-%s-c%07d", tag, i)
		at := start.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
		ch, team := channels[rng.IntN(len(channels))], fmt.Sprintf("team%d", rng.IntN(4))
		queue, agent := fmt.Sprintf("q%d", rng.IntN(8)), fmt.Sprintf("agent%02d", rng.IntN(60))
		t := at
		for m := range messages {
			dir, author, authorID := "in", "customer", ""
			if m%2 == 1 {
				dir, author, authorID = "out", "agent", agent
			}
			n := 3 + rng.IntN(8)
			words := make([]string, n)
			for w := range words {
				words[w] = fillWords[rng.IntN(len(fillWords))]
			}
			msgRows = append(msgRows, []any{fmt.Sprintf("%s-m%02d", id, m), tenantID, id, "message", dir, ch, author, authorID,
				strings.Join(words, " "), "delivered", t.UnixMicro(), t.UnixMicro()})
			t = t.Add(time.Duration(10+rng.IntN(300)) * time.Second)
		}
		convRows = append(convRows, []any{id, tenantID, fmt.Sprintf("fill-p%05d", rng.IntN(personas)), "", "resolved", agent, team, ch,
			t.UnixMicro(), at.UnixMicro(), t.UnixMicro()})
		state, err := json.Marshal(rollup.Conv{ID: id, Created: at, Channel: ch, Team: team, QueueID: queue, AgentID: agent,
			Status: "resolved", FirstAssigned: at.Add(20 * time.Second), FirstResponse: at.Add(70 * time.Second), Resolved: t,
			Counted: true})
		if err != nil {
			return err
		}
		factRows = append(factRows, []any{tenantID, id, at.UnixMicro(), ch, queue, agent, team, "", string(state)})
		if err := flush(false); err != nil {
			return err
		}
	}
	return flush(true)
}

// fillRows writes rows: by COPY on PostgreSQL, by multi-row INSERTs of 100
// rows in one transaction on SQLite (the triggers run as they do for any
// insert).
func fillRows(ctx context.Context, db *store.DB, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if db.Engine() == store.Postgres {
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		})
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	stmts := map[int]*sql.Stmt{}
	for from := 0; from < len(rows); {
		n := min(100, len(rows)-from)
		st := stmts[n]
		if st == nil {
			q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
				strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
			if st, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			defer st.Close()
			stmts[n] = st
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[from : from+n] {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		from += n
	}
	return tx.Commit()
}

// monthDB opens the month's database on engine: the folded rollups of the
// month and, with -report.fill, the same month's rollups 30 days earlier
// (the month before, of the same size) and both months' conversations,
// messages and fact rows. Filled, it is kept for the next run: on SQLite as
// a file in bench/out, on PostgreSQL as a schema of the test database named
// for the size (bench_report_<conversations>_<messages>), each marked done
// only once complete. It returns the database and the tenant.
func monthDB(b *testing.B, engine string, month func() *rollup.Folder) (*store.DB, string) {
	ctx := context.Background()
	if !*reportFill {
		var db *store.DB
		switch engine {
		case "sqlite":
			db = storetest.OpenSQLite(b)
		case "postgres":
			db = storetest.OpenPostgres(b)
		default:
			b.Fatalf("unknown engine %q", engine)
		}
		tn := benchTenant(b, db)
		start := time.Now()
		if err := writeFolded(ctx, db, tn.ID, month(), 0); err != nil {
			b.Fatal(err)
		}
		fmt.Printf("# %s: rollups written in %s\n", engine, time.Since(start).Round(time.Millisecond))
		settleMonth(b, db)
		return db, tn.ID
	}
	fill := *reportConvs
	if *reportFillN > 0 {
		fill = min(fill, *reportFillN)
	}
	name := fmt.Sprintf("report-month-%d-%d-%d", *reportConvs, *reportMessages, fill)
	var dsn string
	var done func() error
	switch engine {
	case "sqlite":
		path, err := filepath.Abs(filepath.Join("out", name+".db"))
		if err != nil {
			b.Fatal(err)
		}
		dsn = "sqlite:" + path
		if _, err := os.Stat(path + ".done"); err != nil {
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				os.Remove(f)
			}
			done = func() error { return os.WriteFile(path+".done", nil, 0o640) }
		}
	case "postgres":
		base := os.Getenv(storetest.PostgresEnv)
		if base == "" {
			base = storetest.DefaultPostgresURL
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		schema := strings.ReplaceAll("bench_"+name, "-", "_")
		var ok bool
		if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'bench_done')`,
			schema).Scan(&ok); err != nil {
			b.Fatalf("PostgreSQL: %v", err)
		}
		if !ok {
			if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
				b.Fatal(err)
			}
			if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
				b.Fatal(err)
			}
			done = func() error {
				_, err := admin.ExecContext(ctx, `CREATE TABLE `+schema+`.bench_done (at BIGINT)`)
				return err
			}
		}
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	default:
		b.Fatalf("unknown engine %q", engine)
	}
	db := storetest.OpenDSN(b, dsn)
	if done == nil {
		tn, err := db.TenantBySlug(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("# %s: the filled month's database was kept from an earlier run\n", engine)
		return db, tn.ID
	}
	tn := benchTenant(b, db)
	start := time.Now()
	const monthSecs = 30 * 24 * 3600
	folded := month()
	if err := errors.Join(writeFolded(ctx, db, tn.ID, folded, 0), writeFolded(ctx, db, tn.ID, folded, -monthSecs)); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("# %s: both months' rollups written in %s\n", engine, time.Since(start).Round(time.Millisecond))
	for _, m := range []struct {
		tag   string
		start time.Time
	}{{"cur", reportMonth}, {"prev", reportMonth.AddDate(0, 0, -30)}} {
		start := time.Now()
		if err := fillMonth(ctx, db, tn.ID, m.start, m.tag, fill, *reportMessages); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		fmt.Printf("# %s: %d conversations, %d messages and %d fact rows from %s written in %s (%.0f messages/s)\n", engine, fill,
			fill**reportMessages, fill, m.start.Format(time.DateOnly), took.Round(time.Second), float64(fill**reportMessages)/took.Seconds())
	}
	settleMonth(b, db)
	if err := done(); err != nil {
		b.Fatal(err)
	}
	return db, tn.ID
}

// settleMonth does on PostgreSQL what autovacuum does to tables written this
// much, before the dashboards are timed: statistics for the planner (fresh
// rows look like none, and it picks the primary key over the metric index)
// and the visibility map that lets a month's cells, long unchanged, be read
// from the covering index alone.
func settleMonth(b *testing.B, db *store.DB) {
	if db.Engine() != store.Postgres {
		return
	}
	start := time.Now()
	if _, err := db.SQL().ExecContext(context.Background(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("# postgres: VACUUM ANALYZE took %s\n", time.Since(start).Round(time.Millisecond))
}
