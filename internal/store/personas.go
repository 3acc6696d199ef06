package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/persona"
)

const personaColumns = `id, tenant_id, name, time_zone, language, attributes, COALESCE(merged_into, ''), created_at, updated_at`

func scanPersona(row interface{ Scan(...any) error }) (persona.Persona, error) {
	return scanPersonaAnd(row)
}

// scanPersonaAnd scans a persona's columns, then extra.
func scanPersonaAnd(row interface{ Scan(...any) error }, extra ...any) (persona.Persona, error) {
	var p persona.Persona
	var attrs string
	var created, updated int64
	err := row.Scan(append([]any{&p.ID, &p.TenantID, &p.Name, &p.TimeZone, &p.Language, &attrs, &p.MergedInto, &created, &updated}, extra...)...)
	if err == nil {
		err = json.Unmarshal([]byte(attrs), &p.Attributes)
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return p, err
}

func attrsJSON(a map[string]string) string {
	if a == nil {
		return "{}"
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// CreatePersona inserts a persona and its identifiers; an identifier another
// persona of the tenant holds already is ErrConflict. Run it in a transaction,
// so that a conflict leaves no persona behind.
func (s *Store) CreatePersona(ctx context.Context, p persona.Persona) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO personas (id, tenant_id, name, time_zone, language, attributes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.ID, p.TenantID, p.Name, p.TimeZone, p.Language, attrsJSON(p.Attributes), micros(p.CreatedAt), micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create persona: %w", err)
	}
	for _, id := range p.Identifiers {
		if err := s.AddIdentifier(ctx, p.TenantID, p.ID, id, p.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// AddIdentifier gives a persona one more identifier.
func (s *Store) AddIdentifier(ctx context.Context, tenantID, personaID string, id persona.Identifier, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO persona_identifiers (tenant_id, kind, value, persona_id, verified, verified_by, verified_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tenantID, id.Kind, id.Value, personaID, id.Verified, id.VerifiedBy, nullMicros(id.VerifiedAt), micros(at))
	if isUniqueViolation(err) {
		return fmt.Errorf("identifier %s: %w", id, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add identifier: %w", err)
	}
	return nil
}

// Persona returns the tenant's persona with its identifiers.
//
// The persona, its identifiers and its claims come in one statement: it is
// read for every inbound message.
func (s *Store) Persona(ctx context.Context, tenantID, id string) (persona.Persona, error) {
	var ids, claims string
	p, err := scanPersonaAnd(s.r.QueryRowContext(ctx, `SELECT `+personaColumns+`, `+personaHoldings[s.engine]+`
		FROM personas WHERE tenant_id = $1 AND id = $2`, tenantID, id), &ids, &claims)
	if err != nil {
		return p, notFound("persona "+id, err)
	}
	if p.Identifiers, err = decodeHoldings(ids, true); err != nil {
		return p, fmt.Errorf("persona %s identifiers: %w", id, err)
	}
	if p.Claims, err = decodeHoldings(claims, false); err != nil {
		return p, fmt.Errorf("persona %s claims: %w", id, err)
	}
	return p, nil
}

// personaHoldings is, per engine, the two expressions that read the
// identifiers and the claims of the personas row at hand as JSON arrays of
// arrays: [kind, value, verified, verified_by, verified_at] and
// [kind, value, method].
var personaHoldings = map[Engine]string{
	Postgres: `COALESCE((SELECT json_agg(json_build_array(i.kind, i.value, i.verified, i.verified_by, i.verified_at)) FROM persona_identifiers i
			WHERE i.tenant_id = personas.tenant_id AND i.persona_id = personas.id)::text, '[]'),
		COALESCE((SELECT json_agg(json_build_array(c.kind, c.value, c.method)) FROM persona_claims c
			WHERE c.tenant_id = personas.tenant_id AND c.persona_id = personas.id)::text, '[]')`,
	SQLite: `(SELECT json_group_array(json_array(i.kind, i.value, i.verified, i.verified_by, i.verified_at)) FROM persona_identifiers i
			WHERE i.tenant_id = personas.tenant_id AND i.persona_id = personas.id),
		(SELECT json_group_array(json_array(c.kind, c.value, c.method)) FROM persona_claims c
			WHERE c.tenant_id = personas.tenant_id AND c.persona_id = personas.id)`,
}

// decodeHoldings reads personaHoldings' JSON into identifiers (or, for
// claims, identifiers whose VerifiedBy is the claim's method), sorted by
// kind and value as Identifiers and Claims return them.
func decodeHoldings(raw string, identifiers bool) ([]persona.Identifier, error) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		return nil, err
	}
	out := make([]persona.Identifier, 0, len(rows))
	for _, r := range rows {
		var i persona.Identifier
		if identifiers {
			if len(r) != 5 {
				return nil, fmt.Errorf("identifier of %d fields", len(r))
			}
			var at *int64
			if err := errors.Join(json.Unmarshal(r[0], &i.Kind), json.Unmarshal(r[1], &i.Value), json.Unmarshal(r[3], &i.VerifiedBy),
				json.Unmarshal(r[4], &at)); err != nil {
				return nil, err
			}
			// PostgreSQL says true or false, SQLite 1 or 0.
			switch string(r[2]) {
			case "true", "1":
				i.Verified = true
			case "false", "0":
			default:
				return nil, fmt.Errorf("verified is %s", r[2])
			}
			if at != nil {
				i.VerifiedAt = fromMicros(*at)
			}
		} else {
			if len(r) != 3 {
				return nil, fmt.Errorf("claim of %d fields", len(r))
			}
			if err := errors.Join(json.Unmarshal(r[0], &i.Kind), json.Unmarshal(r[1], &i.Value), json.Unmarshal(r[2], &i.VerifiedBy)); err != nil {
				return nil, err
			}
		}
		out = append(out, i)
	}
	slices.SortFunc(out, func(a, b persona.Identifier) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return out, nil
}

// Identifiers lists a persona's identifiers.
func (s *Store) Identifiers(ctx context.Context, tenantID, personaID string) ([]persona.Identifier, error) {
	// Sorted here, not in SQL: ORDER BY kind, value makes SQLite walk the
	// primary key (every identifier of the tenant) instead of the persona index.
	rows, err := s.r.QueryContext(ctx, `SELECT kind, value, verified, verified_by, verified_at FROM persona_identifiers
		WHERE tenant_id = $1 AND persona_id = $2`, tenantID, personaID)
	if err != nil {
		return nil, fmt.Errorf("list identifiers: %w", err)
	}
	ids, err := collect(rows, scanIdentifier)
	if ids == nil {
		ids = []persona.Identifier{}
	}
	slices.SortFunc(ids, func(a, b persona.Identifier) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return ids, err
}

func scanIdentifier(row interface{ Scan(...any) error }) (persona.Identifier, error) {
	var i persona.Identifier
	var at sql.NullInt64
	err := row.Scan(&i.Kind, &i.Value, &i.Verified, &i.VerifiedBy, &at)
	if at.Valid {
		i.VerifiedAt = fromMicros(at.Int64)
	}
	return i, err
}

// PersonaIDByIdentifier finds who holds an identifier in the tenant.
func (s *Store) PersonaIDByIdentifier(ctx context.Context, tenantID string, id persona.Identifier) (string, error) {
	pid, _, err := s.IdentifierHolder(ctx, tenantID, id)
	return pid, err
}

// IdentifierHolder finds who holds an identifier in the tenant, and the
// identifier as held (whether and how it was proven). Claims are not holdings.
func (s *Store) IdentifierHolder(ctx context.Context, tenantID string, id persona.Identifier) (string, persona.Identifier, error) {
	var pid string
	var at sql.NullInt64
	held := persona.Identifier{Kind: id.Kind, Value: id.Value}
	err := s.r.QueryRowContext(ctx, `SELECT persona_id, verified, verified_by, verified_at FROM persona_identifiers
		WHERE tenant_id = $1 AND kind = $2 AND value = $3`, tenantID, id.Kind, id.Value).Scan(&pid, &held.Verified, &held.VerifiedBy, &at)
	if err != nil {
		return "", held, notFound("identifier "+id.String(), err)
	}
	if at.Valid {
		held.VerifiedAt = fromMicros(at.Int64)
	}
	return pid, held, nil
}

// Personas lists the tenant's personas that were not merged away, with their
// identifiers and claims.
func (s *Store) Personas(ctx context.Context, tenantID string, page Page) ([]persona.Persona, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+personaColumns+` FROM personas
		WHERE tenant_id = $1 AND merged_into IS NULL AND id > $2 ORDER BY id LIMIT $3`, tenantID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list personas: %w", err)
	}
	ps, err := collect(rows, scanPersona)
	if err != nil {
		return nil, fmt.Errorf("list personas: %w", err)
	}
	return ps, s.fillIdentifiers(ctx, tenantID, ps)
}

// UpdatePersona writes a persona's name, time zone, language and attributes.
func (s *Store) UpdatePersona(ctx context.Context, p persona.Persona) error {
	res, err := s.w.ExecContext(ctx, `UPDATE personas SET name = $3, time_zone = $4, language = $5, attributes = $6, updated_at = $7
		WHERE tenant_id = $1 AND id = $2`, p.TenantID, p.ID, p.Name, p.TimeZone, p.Language, attrsJSON(p.Attributes), micros(p.UpdatedAt))
	return affectedOne("update persona "+p.ID, res, err)
}

// PersonaMerge is a merge as recorded, with what it moved.
type PersonaMerge struct {
	ID, TenantID, SurvivorID, MergedID, ActorID string
	Identifiers                                 []persona.Identifier
	// Claims moved with the merge; a claim the survivor had already stays
	// with the merged persona.
	Claims []persona.Identifier
	// Demoted are identifiers (of either persona) that the merge turned into
	// claims of the survivor, as the caller decided (persona.MergeDemotes);
	// undo makes them identifiers again.
	Demoted             []persona.Identifier
	Conversations       []string
	CreatedAt, UndoneAt time.Time
}

// MergePersonas moves the merged persona's identifiers and conversations to the
// survivor, marks it merged, and records what moved. Run it in a transaction.
func (s *Store) MergePersonas(ctx context.Context, m PersonaMerge) (PersonaMerge, error) {
	var err error
	if m.Identifiers, err = s.Identifiers(ctx, m.TenantID, m.MergedID); err != nil {
		return m, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM conversations WHERE tenant_id = $1 AND persona_id = $2`, m.TenantID, m.MergedID)
	if err != nil {
		return m, fmt.Errorf("merge: %w", err)
	}
	if m.Conversations, err = collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	}); err != nil {
		return m, err
	}
	if m.Claims, err = s.movableClaims(ctx, m.TenantID, m.MergedID, m.SurvivorID); err != nil {
		return m, err
	}
	for _, c := range m.Claims {
		if err := s.moveClaim(ctx, m.TenantID, c, m.MergedID, m.SurvivorID); err != nil {
			return m, fmt.Errorf("merge: %w", err)
		}
	}
	for _, q := range []string{
		`UPDATE persona_identifiers SET persona_id = $3 WHERE tenant_id = $1 AND persona_id = $2`,
		`UPDATE conversations SET persona_id = $3, version = version + 1 WHERE tenant_id = $1 AND persona_id = $2`,
		`UPDATE personas SET merged_into = $3 WHERE tenant_id = $1 AND id = $2`,
	} {
		if _, err := s.w.ExecContext(ctx, q, m.TenantID, m.MergedID, m.SurvivorID); err != nil {
			return m, fmt.Errorf("merge: %w", err)
		}
	}
	for _, id := range m.Demoted {
		if err := s.ReleaseIdentifier(ctx, m.TenantID, m.SurvivorID, id, m.CreatedAt); err != nil {
			return m, fmt.Errorf("merge: %w", err)
		}
	}
	moved, _ := json.Marshal(map[string]any{"identifiers": m.Identifiers, "claims": m.Claims, "demoted": m.Demoted, "conversations": m.Conversations})
	_, err = s.w.ExecContext(ctx, `INSERT INTO persona_merges (id, tenant_id, survivor_id, merged_id, moved, actor_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.TenantID, m.SurvivorID, m.MergedID, string(moved), m.ActorID, micros(m.CreatedAt))
	if err != nil {
		return m, fmt.Errorf("record merge: %w", err)
	}
	return m, nil
}

// PersonaMergeRecord returns a recorded merge.
func (s *Store) PersonaMergeRecord(ctx context.Context, tenantID, id string) (PersonaMerge, error) {
	m := PersonaMerge{ID: id, TenantID: tenantID}
	var moved string
	var created int64
	var undone *int64
	err := s.r.QueryRowContext(ctx, `SELECT survivor_id, merged_id, moved, actor_id, created_at, undone_at FROM persona_merges
		WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&m.SurvivorID, &m.MergedID, &moved, &m.ActorID, &created, &undone)
	if err != nil {
		return m, notFound("merge "+id, err)
	}
	var mv struct {
		Identifiers   []persona.Identifier `json:"identifiers"`
		Claims        []persona.Identifier `json:"claims"`
		Demoted       []persona.Identifier `json:"demoted"`
		Conversations []string             `json:"conversations"`
	}
	if err := json.Unmarshal([]byte(moved), &mv); err != nil {
		return m, fmt.Errorf("merge %s: %w", id, err)
	}
	m.Identifiers, m.Claims, m.Demoted, m.Conversations, m.CreatedAt = mv.Identifiers, mv.Claims, mv.Demoted, mv.Conversations, fromMicros(created)
	if undone != nil {
		m.UndoneAt = fromMicros(*undone)
	}
	return m, nil
}

// UnmergePersonas moves back exactly what a merge moved. Run it in a transaction.
func (s *Store) UnmergePersonas(ctx context.Context, m PersonaMerge, at time.Time) error {
	// Demoted identifiers are held again; one a proven contact has taken
	// since (it now belongs to someone else) stays a claim.
	for _, id := range m.Demoted {
		res, err := s.w.ExecContext(ctx, `INSERT INTO persona_identifiers (tenant_id, kind, value, persona_id, verified, verified_by, verified_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
			m.TenantID, id.Kind, id.Value, m.SurvivorID, id.Verified, id.VerifiedBy, nullMicros(id.VerifiedAt), micros(at))
		if err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue
		}
		if _, err := s.w.ExecContext(ctx, `DELETE FROM persona_claims WHERE tenant_id = $1 AND persona_id = $2 AND kind = $3 AND value = $4`,
			m.TenantID, m.SurvivorID, id.Kind, id.Value); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
	}
	for _, id := range m.Identifiers {
		// Only from the survivor: an identifier someone else holds now (a
		// demoted one a new contact took) stays theirs.
		if _, err := s.w.ExecContext(ctx, `UPDATE persona_identifiers SET persona_id = $4 WHERE tenant_id = $1 AND kind = $2 AND value = $3 AND persona_id = $5`,
			m.TenantID, id.Kind, id.Value, m.MergedID, m.SurvivorID); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
	}
	for _, c := range m.Claims {
		if err := s.moveClaim(ctx, m.TenantID, c, m.SurvivorID, m.MergedID); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
	}
	for _, c := range m.Conversations {
		if _, err := s.w.ExecContext(ctx, `UPDATE conversations SET persona_id = $3, version = version + 1 WHERE tenant_id = $1 AND id = $2`, m.TenantID, c, m.MergedID); err != nil {
			return fmt.Errorf("unmerge: %w", err)
		}
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE personas SET merged_into = NULL WHERE tenant_id = $1 AND id = $2`, m.TenantID, m.MergedID); err != nil {
		return fmt.Errorf("unmerge: %w", err)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE persona_merges SET undone_at = $3 WHERE tenant_id = $1 AND id = $2 AND undone_at IS NULL`,
		m.TenantID, m.ID, micros(at))
	return affectedOne("unmerge "+m.ID, res, err)
}
