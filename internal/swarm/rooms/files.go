package rooms

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Upload stores a file a joined member (or the integration) will attach
// to a message in the open room (Say's attachmentIDs). It passes the
// conversations' checks: a clean name, not empty, at most MaxFileBytes, its
// type sniffed from its bytes.
func (s *Service) Upload(ctx context.Context, a Actor, roomID, name string, data []byte) (swarm.Attachment, error) {
	var out swarm.Attachment
	err := s.Out.Do(ctx, func(tx *outbox.Tx) error {
		r, ms, err := member(ctx, tx.Store, a, roomID)
		if err != nil {
			return err
		}
		if r.State != swarm.StateOpen {
			return swarm.ErrClosed
		}
		if m, _ := findMember(ms, a.UserID); a.UserID != swarm.Integration && m.Status != swarm.Joined {
			return swarm.ErrNotMember
		}
		att, err := inbox.NewUpload(name, data, s.maxFile())
		if err != nil {
			return err
		}
		out = swarm.Attachment{ID: att.ID, Name: att.Name, ContentType: att.ContentType, Size: att.Size}
		return tx.AddSwarmUpload(ctx, a.TenantID, swarm.Upload{Attachment: out, RoomID: roomID, UploadedBy: a.UserID}, data, s.Clock.Now())
	})
	return out, err
}

// maxFile is the largest file a room takes.
func (s *Service) maxFile() int64 {
	if s.MaxFileBytes > 0 {
		return s.MaxFileBytes
	}
	return inbox.DefaultLimits.MaxAttachmentBytes
}

// MaxFile is the largest file a room takes, for the API's body limit.
func (s *Service) MaxFile() int64 { return s.maxFile() }

// File returns a file of the room, with its bytes, to a member (invited or
// joined) or the integration; anyone else finds nothing.
func (s *Service) File(ctx context.Context, a Actor, roomID, fileID string) (swarm.Attachment, []byte, error) {
	if _, _, err := member(ctx, &s.DB.Store, a, roomID); err != nil {
		return swarm.Attachment{}, nil, err
	}
	return s.DB.SwarmAttachment(ctx, a.TenantID, roomID, fileID)
}
