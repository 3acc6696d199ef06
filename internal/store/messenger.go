package store

import (
	"context"
	"fmt"
	"time"
)

// TouchMessengerWindow records that a customer (Meta's PSID or IGSID) wrote to
// a tenant's Page or Instagram account at at, and reports whether this is the
// first message the center has seen from them there. The time only moves
// forward: a late redelivery of an older message leaves a newer one standing.
func (s *Store) TouchMessengerWindow(ctx context.Context, tenantID, accountID, userID string, at time.Time) (first bool, err error) {
	var n int64
	err = s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messenger_windows WHERE tenant_id = $1 AND account_id = $2 AND user_id = $3`,
		tenantID, accountID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("messenger window: %w", err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO messenger_windows (tenant_id, account_id, user_id, last_inbound_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, account_id, user_id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at
		WHERE messenger_windows.last_inbound_at < excluded.last_inbound_at`,
		tenantID, accountID, userID, micros(at))
	if err != nil {
		return false, fmt.Errorf("touch messenger window: %w", err)
	}
	return n == 0, nil
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
