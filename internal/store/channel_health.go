package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// RecordSend notes one delivery attempt on a tenant's channel: a success
// clears the run of failures, a failure adds to it with its reason.
func (s *Store) RecordSend(ctx context.Context, tenantID, ch string, ok bool, reason string, at time.Time) error {
	var err error
	if ok {
		_, err = s.w.ExecContext(ctx, `INSERT INTO channel_health (tenant_id, channel, last_success_at, failures) VALUES ($1, $2, $3, 0)
			ON CONFLICT (tenant_id, channel) DO UPDATE SET last_success_at = $3, failures = 0`, tenantID, ch, micros(at))
	} else {
		_, err = s.w.ExecContext(ctx, `INSERT INTO channel_health (tenant_id, channel, last_failure_at, last_error, failures) VALUES ($1, $2, $3, $4, 1)
			ON CONFLICT (tenant_id, channel) DO UPDATE SET last_failure_at = $3, last_error = $4, failures = channel_health.failures + 1`,
			tenantID, ch, micros(at), reason)
	}
	if err != nil {
		return fmt.Errorf("record send on %s: %w", ch, err)
	}
	return nil
}

// SendRecords lists how the tenant's sends have gone, by channel.
func (s *Store) SendRecords(ctx context.Context, tenantID string) ([]channel.SendRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT channel, last_success_at, last_failure_at, last_error, failures
		FROM channel_health WHERE tenant_id = $1 ORDER BY channel`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("send records: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (channel.SendRecord, error) {
		var rec channel.SendRecord
		var ok, failed int64
		err := r.Scan(&rec.Channel, &ok, &failed, &rec.LastError, &rec.Failures)
		rec.LastSuccess, rec.LastFailure = fromMicros(ok), fromMicros(failed)
		return rec, err
	})
}

// RequeueFailedMessage puts a failed outbound message back to queued with the
// given meta, and reports whether it did: false when it was not failed (sent
// meanwhile, or already requeued by another click), so a retry happens once.
func (s *Store) RequeueFailedMessage(ctx context.Context, tenantID, id string, meta []byte, at time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET status = 'queued', meta = $3, updated_at = $4
		WHERE tenant_id = $1 AND id = $2 AND status = 'failed'`, tenantID, id, metaText(meta), micros(at))
	if err != nil {
		return false, fmt.Errorf("requeue message %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetMessageMeta replaces a message's meta (JSON; empty for none).
func (s *Store) SetMessageMeta(ctx context.Context, tenantID, id string, meta []byte) error {
	res, err := s.w.ExecContext(ctx, `UPDATE messages SET meta = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, metaText(meta))
	return affectedOne("message meta "+id, res, err)
}

// metaText is a message's meta as stored: "{}" for none.
func metaText(meta []byte) string {
	if len(meta) == 0 {
		return "{}"
	}
	return string(meta)
}
