package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/consent"
)

const consentColumns = `tenant_id, persona_id, seq, scope, granted, previous, source, actor, note, note_salt, note_digest, at, prev_hash, hash`

func scanConsent(row interface{ Scan(...any) error }) (consent.Record, error) {
	var r consent.Record
	var prev sql.NullBool
	var at int64
	err := row.Scan(&r.TenantID, &r.PersonaID, &r.Seq, &r.Scope, &r.Granted, &prev, &r.Source, &r.Actor,
		&r.Note, &r.NoteSalt, &r.NoteDigest, &at, &r.PrevHash, &r.Hash)
	if prev.Valid {
		r.Previous = &prev.Bool
	}
	r.At = fromMicros(at)
	return r, err
}

// AppendConsent stores the next record of a persona's consent chain. A record
// with the same seq stored first (two appends raced) is ErrConflict: reload
// the chain and append again.
func (s *Store) AppendConsent(ctx context.Context, r consent.Record) error {
	var prev sql.NullBool
	if r.Previous != nil {
		prev = sql.NullBool{Bool: *r.Previous, Valid: true}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO consent_records (`+consentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.TenantID, r.PersonaID, r.Seq, r.Scope, r.Granted, prev, r.Source, r.Actor,
		r.Note, r.NoteSalt, r.NoteDigest, micros(r.At), r.PrevHash, r.Hash)
	if isUniqueViolation(err) {
		return fmt.Errorf("consent record %s #%d: %w", r.PersonaID, r.Seq, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("append consent: %w", err)
	}
	return nil
}

// ConsentRecords returns a persona's consent chain in order; empty if none.
func (s *Store) ConsentRecords(ctx context.Context, tenantID, personaID string) ([]consent.Record, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+consentColumns+` FROM consent_records
		WHERE tenant_id = $1 AND persona_id = $2 ORDER BY seq`, tenantID, personaID)
	if err != nil {
		return nil, fmt.Errorf("consent records: %w", err)
	}
	return collect(rows, scanConsent)
}

// ConsentRecordsMany returns the chains of those personas that have records.
func (s *Store) ConsentRecordsMany(ctx context.Context, tenantID string, personaIDs []string) (map[string][]consent.Record, error) {
	out := map[string][]consent.Record{}
	err := eachIDChunk(personaIDs, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, `SELECT `+consentColumns+` FROM consent_records
			WHERE tenant_id = $1 AND persona_id IN (`+placeholders(2, len(chunk))+`) ORDER BY persona_id, seq`, idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		recs, err := collect(rows, scanConsent)
		for _, r := range recs {
			out[r.PersonaID] = append(out[r.PersonaID], r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("consent records: %w", err)
	}
	return out, nil
}

// RedactConsentNotes blanks the notes and their salts in a persona's chain,
// for erasure (consent.Redact); the digests stay, so the chain still verifies.
func (s *Store) RedactConsentNotes(ctx context.Context, tenantID, personaID string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE consent_records SET note = '', note_salt = ''
		WHERE tenant_id = $1 AND persona_id = $2 AND (note <> '' OR note_salt <> '')`, tenantID, personaID)
	if err != nil {
		return fmt.Errorf("redact consent notes: %w", err)
	}
	return nil
}
