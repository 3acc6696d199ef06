package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// HandOverMark names one claimed delivery whose try is being handed to a
// channel without idempotency (see MarkHandedOver).
type HandOverMark struct {
	TenantID, ID string
	Claim        int64 // the claim that holds it (notice.Delivery.Claim)
}

// MarkHandedOver records, in one statement, that each marked delivery's
// current try is being handed over: a node that takes one over after its
// worker stopped gets it with HandedOver set (ClaimDeliveries) and must not
// send it again. A mark is written only while its claim is the latest and
// the delivery still sending, fenced like UpdateDeliveries; ok[i] tells
// whether marks[i] was written (false: the lease was lost, do not send).
func (s *Store) MarkHandedOver(ctx context.Context, marks []HandOverMark) (ok []bool, err error) {
	if len(marks) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`UPDATE notify_deliveries SET handed_over = claims FROM (VALUES `)
	args := make([]any, 0, 3*len(marks))
	for i, m := range marks {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($%d, $%d, CAST($%d AS BIGINT))", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, m.TenantID, m.ID, m.Claim)
	}
	// VALUES' columns are column1… on both engines.
	q.WriteString(`) AS v WHERE notify_deliveries.tenant_id = v.column1 AND notify_deliveries.id = v.column2
		AND notify_deliveries.claims = v.column3 AND notify_deliveries.status = 'sending'
		RETURNING notify_deliveries.tenant_id, notify_deliveries.id`)
	rows, err := s.w.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("mark %d deliveries handed over: %w", len(marks), err)
	}
	defer rows.Close()
	marked := make(map[[2]string]bool, len(marks))
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, fmt.Errorf("mark deliveries handed over: %w", err)
		}
		marked[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mark deliveries handed over: %w", err)
	}
	ok = make([]bool, len(marks))
	for i, m := range marks {
		ok[i] = marked[[2]string{m.TenantID, m.ID}]
	}
	return ok, nil
}

// MarkMessageHandedOver records that the try named by try (the delivery
// job's id and attempt) is handing an outbound message to a channel without
// idempotency, while the message is still queued or failed (not yet
// recorded as sent). ErrNotFound: it is not (another try recorded it).
func (s *Store) MarkMessageHandedOver(ctx context.Context, tenantID, id, try string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET handed_over = $3
		WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'failed')`, tenantID, id, try)
	return affectedOne("mark message "+id+" handed over", res, err)
}

// MessageHandedOver is the try that last began handing the message over
// (MarkMessageHandedOver), "" for none.
func (s *Store) MessageHandedOver(ctx context.Context, tenantID, id string) (string, error) {
	var try string
	err := s.w.QueryRowContext(ctx, `SELECT handed_over FROM messages WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&try)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("message %s handed over: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("message %s handed over: %w", id, err)
	}
	return try, nil
}
