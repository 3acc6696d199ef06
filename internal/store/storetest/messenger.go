package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

func testMessengerWindows(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "window-a"), NewTenant(t, db, "window-b")
	const acct, user = "acct-page", "6254010714638117"

	_, err := db.MessengerWindow(ctx, a.ID, acct, user)
	wantErr(t, "window before any message", err, store.ErrNotFound)

	first, err := db.TouchMessengerWindow(ctx, a.ID, acct, user, t0, 0)
	must(t, "first message", err)
	if !first {
		t.Fatal("the first message was not reported as the customer's first")
	}
	later := t0.Add(3 * time.Hour)
	first, err = db.TouchMessengerWindow(ctx, a.ID, acct, user, later, 0)
	must(t, "later message", err)
	if first {
		t.Fatal("a second message was reported as the customer's first")
	}
	// A redelivery of the first message, late: the window stays at the newer one.
	_, err = db.TouchMessengerWindow(ctx, a.ID, acct, user, t0, 0)
	must(t, "late redelivery", err)
	got, err := db.MessengerWindow(ctx, a.ID, acct, user)
	must(t, "window", err)
	if !got.Equal(later) {
		t.Fatalf("window at %s, want the newer %s", got, later)
	}

	// Within the step, a newer time is not written; past it, it is.
	_, err = db.TouchMessengerWindow(ctx, a.ID, acct, user, later.Add(30*time.Second), time.Minute)
	must(t, "a message half a minute later", err)
	got, _ = db.MessengerWindow(ctx, a.ID, acct, user)
	if !got.Equal(later) {
		t.Fatalf("window at %s, want %s kept within the step", got, later)
	}
	_, err = db.TouchMessengerWindow(ctx, a.ID, acct, user, later.Add(2*time.Minute), time.Minute)
	must(t, "a message two minutes later", err)
	got, _ = db.MessengerWindow(ctx, a.ID, acct, user)
	if !got.Equal(later.Add(2 * time.Minute)) {
		t.Fatalf("window at %s, want the message two minutes later", got)
	}

	// Another tenant, and another account of the same tenant, see nothing of it.
	_, err = db.MessengerWindow(ctx, b.ID, acct, user)
	wantErr(t, "another tenant's window", err, store.ErrNotFound)
	_, err = db.MessengerWindow(ctx, a.ID, "acct-other", user)
	wantErr(t, "another account's window", err, store.ErrNotFound)
}
