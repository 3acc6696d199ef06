package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
)

// The claim takes deliveries that are due: pending ones whose time has come,
// sent ones whose confirmation deadline passed, and sending ones whose
// worker's lease ran out (it crashed). claimed_from keeps the status a row
// was first claimed in, so a re-claimed confirmation timeout is still one.
// Each claim takes the next number (claims), the token the sender's outcome
// must carry to be written (UpdateDeliveries). Re-claiming a row whose worker
// died mid-send counts that send as a try: it may have reached the provider,
// so the next one looks for it before sending again (channel.Outbound.Resend).
//
// A fresh claim clears the hand-over mark (MarkHandedOver); a takeover keeps
// it, so the taker knows the try it takes over may have reached the customer.
const claimSet = `status = 'sending', lease_until = $2, claims = claims + 1,
	tries = CASE WHEN status = 'sending' AND claimed_from <> 'sent' THEN tries + 1 ELSE tries END,
	handed_over = CASE WHEN status = 'sending' THEN handed_over ELSE 0 END,
	claimed_from = CASE WHEN status = 'sending' THEN claimed_from ELSE status END`

// SQLite has one writer, so one UPDATE over a chosen set of rows is enough.
var claimSQLite = `UPDATE notify_deliveries SET ` + claimSet + `
	WHERE rowid IN (
		SELECT rowid FROM notify_deliveries WHERE status IN ('pending', 'sent') AND due_at <= $1
		UNION ALL
		SELECT rowid FROM notify_deliveries WHERE status = 'sending' AND lease_until < $1
		LIMIT $3)
	RETURNING ` + deliveryColumns + `, claimed_from, claims, handed_over`

// PostgreSQL has many: SKIP LOCKED lets each take rows no other is taking.
var claimPostgres = `UPDATE notify_deliveries d SET status = 'sending', lease_until = $2, claims = d.claims + 1,
	tries = CASE WHEN d.status = 'sending' AND d.claimed_from <> 'sent' THEN d.tries + 1 ELSE d.tries END,
	handed_over = CASE WHEN d.status = 'sending' THEN d.handed_over ELSE 0 END,
	claimed_from = CASE WHEN d.status = 'sending' THEN d.claimed_from ELSE d.status END
	FROM (SELECT tenant_id, id FROM notify_deliveries
		WHERE (status IN ('pending', 'sent') AND due_at <= $1) OR (status = 'sending' AND lease_until < $1)
		LIMIT $3 FOR UPDATE SKIP LOCKED) c
	WHERE d.tenant_id = c.tenant_id AND d.id = c.id
	RETURNING ` + deliveryColumnsOf("d") + `, d.claimed_from, d.claims, d.handed_over`

// ClaimDeliveries takes up to limit due deliveries of any tenant for a worker
// until leaseUntil, setting them sending. Each is returned as it was, but
// with Status StatusSending, or StatusSent for one whose confirmation
// deadline passed (the sender moves it to the next channel), and the claim's
// number in Claim. HandedOver is set on a takeover of a delivery whose
// earlier claim marked its try handed over (MarkHandedOver) before its
// worker stopped. Nodes claiming at once never get the same row.
func (s *Store) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]notice.Delivery, error) {
	q := claimSQLite
	if s.engine == Postgres {
		q = claimPostgres
	}
	rows, err := s.w.QueryContext(ctx, q, micros(now), micros(leaseUntil), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (notice.Delivery, error) {
		var from string
		var claim, handedOver int64
		d, err := scanDelivery(r, &from, &claim, &handedOver)
		d.Claim = claim
		d.HandedOver = handedOver != 0
		d.Status = notice.StatusSending
		if from == notice.StatusSent {
			d.Status = notice.StatusSent
		}
		return d, err
	})
}

// NextDeliveryDue is when a claim would next find something: the earliest
// due time of a pending or sent delivery, or the earliest lease of a sending
// one; ok is false when there is none. It is a read, on the partial indexes
// the claim uses: a sender that finds nothing due asks this instead of
// claiming, so an idle node commits no empty claim every poll.
func (s *Store) NextDeliveryDue(ctx context.Context) (at time.Time, ok bool, err error) {
	var due, lease sql.NullInt64
	err = s.r.QueryRowContext(ctx, `SELECT
		(SELECT MIN(due_at) FROM notify_deliveries WHERE status IN ('pending', 'sent')),
		(SELECT MIN(lease_until) FROM notify_deliveries WHERE status = 'sending')`).Scan(&due, &lease)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next delivery due: %w", err)
	}
	switch {
	case due.Valid && (!lease.Valid || due.Int64 <= lease.Int64):
		return fromMicros(due.Int64), true, nil
	case lease.Valid:
		return fromMicros(lease.Int64), true, nil
	}
	return time.Time{}, false, nil
}
