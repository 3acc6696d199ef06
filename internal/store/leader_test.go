package store_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Lease sessions on PostgreSQL: members of a group count each other; a
// lease is held by one session at a time; released, it is free at once;
// a session that dies (its connection killed) frees its leases and leaves
// the group; an exclusive holder of the group's key keeps members out.
func TestLeases(t *testing.T) {
	db := storetest.OpenPostgres(t)
	ctx := t.Context()
	const group, shard = 1000, 1001
	a, ok, err := db.OpenLeases(ctx, group)
	if err != nil || !ok {
		t.Fatalf("open a: %v %v", ok, err)
	}
	defer a.Close()
	b, ok, err := db.OpenLeases(ctx, group)
	if err != nil || !ok {
		t.Fatalf("open b: %v %v", ok, err)
	}
	defer b.Close()
	sv, err := a.Survey(ctx)
	if err != nil || sv.Members != 2 || sv.Taken[shard] {
		t.Fatalf("survey of two idle members: %+v %v", sv, err)
	}
	if got, err := a.TryTake(ctx, shard); !got || err != nil {
		t.Fatalf("a takes: %v %v", got, err)
	}
	if got, err := b.TryTake(ctx, shard); got || err != nil {
		t.Fatalf("b takes a's lease: %v %v", got, err)
	}
	if sv, _ := b.Survey(ctx); !sv.Taken[shard] {
		t.Fatalf("b does not see a's lease: %+v", sv)
	}
	if err := a.Release(ctx, shard); err != nil {
		t.Fatal(err)
	}
	if got, err := b.TryTake(ctx, shard); !got || err != nil {
		t.Fatalf("b takes the released lease: %v %v", got, err)
	}

	// b's connection is killed: a sees its lease free and one member left.
	if _, err := db.SQL().ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 2 AND mode = 'ExclusiveLock'
		AND objid = CAST(hashtext(current_schema()) AS oid) AND classid = $1`, shard); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Survey(ctx); err == nil || b.Alive() {
		t.Fatal("b's session was killed and b did not notice")
	}
	for i := 0; ; i++ {
		sv, err := a.Survey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sv.Members == 1 && !sv.Taken[shard] {
			break
		}
		if i == 250 {
			t.Fatalf("the dead session's lease and membership stay after 5 s: %+v", sv)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got, err := a.TryTake(ctx, shard); !got || err != nil {
		t.Fatalf("a takes the dead session's lease: %v %v", got, err)
	}

	// A node of the single-leader version holds the group's key alone: no
	// member may join, and it may not lead while members stand.
	if _, _, ok, err := db.TryLead(ctx, group); err != nil || ok {
		t.Fatalf("the old single lock taken beside a member: %v %v", ok, err)
	}
	a.Close()
	_, release, ok, err := db.TryLead(ctx, group)
	if err != nil || !ok {
		t.Fatalf("the old single lock once the members left: %v %v", ok, err)
	}
	defer release()
	if _, ok, err := db.OpenLeases(ctx, group); ok || err != nil {
		t.Fatalf("a member joined beside the old single leader: %v %v", ok, err)
	}
}

// On SQLite the one node is the only member and every lease is its own.
func TestLeasesSQLite(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := t.Context()
	l, ok, err := db.OpenLeases(ctx, 1000)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got, err := l.TryTake(ctx, 1001); !got || err != nil {
		t.Fatal(got, err)
	}
	sv, err := l.Survey(ctx)
	if err != nil || sv.Members != 1 || !sv.Taken[1001] {
		t.Fatalf("%+v %v", sv, err)
	}
	l.Close()
	if l.Alive() {
		t.Fatal("closed and alive")
	}
}
