package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/persona"
)

// PersonasByIdentifier returns the personas of every tenant that hold the
// identifier, by tenant, with their identifiers. Only the consumer portal
// asks across tenants: the customer proved they hold the identifier.
func (s *Store) PersonasByIdentifier(ctx context.Context, id persona.Identifier) ([]persona.Persona, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+personaColumns+` FROM personas WHERE id IN
		(SELECT persona_id FROM persona_identifiers WHERE kind = $1 AND value = $2) AND merged_into IS NULL
		ORDER BY tenant_id, id`, id.Kind, id.Value)
	if err != nil {
		return nil, fmt.Errorf("personas by identifier: %w", err)
	}
	ps, err := collect(rows, scanPersona)
	if err != nil {
		return nil, fmt.Errorf("personas by identifier: %w", err)
	}
	for i := range ps {
		if ps[i].Identifiers, err = s.Identifiers(ctx, ps[i].TenantID, ps[i].ID); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// PortalCode is a sign-in code sent to a customer, stored hashed.
type PortalCode struct {
	ID         string
	Identifier string // "kind:value"
	CodeHash   string
	Attempts   int // wrong guesses so far
	ExpiresAt  time.Time
	UsedAt     time.Time // zero until used
	CreatedAt  time.Time
}

const portalCodeColumns = `id, identifier, code_hash, attempts, expires_at, used_at, created_at`

func scanPortalCode(r interface{ Scan(...any) error }) (PortalCode, error) {
	var c PortalCode
	var expires, created int64
	var used sql.NullInt64
	err := r.Scan(&c.ID, &c.Identifier, &c.CodeHash, &c.Attempts, &expires, &used, &created)
	c.ExpiresAt, c.UsedAt, c.CreatedAt = fromMicros(expires), fromMicros(used.Int64), fromMicros(created)
	return c, err
}

// CreatePortalCode stores a sign-in code.
func (s *Store) CreatePortalCode(ctx context.Context, c PortalCode) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO portal_codes (`+portalCodeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.Identifier, c.CodeHash, c.Attempts, micros(c.ExpiresAt), nullMicros(c.UsedAt), micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("create portal code: %w", err)
	}
	return nil
}

// PortalCode returns a sign-in code by id.
func (s *Store) PortalCode(ctx context.Context, id string) (PortalCode, error) {
	c, err := scanPortalCode(s.r.QueryRowContext(ctx, `SELECT `+portalCodeColumns+` FROM portal_codes WHERE id = $1`, id))
	if err != nil {
		return c, notFound("portal code", err)
	}
	return c, nil
}

// LatestPortalCode returns the newest code sent to an identifier; the caller
// checks that it is unused, unexpired and not guessed at too often.
func (s *Store) LatestPortalCode(ctx context.Context, identifier string) (PortalCode, error) {
	c, err := scanPortalCode(s.r.QueryRowContext(ctx, `SELECT `+portalCodeColumns+` FROM portal_codes
		WHERE identifier = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, identifier))
	if err != nil {
		return c, notFound("portal code", err)
	}
	return c, nil
}

// PortalCodeAttempt counts a wrong guess at a code and returns the count.
func (s *Store) PortalCodeAttempt(ctx context.Context, id string) (int, error) {
	var n int
	err := s.w.QueryRowContext(ctx, `UPDATE portal_codes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, id).Scan(&n)
	if err != nil {
		return 0, notFound("portal code", err)
	}
	return n, nil
}

// UsePortalCode marks a code used, once: a code already used, or expired at
// the given time, is ErrNotFound, so two racing sign-ins cannot both use it.
func (s *Store) UsePortalCode(ctx context.Context, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE portal_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2`,
		id, micros(at))
	return affectedOne("use portal code", res, err)
}

// PortalSession is a customer's signed-in portal session, by its token's
// hash. TenantID and PersonaID are set for a session opened by a signed link,
// which reaches that one persona only.
type PortalSession struct {
	TokenHash           string
	Identifier          string // "kind:value"; empty for a link session
	TenantID, PersonaID string
	ExpiresAt           time.Time
	CreatedAt           time.Time
}

// CreatePortalSession stores a session.
func (s *Store) CreatePortalSession(ctx context.Context, p PortalSession) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO portal_sessions (token_hash, identifier, tenant_id, persona_id, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, p.TokenHash, p.Identifier, p.TenantID, p.PersonaID, micros(p.ExpiresAt), micros(p.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create portal session: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create portal session: %w", err)
	}
	return nil
}

// PortalSession returns the session with the token hash that is still valid
// at now.
func (s *Store) PortalSession(ctx context.Context, tokenHash string, now time.Time) (PortalSession, error) {
	p := PortalSession{TokenHash: tokenHash}
	var expires, created int64
	err := s.r.QueryRowContext(ctx, `SELECT identifier, tenant_id, persona_id, expires_at, created_at FROM portal_sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, micros(now)).Scan(&p.Identifier, &p.TenantID, &p.PersonaID, &expires, &created)
	if err != nil {
		return p, notFound("portal session", err)
	}
	p.ExpiresAt, p.CreatedAt = fromMicros(expires), fromMicros(created)
	return p, nil
}

// DeletePortalSession ends a session; ending one that is gone is no error.
func (s *Store) DeletePortalSession(ctx context.Context, tokenHash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM portal_sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete portal session: %w", err)
	}
	return nil
}

// PortalCodeKeep is how long past its expiry a sign-in code is kept: the
// portal counts an identifier's codes of the last day to cap them.
const PortalCodeKeep = 24 * time.Hour

// DeleteExpiredPortal deletes sessions expired before now and codes expired
// more than PortalCodeKeep before now, and returns how many rows went.
func (s *Store) DeleteExpiredPortal(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, d := range []struct {
		q      string
		before time.Time
	}{
		{`DELETE FROM portal_codes WHERE expires_at <= $1`, now.Add(-PortalCodeKeep)},
		{`DELETE FROM portal_sessions WHERE expires_at <= $1`, now},
	} {
		res, err := s.w.ExecContext(ctx, d.q, micros(d.before))
		if err != nil {
			return total, fmt.Errorf("delete expired portal rows: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// PortalCodesSince counts the sign-in codes made for identifier since the
// given time (at most PortalCodeKeep ago).
func (s *Store) PortalCodesSince(ctx context.Context, identifier string, since time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM portal_codes WHERE identifier = $1 AND created_at >= $2`,
		identifier, micros(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count portal codes: %w", err)
	}
	return n, nil
}

// ProveIdentifier marks every persona's holding of the identifier, in every
// tenant, as proven by method at at, where it was not proven yet. Only the
// consumer portal calls it, after the customer signed in with a code or link
// sent to the identifier: that proves control of it wherever it is held.
// Holdings proven another way keep their method.
func (s *Store) ProveIdentifier(ctx context.Context, id persona.Identifier, method persona.Method, at time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE persona_identifiers SET verified = TRUE, verified_by = $3, verified_at = $4
		WHERE kind = $1 AND value = $2 AND NOT verified`, id.Kind, id.Value, string(method), micros(at))
	if err != nil {
		return 0, fmt.Errorf("prove identifier: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prove identifier: %w", err)
	}
	return n, nil
}
