package outbox

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// A client that saw a tenant's event and resumes after its seq misses nothing
// that commits later: a transaction that emitted first but commits last still
// lands after the seq the client holds. PostgreSQL only: SQLite has one writer,
// so the second transaction could not even begin while the first is open.
func TestEventsCommitInSeqOrder(t *testing.T) {
	db, o := postgresOutbox(t)
	tenant := storetest.NewTenant(t, db, "bank").ID
	ctx := context.Background()

	emitted, release, slowDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		slowDone <- o.Do(ctx, func(tx *Tx) error {
			if _, err := tx.Emit(ctx, tenant, "test.slow", nil); err != nil {
				return err
			}
			close(emitted)
			<-release // still open while the other commits
			return nil
		})
	}()
	<-emitted
	fastDone := make(chan error, 1)
	go func() {
		fastDone <- o.Do(ctx, func(tx *Tx) error {
			_, err := tx.Emit(ctx, tenant, "test.fast", nil)
			return err
		})
	}()
	select {
	case err := <-fastDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a transaction emitting an event waited for another one's open transaction")
	}

	// A client sees what has committed so far and keeps the last seq.
	seen, err := db.EventsSince(ctx, tenant, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Type != "test.fast" {
		t.Fatalf("committed so far: %+v, want test.fast alone", seen)
	}
	last := seen[0].Seq

	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	resumed, err := db.EventsSince(ctx, tenant, last, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(resumed) != 1 || resumed[0].Type != "test.slow" {
		t.Fatalf("resuming after seq %d gave %+v: the event that committed later was missed", last, resumed)
	}
}

// postgresOutbox is an outbox over a fresh PostgreSQL schema and an
// embedded NATS server.
func postgresOutbox(t *testing.T) (*store.DB, *Outbox) {
	t.Helper()
	db := storetest.OpenPostgres(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bs, err := bus.Open(context.Background(), bus.Options{DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bs.Close)
	return db, New(db, bs, clock.System{}, log)
}
