package swarm

// MaxAttachments is how many files one room message carries, as many as a
// conversation message does.
const MaxAttachments = 10

// Attachment is a file a member attached to a room message: stored like a
// conversation's attachments (the same limits and type sniffing), but read
// only by the room's members.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Upload is a file uploaded to a room and not yet carried by a message:
// only its uploader may attach it, once.
type Upload struct {
	Attachment
	RoomID     string
	UploadedBy string
	MessageID  string // "" until a message carries it
}

// Attachable picks, for a message by authorID in room roomID, the uploads
// named by ids, in that order: each must be an upload to this room by the
// author that no message carries yet, and named once.
func Attachable(roomID, authorID string, ids []string, uploads map[string]Upload) ([]Attachment, error) {
	out := make([]Attachment, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		u, ok := uploads[id]
		switch {
		case seen[id]:
			return nil, invalid("attachment_ids", "names "+id+" twice")
		case !ok || u.RoomID != roomID || u.UploadedBy != authorID:
			return nil, invalid("attachment_ids", id+" is not a file you uploaded to this room")
		case u.MessageID != "":
			return nil, invalid("attachment_ids", id+" is already attached to a message")
		}
		seen[id] = true
		out = append(out, u.Attachment)
	}
	return out, nil
}

// TellAway reports whether an invitee in presence should also be told by
// mail: they are away or offline, so the desktop alone may not reach them.
// A busy person, or one in a workspace's own state, is at their desk.
func TellAway(presence string) bool { return presence == "away" || presence == "offline" }
