package notify

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Erase removes a persona and everything about it — identifiers,
// preferences, conversations, deliveries, push subscriptions — in one
// transaction, and leaves its consent ledger with notes blanked and a
// tombstone at the end, so the ledger still verifies and proves the erasure.
func (s *Service) Erase(ctx context.Context, tenantID, personaID, actor string) error {
	if actor == "" {
		return &tenant.FieldError{Field: "actor", Reason: "required: who erased the persona"}
	}
	return s.inTx(ctx, func(tx *store.Store) error {
		chain, err := tx.ConsentRecords(ctx, tenantID, personaID)
		if err != nil {
			return err
		}
		if err := tx.ErasePersona(ctx, tenantID, personaID); err != nil {
			return fmt.Errorf("erase persona %s: %w", personaID, err)
		}
		if err := tx.RedactConsentNotes(ctx, tenantID, personaID); err != nil {
			return err
		}
		tomb, err := consent.Tombstone(chain, tenantID, personaID, s.clock.Now(), actor)
		if err != nil {
			return err
		}
		return tx.AppendConsent(ctx, tomb)
	})
}
