package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TouchMessengerWindow records that a customer (Meta's PSID or IGSID) wrote to
// a tenant's Page or Instagram account at at, and reports whether this is the
// first message the center has seen from them there. The time only moves
// forward: a late redelivery of an older message leaves a newer one standing.
// A time less than step after the one stored is not written — a customer
// writing several messages in a row costs one write — so the stored time may
// lag the truth by up to step, which only ever shortens the window.
func (s *Store) TouchMessengerWindow(ctx context.Context, tenantID, accountID, userID string, at time.Time, step time.Duration) (first bool, err error) {
	var prev int64
	err = s.r.QueryRowContext(ctx, `SELECT last_inbound_at FROM messenger_windows WHERE tenant_id = $1 AND account_id = $2 AND user_id = $3`,
		tenantID, accountID, userID).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		first = true
	case err != nil:
		return false, fmt.Errorf("messenger window: %w", err)
	case micros(at)-prev < step.Microseconds():
		return false, nil
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO messenger_windows (tenant_id, account_id, user_id, last_inbound_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, account_id, user_id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at
		WHERE messenger_windows.last_inbound_at < excluded.last_inbound_at`,
		tenantID, accountID, userID, micros(at))
	if err != nil {
		return false, fmt.Errorf("touch messenger window: %w", err)
	}
	return first, nil
}

// MessengerWindow is when the customer last wrote to the tenant's Page or
// Instagram account; ErrNotFound means never (as far as the center knows).
func (s *Store) MessengerWindow(ctx context.Context, tenantID, accountID, userID string) (time.Time, error) {
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT last_inbound_at FROM messenger_windows WHERE tenant_id = $1 AND account_id = $2 AND user_id = $3`,
		tenantID, accountID, userID).Scan(&at)
	if err != nil {
		return time.Time{}, notFound("messenger window", err)
	}
	return fromMicros(at), nil
}

// SentBefore lists the external ids of the messages sent to a persona on a
// channel, written at or before at, whose delivery is still "sent" or
// "delivered" (at most limit, oldest first): what a provider's watermark
// ("everything before this moment was read") moves forward.
func (s *Store) SentBefore(ctx context.Context, tenantID, personaID, channel string, at time.Time, limit int) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.external_id FROM messages m
		JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
		WHERE m.tenant_id = $1 AND c.persona_id = $2 AND m.channel = $3 AND m.direction = 'out' AND m.external_id <> ''
		AND m.status IN ('sent', 'delivered') AND m.created_at <= $4
		ORDER BY m.created_at LIMIT $5`, tenantID, personaID, channel, micros(at), limit)
	if err != nil {
		return nil, fmt.Errorf("messages sent before: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("messages sent before: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
