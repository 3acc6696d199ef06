package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// KeepEarlyReceipt keeps a provider's receipt about a message whose send has
// not recorded the provider's id yet, until TakeEarlyReceipts claims it. The
// same status twice is kept once.
func (s *Store) KeepEarlyReceipt(ctx context.Context, tenantID, channel, externalID, status string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO early_receipts (tenant_id, channel, external_id, status, received_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, channel, external_id, status) DO NOTHING`,
		tenantID, channel, externalID, status, micros(at))
	if err != nil {
		return fmt.Errorf("keep early receipt: %w", err)
	}
	return nil
}

// TakeEarlyReceipts returns and deletes the receipts kept for a message's
// provider id, in no particular order.
func (s *Store) TakeEarlyReceipts(ctx context.Context, tenantID, channel, externalID string) ([]string, error) {
	rows, err := s.w.QueryContext(ctx, `DELETE FROM early_receipts WHERE tenant_id = $1 AND channel = $2 AND external_id = $3
		RETURNING status`, tenantID, channel, externalID)
	if err != nil {
		return nil, fmt.Errorf("take early receipts: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var st string
		return st, r.Scan(&st)
	})
}

// PruneEarlyReceipts deletes up to limit early receipts received before
// before that no send claimed, across tenants; it returns how many.
func (s *Store) PruneEarlyReceipts(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM early_receipts WHERE (tenant_id, channel, external_id, status) IN (
		SELECT tenant_id, channel, external_id, status FROM early_receipts WHERE received_at < $1 LIMIT $2)`, micros(before), limit)
	if err != nil {
		return 0, fmt.Errorf("prune early receipts: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// EarlyReceiptKey names the message kept receipts are about.
type EarlyReceiptKey struct {
	TenantID, Channel, ExternalID string
}

// TakeEarlyReceiptsFor returns and deletes the receipts kept for any of
// keys, by key, in one statement per earlyReceiptChunk keys: a sender
// recording a batch of provider ids claims what arrived before them at once.
func (s *Store) TakeEarlyReceiptsFor(ctx context.Context, keys []EarlyReceiptKey) (map[EarlyReceiptKey][]string, error) {
	out := map[EarlyReceiptKey][]string{}
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), earlyReceiptChunk)]
		keys = keys[len(chunk):]
		var q strings.Builder
		q.WriteString(`DELETE FROM early_receipts WHERE (tenant_id, channel, external_id) IN (VALUES `)
		args := make([]any, 0, 3*len(chunk))
		for i, k := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
			args = append(args, k.TenantID, k.Channel, k.ExternalID)
		}
		q.WriteString(`) RETURNING tenant_id, channel, external_id, status`)
		rows, err := s.w.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("take early receipts: %w", err)
		}
		for rows.Next() {
			var k EarlyReceiptKey
			var st string
			if err := rows.Scan(&k.TenantID, &k.Channel, &k.ExternalID, &st); err != nil {
				rows.Close()
				return nil, fmt.Errorf("take early receipts: %w", err)
			}
			out[k] = append(out[k], st)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("take early receipts: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("take early receipts: %w", err)
		}
	}
	return out, nil
}

// earlyReceiptChunk bounds the keys of one TakeEarlyReceiptsFor statement
// (three parameters each).
const earlyReceiptChunk = 300
