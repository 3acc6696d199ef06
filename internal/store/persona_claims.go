package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/persona"
)

// AddClaim records that a persona claimed an identifier without proving it (an
// email typed into the widget's form). Claiming it again changes nothing.
// Claims are never looked up: they find no persona.
func (s *Store) AddClaim(ctx context.Context, tenantID, personaID string, id persona.Identifier, at time.Time) error {
	method := id.VerifiedBy
	if method == "" {
		method = persona.MethodUnverifiedForm
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO persona_claims (tenant_id, persona_id, kind, value, method, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, tenantID, personaID, id.Kind, id.Value, method, micros(at))
	if err != nil {
		return fmt.Errorf("add claim: %w", err)
	}
	return nil
}

// Claims lists a persona's claimed identifiers, unverified.
func (s *Store) Claims(ctx context.Context, tenantID, personaID string) ([]persona.Identifier, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, value, method FROM persona_claims
		WHERE tenant_id = $1 AND persona_id = $2`, tenantID, personaID)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (persona.Identifier, error) {
		var i persona.Identifier
		return i, row.Scan(&i.Kind, &i.Value, &i.VerifiedBy)
	})
	if out == nil {
		out = []persona.Identifier{}
	}
	slices.SortFunc(out, func(a, b persona.Identifier) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return out, err
}

// ReleaseIdentifier takes an identifier away from the persona holding it and
// leaves it a claim there: a proven contact from the address is taking it
// over from a holder that never proved it. Run it in a transaction.
func (s *Store) ReleaseIdentifier(ctx context.Context, tenantID, personaID string, id persona.Identifier, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM persona_identifiers WHERE tenant_id = $1 AND kind = $2 AND value = $3 AND persona_id = $4`,
		tenantID, id.Kind, id.Value, personaID)
	if err := affectedOne("release identifier "+id.String(), res, err); err != nil {
		return err
	}
	return s.AddClaim(ctx, tenantID, personaID, id.Claimed(), at)
}

// movableClaims are the merged persona's claims the survivor does not have.
func (s *Store) movableClaims(ctx context.Context, tenantID, from, to string) ([]persona.Identifier, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, value, method FROM persona_claims c
		WHERE tenant_id = $1 AND persona_id = $2 AND NOT EXISTS (SELECT 1 FROM persona_claims o
			WHERE o.tenant_id = c.tenant_id AND o.persona_id = $3 AND o.kind = c.kind AND o.value = c.value)`, tenantID, from, to)
	if err != nil {
		return nil, fmt.Errorf("claims to move: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (persona.Identifier, error) {
		var i persona.Identifier
		return i, row.Scan(&i.Kind, &i.Value, &i.VerifiedBy)
	})
}

func (s *Store) moveClaim(ctx context.Context, tenantID string, c persona.Identifier, from, to string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE persona_claims SET persona_id = $5
		WHERE tenant_id = $1 AND persona_id = $2 AND kind = $3 AND value = $4`, tenantID, from, c.Kind, c.Value, to)
	return err
}
