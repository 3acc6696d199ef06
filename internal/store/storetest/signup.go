package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testJoin covers what joining a center stores: sign-up codes spent once,
// invitations, second factors and recovery codes, sign-in policies, the
// wizard's progress and the sessions a user can list and end — each scoped by
// tenant.
func testJoin(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "join-a"), NewTenant(t, db, "join-b")
	ua, ub := NewUser(t, db, a.ID, "ann@a.example", tenant.RoleAdmin), NewUser(t, db, b.ID, "bob@b.example", tenant.RoleAdmin)

	// Sign-up codes: usable until spent or expired; spent once.
	must(t, "create code", db.CreateSignupCode(ctx, store.SignupCode{Hash: "h1", Note: "for Acme", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	if c, err := db.UsableSignupCode(ctx, "h1", t0); err != nil || c.Note != "for Acme" {
		t.Fatalf("usable code: %+v %v", c, err)
	}
	_, err := db.UsableSignupCode(ctx, "h1", t0.Add(2*time.Hour))
	wantErr(t, "expired code", err, store.ErrNotFound)
	must(t, "spend", db.SpendSignupCode(ctx, "h1", a.ID, t0.Add(time.Minute)))
	wantErr(t, "spend twice", db.SpendSignupCode(ctx, "h1", b.ID, t0.Add(2*time.Minute)), store.ErrNotFound)
	_, err = db.UsableSignupCode(ctx, "h1", t0)
	wantErr(t, "spent code", err, store.ErrNotFound)

	// Invitations: tenant-scoped, pending until accepted or revoked.
	inv := tenant.Invitation{ID: ids.New(), TenantID: a.ID, Email: "new@a.example", Name: "New", Role: tenant.RoleAgent,
		InvitedBy: ua.ID, Nonce: "n1", CreatedAt: t0, SentAt: t0, ExpiresAt: t0.Add(time.Hour)}
	must(t, "invite", db.CreateInvitation(ctx, inv))
	_, err = db.Invitation(ctx, b.ID, inv.ID)
	wantErr(t, "another tenant's invitation", err, store.ErrNotFound)
	got, err := db.Invitation(ctx, a.ID, inv.ID)
	if err != nil || got.Email != inv.Email || got.Nonce != "n1" || !got.ExpiresAt.Equal(inv.ExpiresAt) || !got.AcceptedAt.IsZero() {
		t.Fatalf("invitation: %+v %v", got, err)
	}
	if l, _ := db.PendingInvitations(ctx, b.ID, store.Page{}); len(l) != 0 {
		t.Fatalf("tenant B lists A's invitation: %+v", l)
	}
	if f, err := db.PendingInvitationFor(ctx, a.ID, "new@a.example"); err != nil || f.ID != inv.ID {
		t.Fatalf("pending for email: %+v %v", f, err)
	}
	foreign := got
	foreign.TenantID = b.ID
	wantErr(t, "update through another tenant", db.UpdateInvitation(ctx, foreign), store.ErrNotFound)
	got.AcceptedAt, got.UserID = t0.Add(time.Minute), ua.ID
	must(t, "accept", db.UpdateInvitation(ctx, got))
	if l, _ := db.PendingInvitations(ctx, a.ID, store.Page{}); len(l) != 0 {
		t.Fatalf("accepted invitation still pending: %+v", l)
	}

	// Second factors: a step is accepted once; codes spent once; scoped.
	must(t, "put totp", db.PutTOTP(ctx, store.TOTP{TenantID: a.ID, UserID: ua.ID, SealedSecret: "sealed", CreatedAt: t0}))
	_, err = db.TOTP(ctx, b.ID, ua.ID)
	wantErr(t, "totp through another tenant", err, store.ErrNotFound)
	must(t, "first step", db.UseTOTPStep(ctx, a.ID, ua.ID, 100, t0))
	wantErr(t, "same step again", db.UseTOTPStep(ctx, a.ID, ua.ID, 100, t0), store.ErrConflict)
	wantErr(t, "earlier step", db.UseTOTPStep(ctx, a.ID, ua.ID, 99, t0), store.ErrConflict)
	if tt, err := db.TOTP(ctx, a.ID, ua.ID); err != nil || !tt.ConfirmedAt.Equal(t0) || tt.LastStep != 100 || tt.SealedSecret != "sealed" {
		t.Fatalf("totp: %+v %v", tt, err)
	}
	must(t, "codes", db.ReplaceRecoveryCodes(ctx, a.ID, ua.ID, []string{"c1", "c2"}))
	wantErr(t, "code of another tenant", db.UseRecoveryCode(ctx, b.ID, ua.ID, "c1", t0), store.ErrNotFound)
	must(t, "use code", db.UseRecoveryCode(ctx, a.ID, ua.ID, "c1", t0))
	wantErr(t, "use code twice", db.UseRecoveryCode(ctx, a.ID, ua.ID, "c1", t0), store.ErrNotFound)
	if n, _ := db.RecoveryCodesLeft(ctx, a.ID, ua.ID); n != 1 {
		t.Fatalf("codes left %d, want 1", n)
	}
	must(t, "re-enrol", db.PutTOTP(ctx, store.TOTP{TenantID: a.ID, UserID: ua.ID, SealedSecret: "other", CreatedAt: t0}))
	if tt, _ := db.TOTP(ctx, a.ID, ua.ID); !tt.ConfirmedAt.IsZero() || tt.LastStep != 0 {
		t.Fatalf("a new secret kept the old one's state: %+v", tt)
	}
	must(t, "delete totp", db.DeleteTOTP(ctx, a.ID, ua.ID))
	if n, _ := db.RecoveryCodesLeft(ctx, a.ID, ua.ID); n != 0 {
		t.Fatalf("codes left after delete: %d", n)
	}

	// Policy and wizard progress: defaults without a row, per tenant.
	if p, err := db.AuthPolicy(ctx, a.ID); err != nil || p.RequireTOTP {
		t.Fatalf("default policy: %+v %v", p, err)
	}
	must(t, "set policy", db.SetAuthPolicy(ctx, a.ID, tenant.AuthPolicy{RequireTOTP: true, UpdatedAt: t0}))
	if p, _ := db.AuthPolicy(ctx, a.ID); !p.RequireTOTP {
		t.Fatal("policy not stored")
	}
	if p, _ := db.AuthPolicy(ctx, b.ID); p.RequireTOTP {
		t.Fatal("tenant B got A's policy")
	}
	must(t, "progress", db.SetSetupProgress(ctx, a.ID, store.SetupProgress{Done: []string{"queue", "channel"}, UpdatedAt: t0}))
	must(t, "progress again", db.SetSetupProgress(ctx, a.ID, store.SetupProgress{Done: []string{"queue", "channel", "invite"}, Dismissed: true, UpdatedAt: t0}))
	if p, _ := db.SetupProgress(ctx, a.ID); !slices.Equal(p.Done, []string{"queue", "channel", "invite"}) || !p.Dismissed {
		t.Fatalf("progress: %+v", p)
	}
	if p, _ := db.SetupProgress(ctx, a.ID); !p.Recorded {
		t.Error("a stored progress reads as never recorded")
	}
	if p, _ := db.SetupProgress(ctx, b.ID); len(p.Done) != 0 || p.Dismissed || p.Recorded {
		t.Fatalf("tenant B got A's progress: %+v", p)
	}

	// Sessions: listed per user, ended one by one, never across tenants.
	tok1, tok2 := auth.HashToken("one"), auth.HashToken("two")
	for i, h := range []string{tok1, tok2} {
		sess := tenant.Session{TenantID: a.ID, UserID: ua.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0.Add(time.Duration(i) * time.Minute)}
		must(t, "session", db.CreateSession(ctx, h, sess, "agent "+h[:4]))
	}
	l, err := db.UserSessions(ctx, a.ID, ua.ID, t0)
	if err != nil || len(l) != 2 || l[0].ID != tok2 || l[0].UserAgent == "" {
		t.Fatalf("sessions: %+v %v", l, err)
	}
	if l, _ := db.UserSessions(ctx, b.ID, ua.ID, t0); len(l) != 0 {
		t.Fatalf("tenant B lists A's sessions: %+v", l)
	}
	wantErr(t, "end another tenant's session", db.DeleteUserSession(ctx, b.ID, ub.ID, tok1), store.ErrNotFound)
	wantErr(t, "end through another user", db.DeleteUserSession(ctx, a.ID, ub.ID, tok1), store.ErrNotFound)
	must(t, "end", db.DeleteUserSession(ctx, a.ID, ua.ID, tok1))
	if l, _ := db.UserSessions(ctx, a.ID, ua.ID, t0); len(l) != 1 || l[0].ID != tok2 {
		t.Fatalf("after ending one: %+v", l)
	}
}
