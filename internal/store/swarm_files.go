package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// AddSwarmUpload stores a file uploaded to a room: its bytes with the
// conversations' attachments, and the row that makes it the room's. Run
// it in a transaction.
func (s *Store) AddSwarmUpload(ctx context.Context, tenantID string, u swarm.Upload, data []byte, at time.Time) error {
	a := conversation.Attachment{ID: u.ID, Name: u.Name, ContentType: u.ContentType, Size: u.Size}
	if err := s.InsertAttachment(ctx, tenantID, a, data, at); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO swarm_attachments (attachment_id, tenant_id, room_id, message_id, uploaded_by, created_at)
		VALUES ($1, $2, $3, '', $4, $5)`, u.ID, tenantID, u.RoomID, u.UploadedBy, micros(at))
	if err != nil {
		return fmt.Errorf("add swarm upload: %w", err)
	}
	return nil
}

const swarmFileColumns = `f.attachment_id, a.name, a.content_type, a.size, f.room_id, f.uploaded_by, f.message_id`

func scanSwarmUpload(row interface{ Scan(...any) error }) (swarm.Upload, error) {
	var u swarm.Upload
	return u, row.Scan(&u.ID, &u.Name, &u.ContentType, &u.Size, &u.RoomID, &u.UploadedBy, &u.MessageID)
}

// SwarmUploads returns the room's files among ids, by id.
func (s *Store) SwarmUploads(ctx context.Context, tenantID, roomID string, ids []string) (map[string]swarm.Upload, error) {
	out := map[string]swarm.Upload{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{tenantID, roomID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+swarmFileColumns+` FROM swarm_attachments f JOIN attachments a ON a.id = f.attachment_id
		WHERE f.tenant_id = $1 AND f.room_id = $2 AND f.attachment_id IN (`+placeholders(3, len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("swarm uploads: %w", err)
	}
	us, err := collect(rows, scanSwarmUpload)
	if err != nil {
		return nil, fmt.Errorf("swarm uploads: %w", err)
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// AttachSwarmUploads marks uploads as carried by a message; an upload
// another message took meanwhile is ErrConflict.
func (s *Store) AttachSwarmUploads(ctx context.Context, tenantID, roomID, messageID string, ids []string) error {
	for _, id := range ids {
		res, err := s.w.ExecContext(ctx, `UPDATE swarm_attachments SET message_id = $4
			WHERE tenant_id = $1 AND room_id = $2 AND attachment_id = $3 AND message_id = ''`, tenantID, roomID, id, messageID)
		if err := affectedOne("attach swarm upload "+id, res, err); err != nil {
			return fmt.Errorf("attach swarm upload %s: %w", id, ErrConflict)
		}
	}
	return nil
}

// SwarmAttachment returns a file of the room, with its bytes.
func (s *Store) SwarmAttachment(ctx context.Context, tenantID, roomID, id string) (swarm.Attachment, []byte, error) {
	var a swarm.Attachment
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT a.id, a.name, a.content_type, a.size, a.data FROM swarm_attachments f JOIN attachments a ON a.id = f.attachment_id
		WHERE f.tenant_id = $1 AND f.room_id = $2 AND f.attachment_id = $3 AND a.tenant_id = $1`, tenantID, roomID, id).
		Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &data)
	if err != nil {
		return a, nil, notFound("swarm room file "+id, err)
	}
	return a, data, nil
}

// swarmMessageFiles fills the messages' attachments, in the order uploaded.
func (s *Store) swarmMessageFiles(ctx context.Context, tenantID, roomID string, msgs []swarm.Message) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+swarmFileColumns+` FROM swarm_attachments f JOIN attachments a ON a.id = f.attachment_id
		WHERE f.tenant_id = $1 AND f.room_id = $2 AND f.message_id <> '' ORDER BY f.created_at, f.attachment_id`, tenantID, roomID)
	if err != nil {
		return fmt.Errorf("swarm message files: %w", err)
	}
	us, err := collect(rows, scanSwarmUpload)
	if err != nil {
		return fmt.Errorf("swarm message files: %w", err)
	}
	by := map[string][]swarm.Attachment{}
	for _, u := range us {
		by[u.MessageID] = append(by[u.MessageID], u.Attachment)
	}
	for i := range msgs {
		msgs[i].Attachments = by[msgs[i].ID]
		if msgs[i].Attachments == nil {
			msgs[i].Attachments = []swarm.Attachment{}
		}
	}
	return nil
}
