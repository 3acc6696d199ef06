package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// testRollupCursor: the cursor moves only from where it is (a second node
// folding the same batch gets ErrConflict), counters add up, and one
// tenant's reset leaves another's rollups alone.
func testRollupCursor(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "roll-a"), NewTenant(t, db, "roll-b")
	now := time.Now()
	at := func() store.RollupPosition {
		t.Helper()
		p, err := db.RollupCursorAt(ctx, a.ID)
		must(t, "cursor", err)
		return p
	}
	start := at()
	must(t, "first batch", db.AdvanceRollupCursor(ctx, a.ID, start, 10, now))
	wantErr(t, "the same batch again", db.AdvanceRollupCursor(ctx, a.ID, start, 10, now), store.ErrConflict)
	wantErr(t, "from a stale cursor", db.AdvanceRollupCursor(ctx, a.ID, store.RollupPosition{Seq: 5, Stamp: at().Stamp}, 20, now), store.ErrConflict)
	// A persona erased since the fold read (BumpRollupCursor): it folds again.
	read := at()
	must(t, "bump", db.BumpRollupCursor(ctx, a.ID))
	wantErr(t, "a fold that read before an erasure", db.AdvanceRollupCursor(ctx, a.ID, read, 20, now), store.ErrConflict)
	must(t, "next batch", db.AdvanceRollupCursor(ctx, a.ID, at(), 20, now)) // the same clock: the stamp still moves
	if seq, err := db.RollupCursor(ctx, a.ID); err != nil || seq != 20 {
		t.Fatalf("cursor %d, %v; want 20", seq, err)
	}
	cell := store.RollupCell{Grain: "h", Hour: 3600, Dim: "all", Metric: "conversations", Sub: "chat"}
	for _, tn := range []string{a.ID, a.ID, b.ID} {
		must(t, "add", db.AddRollupCounters(ctx, tn, []store.RollupCounter{{RollupCell: cell, N: 2, Total: 7}}))
	}
	got, err := db.RollupCounters(ctx, a.ID, "all", "", "h", 0, 7200, "")
	if err != nil || len(got) != 1 || got[0].N != 4 || got[0].Total != 14 {
		t.Fatalf("tenant A's counters %+v, %v; want one of n 4, total 14", got, err)
	}
	must(t, "reset A", db.ResetRollups(ctx, a.ID))
	if seq, _ := db.RollupCursor(ctx, a.ID); seq != 0 {
		t.Errorf("A's cursor after reset: %d", seq)
	}
	if got, _ := db.RollupCounters(ctx, a.ID, "all", "", "h", 0, 7200, ""); len(got) != 0 {
		t.Errorf("A's counters after reset: %+v", got)
	}
	if got, _ := db.RollupCounters(ctx, b.ID, "all", "", "h", 0, 7200, ""); len(got) != 1 || got[0].N != 2 {
		t.Errorf("B's counters after A's reset: %+v", got)
	}
	if err := db.AdvanceRollupCursor(ctx, a.ID, at(), 3, now); errors.Is(err, store.ErrConflict) {
		t.Errorf("after a reset the cursor starts again: %v", err)
	}
}
