package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CallbackRecord is a customer's request to be called back at Phone between
// NotBefore and NotAfter (TimeZone is theirs, for showing the window). Attempts
// is a JSON array of the calls made, kept as the caller writes it.
type CallbackRecord struct {
	ID, TenantID, PersonaID, ConversationID, QueueID string
	Phone, TimeZone                                  string
	State                                            string // waiting, offered, in_progress, done, expired, cancelled
	Outcome                                          string
	NotBefore, NotAfter                              time.Time
	Attempts                                         json.RawMessage
	CreatedAt, UpdatedAt                             time.Time
}

const callbackColumns = `id, tenant_id, persona_id, conversation_id, queue_id, phone, time_zone, not_before, not_after,
	state, outcome, attempts, created_at, updated_at`

func scanCallback(row interface{ Scan(...any) error }) (CallbackRecord, error) {
	var c CallbackRecord
	var attempts string
	var notBefore, notAfter, created, updated int64
	err := row.Scan(&c.ID, &c.TenantID, &c.PersonaID, &c.ConversationID, &c.QueueID, &c.Phone, &c.TimeZone, &notBefore, &notAfter,
		&c.State, &c.Outcome, &attempts, &created, &updated)
	c.Attempts = json.RawMessage(attempts)
	c.NotBefore, c.NotAfter = fromMicros(notBefore), fromMicros(notAfter)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

// InsertCallback stores a new callback; an id that exists is ErrConflict.
func (s *Store) InsertCallback(ctx context.Context, c CallbackRecord) error {
	attempts, err := jsonText("insert callback "+c.ID, c.Attempts, "[]")
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO callbacks (`+callbackColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.TenantID, c.PersonaID, c.ConversationID, c.QueueID, c.Phone, c.TimeZone, micros(c.NotBefore), micros(c.NotAfter),
		c.State, c.Outcome, attempts, micros(c.CreatedAt), micros(c.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("insert callback %s: %w", c.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert callback %s: %w", c.ID, err)
	}
	return nil
}

// Callback returns the tenant's callback.
func (s *Store) Callback(ctx context.Context, tenantID, id string) (CallbackRecord, error) {
	c, err := scanCallback(s.r.QueryRowContext(ctx, `SELECT `+callbackColumns+` FROM callbacks WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return c, notFound("callback "+id, err)
	}
	return c, nil
}

// Callbacks lists the tenant's callbacks in state (every state if ""), newest
// first, before the cursor.
func (s *Store) Callbacks(ctx context.Context, tenantID, state string, page Page) ([]CallbackRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+callbackColumns+` FROM callbacks
		WHERE tenant_id = $1 AND ($2 = '' OR state = $2) AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4`,
		tenantID, state, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list callbacks: %w", err)
	}
	return collect(rows, scanCallback)
}

// DueCallbacks lists up to limit (0 or less: MaxPageSize) waiting callbacks of
// every tenant whose window has opened by now, earliest first. It is not
// tenant-scoped.
func (s *Store) DueCallbacks(ctx context.Context, now time.Time, limit int) ([]CallbackRecord, error) {
	if limit <= 0 {
		limit = MaxPageSize
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+callbackColumns+` FROM callbacks
		WHERE state = 'waiting' AND not_before <= $1 ORDER BY not_before, id LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due callbacks: %w", err)
	}
	return collect(rows, scanCallback)
}

// UpdateCallback writes every field of the tenant's callback but its persona
// and creation time.
func (s *Store) UpdateCallback(ctx context.Context, c CallbackRecord) error {
	attempts, err := jsonText("update callback "+c.ID, c.Attempts, "[]")
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE callbacks SET conversation_id = $3, queue_id = $4, phone = $5, time_zone = $6,
		not_before = $7, not_after = $8, state = $9, outcome = $10, attempts = $11, updated_at = $12
		WHERE tenant_id = $1 AND id = $2`,
		c.TenantID, c.ID, c.ConversationID, c.QueueID, c.Phone, c.TimeZone, micros(c.NotBefore), micros(c.NotAfter),
		c.State, c.Outcome, attempts, micros(c.UpdatedAt))
	return affectedOne("update callback "+c.ID, res, err)
}
