package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// InsertAttachment stores a file's bytes.
func (s *Store) InsertAttachment(ctx context.Context, tenantID string, a conversation.Attachment, data []byte, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO attachments (id, tenant_id, name, content_type, size, content_id, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, tenantID, a.Name, a.ContentType, a.Size, a.ContentID, data, micros(at))
	if err != nil {
		return fmt.Errorf("insert attachment: %w", err)
	}
	return nil
}

// Attachment returns a file of the tenant, with its bytes. A file of a
// swarm room is not among them: only the room's members read it
// (SwarmAttachment).
func (s *Store) Attachment(ctx context.Context, tenantID, id string) (conversation.Attachment, []byte, error) {
	var a conversation.Attachment
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT id, name, content_type, size, content_id, data FROM attachments WHERE tenant_id = $1 AND id = $2
		AND NOT EXISTS (SELECT 1 FROM swarm_attachments f WHERE f.attachment_id = attachments.id)
		AND NOT EXISTS (SELECT 1 FROM call_recordings c WHERE c.attachment_id = attachments.id)`,
		tenantID, id).Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.ContentID, &data)
	if err != nil {
		return a, nil, notFound("attachment "+id, err)
	}
	return a, data, nil
}
