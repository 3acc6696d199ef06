package portal_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestSignInProvesTheIdentifier: a code that reached the customer proves the
// address for every business holding it, so agents see "verified · portal
// sign-in"; the customer's other identifiers, other customers' addresses and
// a holding proven another way are left as they were.
func TestSignInProvesTheIdentifier(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		f, ctx := newFixture(t, db, true), context.Background()
		held := func(tenantID, personaID string, kind persona.Kind) persona.Identifier {
			t.Helper()
			ids, err := db.Identifiers(ctx, tenantID, personaID)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if id.Kind == kind {
					return id
				}
			}
			t.Fatalf("persona %s holds no %s", personaID, kind)
			return persona.Identifier{}
		}
		// The bank's holding was proven by mail before; it keeps that.
		if _, err := db.ProveIdentifier(ctx, email("ana@example.com"), persona.MethodMailFromMailbox, f.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if got := held(f.bank.ID, f.anaBank.ID, persona.KindEmail); got.VerifiedBy != persona.MethodMailFromMailbox {
			t.Fatalf("setup: bank holding %+v", got)
		}
		// Unprove the shop's holding again by hand to see the sign-in prove it.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE persona_identifiers SET verified = FALSE, verified_by = '', verified_at = NULL
			WHERE tenant_id = $1 AND kind = 'email'`, f.shop.ID); err != nil {
			t.Fatal(err)
		}

		f.clk.Advance(time.Minute)
		f.signIn(t, "ana@example.com")

		shop := held(f.shop.ID, f.anaShop.ID, persona.KindEmail)
		if !shop.Verified || shop.VerifiedBy != persona.MethodPortalSignin || !shop.VerifiedAt.Equal(f.clk.Now()) {
			t.Errorf("shop's holding after sign-in: %+v, want verified by portal_signin now", shop)
		}
		if bank := held(f.bank.ID, f.anaBank.ID, persona.KindEmail); bank.VerifiedBy != persona.MethodMailFromMailbox {
			t.Errorf("bank's holding proven by mail became %+v", bank)
		}
		if ph := held(f.shop.ID, f.anaShop.ID, persona.KindPhone); ph.Verified {
			t.Errorf("the phone was proven by an email sign-in: %+v", ph)
		}
		if bob := held(f.bank.ID, f.bob.ID, persona.KindEmail); bob.Verified {
			t.Errorf("another customer's address was proven: %+v", bob)
		}
	})
}
