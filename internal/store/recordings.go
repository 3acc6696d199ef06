package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// RecordingPolicy is a tenant's call recording policy as stored
// (internal/voice/recording.Policy); ok is false when the tenant never set one.
type RecordingPolicy struct {
	Mode          string
	RetentionDays int
	UpdatedAt     time.Time
}

// RecordingPolicy returns the tenant's policy; ErrNotFound when it has none.
func (s *Store) RecordingPolicy(ctx context.Context, tenantID string) (RecordingPolicy, error) {
	var p RecordingPolicy
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT mode, retention_days, updated_at FROM recording_policies WHERE tenant_id = $1`,
		tenantID).Scan(&p.Mode, &p.RetentionDays, &at)
	if err != nil {
		return p, notFound("recording policy", err)
	}
	p.UpdatedAt = fromMicros(at)
	return p, nil
}

// PutRecordingPolicy stores the tenant's policy, replacing the one before.
func (s *Store) PutRecordingPolicy(ctx context.Context, tenantID string, p RecordingPolicy) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO recording_policies (tenant_id, mode, retention_days, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET mode = excluded.mode,
		retention_days = excluded.retention_days, updated_at = excluded.updated_at`,
		tenantID, p.Mode, p.RetentionDays, micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put recording policy: %w", err)
	}
	return nil
}

// CallRecording is one call's recording, or the refusal to make one
// (Consent "refused", no attachment). DeletedAt is set once retention
// removed the audio.
type CallRecording struct {
	CallID         string
	TenantID       string
	ConversationID string
	AgentID        string
	Consent        string
	AttachmentID   string
	Size           int64
	Seconds        int
	RetentionDays  int
	CreatedAt      time.Time
	DeletedAt      time.Time
}

const recordingColumns = `call_id, tenant_id, conversation_id, agent_id, consent, attachment_id, size, seconds, retention_days, created_at, deleted_at`

func scanRecording(row interface{ Scan(...any) error }) (CallRecording, error) {
	var r CallRecording
	var created, deleted int64
	err := row.Scan(&r.CallID, &r.TenantID, &r.ConversationID, &r.AgentID, &r.Consent, &r.AttachmentID, &r.Size, &r.Seconds,
		&r.RetentionDays, &created, &deleted)
	r.CreatedAt, r.DeletedAt = fromMicros(created), fromMicros(deleted)
	return r, err
}

// InsertCallRecording stores a call's recording row, and its audio as an
// attachment of the tenant when data is not nil (r.AttachmentID names it).
// The audio is not among the conversation attachments the general route
// serves (Attachment). Run it in a transaction; a second row for one call
// is ErrConflict.
func (s *Store) InsertCallRecording(ctx context.Context, r CallRecording, name, contentType string, data []byte) error {
	if data != nil {
		a := conversation.Attachment{ID: r.AttachmentID, Name: name, ContentType: contentType, Size: int64(len(data))}
		if err := s.InsertAttachment(ctx, r.TenantID, a, data, r.CreatedAt); err != nil {
			return err
		}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO call_recordings (`+recordingColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, r.CallID, r.TenantID, r.ConversationID, r.AgentID, r.Consent,
		r.AttachmentID, r.Size, r.Seconds, r.RetentionDays, micros(r.CreatedAt), micros(r.DeletedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("call recording %s: %w", r.CallID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert call recording: %w", err)
	}
	return nil
}

// CallRecording returns the tenant's recording row of a call.
func (s *Store) CallRecording(ctx context.Context, tenantID, callID string) (CallRecording, error) {
	r, err := scanRecording(s.r.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM call_recordings
		WHERE tenant_id = $1 AND call_id = $2`, tenantID, callID))
	if err != nil {
		return r, notFound("call recording "+callID, err)
	}
	return r, nil
}

// CallRecordingAudio returns a kept recording's audio; ErrNotFound when
// there is none (refused, deleted, another tenant's).
func (s *Store) CallRecordingAudio(ctx context.Context, tenantID, callID string) (CallRecording, conversation.Attachment, []byte, error) {
	r, err := s.CallRecording(ctx, tenantID, callID)
	if err != nil {
		return r, conversation.Attachment{}, nil, err
	}
	if r.AttachmentID == "" || !r.DeletedAt.IsZero() {
		return r, conversation.Attachment{}, nil, fmt.Errorf("call recording %s: %w", callID, ErrNotFound)
	}
	var a conversation.Attachment
	var data []byte
	err = s.r.QueryRowContext(ctx, `SELECT id, name, content_type, size, data FROM attachments WHERE tenant_id = $1 AND id = $2`,
		tenantID, r.AttachmentID).Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &data)
	if err != nil {
		return r, a, nil, notFound("call recording audio "+callID, err)
	}
	return r, a, data, nil
}

// KeptRecording is a recording whose audio is still stored, with the
// retention its tenant's policy sets now (0 when the tenant has no policy).
type KeptRecording struct {
	CallRecording
	PolicyDays int
}

// KeptRecordings lists up to limit recordings with audio made before
// `before`, oldest first, across tenants: the retention job's candidates.
func (s *Store) KeptRecordings(ctx context.Context, before time.Time, limit int) ([]KeptRecording, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.call_id, r.tenant_id, r.conversation_id, r.agent_id, r.consent, r.attachment_id,
		r.size, r.seconds, r.retention_days, r.created_at, r.deleted_at, COALESCE(p.retention_days, 0)
		FROM call_recordings r LEFT JOIN recording_policies p ON p.tenant_id = r.tenant_id
		WHERE r.deleted_at = 0 AND r.attachment_id <> '' AND r.created_at < $1 ORDER BY r.created_at LIMIT $2`, micros(before), limit)
	if err != nil {
		return nil, fmt.Errorf("kept recordings: %w", err)
	}
	defer rows.Close()
	var out []KeptRecording
	for rows.Next() {
		var k KeptRecording
		var created, deleted int64
		if err := rows.Scan(&k.CallID, &k.TenantID, &k.ConversationID, &k.AgentID, &k.Consent, &k.AttachmentID, &k.Size, &k.Seconds,
			&k.RetentionDays, &created, &deleted, &k.PolicyDays); err != nil {
			return nil, fmt.Errorf("kept recordings: %w", err)
		}
		k.CreatedAt, k.DeletedAt = fromMicros(created), fromMicros(deleted)
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeleteCallRecordingAudio removes a recording's audio and marks the row
// deleted at `at` after `days` of retention; false when it was gone already
// (another node's job got there first). Run it in a transaction.
func (s *Store) DeleteCallRecordingAudio(ctx context.Context, tenantID, callID string, days int, at time.Time) (bool, error) {
	var att string
	err := s.w.QueryRowContext(ctx, `SELECT attachment_id FROM call_recordings WHERE tenant_id = $1 AND call_id = $2 AND deleted_at = 0`,
		tenantID, callID).Scan(&att)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete call recording: %w", err)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE call_recordings SET deleted_at = $3, retention_days = $4
		WHERE tenant_id = $1 AND call_id = $2 AND deleted_at = 0`, tenantID, callID, micros(at), days)
	if err != nil {
		return false, fmt.Errorf("delete call recording: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if att != "" {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM attachments WHERE tenant_id = $1 AND id = $2`, tenantID, att); err != nil {
			return false, fmt.Errorf("delete call recording audio: %w", err)
		}
	}
	return true, nil
}
