package inbox

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// MaxAttachmentBytes is the largest file a message may carry, and so the largest
// an agent may upload.
func (s *Service) MaxAttachmentBytes() int64 { return s.limits.MaxAttachmentBytes }

// Upload stores a file an agent will attach to a reply (by its id, in
// ReplyInput's attachment_ids). Its type is sniffed from its bytes, never taken
// from the client; until a reply uses it, it belongs to no message.
func (s *Service) Upload(ctx context.Context, a Actor, name string, data []byte) (conversation.Attachment, error) {
	att, err := NewUpload(name, data, s.limits.MaxAttachmentBytes)
	if err != nil {
		return conversation.Attachment{}, err
	}
	if err := s.db.InsertAttachment(ctx, a.TenantID, att, data, s.clock.Now()); err != nil {
		return conversation.Attachment{}, err
	}
	return att, nil
}

// NewUpload checks a file someone uploads (its name cleaned, not empty,
// at most limit bytes) and describes it with a new id and the type sniffed
// from its bytes, never taken from the client. Swarm rooms' files pass the
// same checks.
func NewUpload(name string, data []byte, limit int64) (conversation.Attachment, error) {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, `\`, "/")))
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	if len(name) > 255 {
		return conversation.Attachment{}, &tenant.FieldError{Field: "file", Reason: "the file name is longer than 255 bytes"}
	}
	if err := textfield.Clean("file", name, false); err != nil {
		return conversation.Attachment{}, err
	}
	if len(data) == 0 {
		return conversation.Attachment{}, &tenant.FieldError{Field: "file", Reason: "the file is empty"}
	}
	if int64(len(data)) > limit {
		return conversation.Attachment{}, &tenant.FieldError{Field: "file", Reason: fmt.Sprintf("the file is larger than %d bytes", limit)}
	}
	return conversation.Attachment{ID: ids.New(), Name: name, ContentType: http.DetectContentType(data), Size: int64(len(data))}, nil
}
