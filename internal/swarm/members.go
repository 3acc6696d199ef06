package swarm

import (
	"fmt"
	"strings"
	"time"
)

// MemberStatus is whether a person was asked or has come.
type MemberStatus string

// The member statuses: invited people see the room's question and may
// join; joined people read and write in it.
const (
	Invited MemberStatus = "invited"
	Joined  MemberStatus = "joined"
)

// Member is a person in a room, or asked to be. Experts see a conversation
// only through the rooms they are members of.
type Member struct {
	TenantID  string       `json:"-"`
	RoomID    string       `json:"room_id"`
	UserID    string       `json:"user_id"`
	Status    MemberStatus `json:"status"`
	InvitedBy string       `json:"invited_by"` // "" for the one who opened the room
	InvitedAt time.Time    `json:"invited_at"`
	JoinedAt  time.Time    `json:"joined_at,omitzero"` // zero until joined
	// ToldAt is when an invitee who was away was told by mail; zero if not.
	ToldAt time.Time `json:"told_at,omitzero"`
}

// Opener is the member the room's opener is: joined from the start. A room
// an integration opened has no opener (ok false).
func Opener(r Room) (m Member, ok bool) {
	if r.OpenedBy == Integration {
		return Member{}, false
	}
	return Member{TenantID: r.TenantID, RoomID: r.ID, UserID: r.OpenedBy, Status: Joined, InvitedAt: r.CreatedAt, JoinedAt: r.CreatedAt}, true
}

// Integration is the id an API key of the workspace acts under: an
// integration (a bot asking for help on a conversation) acts on every room
// of its tenant as a joined member would, but is no member and never joins.
const Integration = ""

// mayAct reports whether by may act in the room as a joined member.
func mayAct(members []Member, by string) bool {
	if by == Integration {
		return true
	}
	m, ok := find(members, by)
	return ok && m.Status == Joined
}

// Invite asks userID into the room. Only a joined member (or an
// integration) invites, and only while the room is open; a person is
// invited once.
func Invite(r Room, members []Member, by, userID string, now time.Time) (Member, error) {
	if r.State != StateOpen {
		return Member{}, ErrClosed
	}
	if !mayAct(members, by) {
		return Member{}, ErrNotMember
	}
	if userID == "" {
		return Member{}, invalid("user_id", "is required")
	}
	if _, ok := find(members, userID); ok {
		return Member{}, ErrAlreadyMember
	}
	return Member{TenantID: r.TenantID, RoomID: r.ID, UserID: userID, Status: Invited, InvitedBy: by, InvitedAt: now}, nil
}

// Join brings an invited person into the open room. Joining again is no
// change (ok false), so a double click records one join.
func Join(r Room, members []Member, userID string, now time.Time) (m Member, changed bool, err error) {
	m, found := find(members, userID)
	switch {
	case !found:
		return Member{}, false, ErrNotInvited
	case m.Status == Joined:
		return m, false, nil
	case r.State != StateOpen:
		return m, false, ErrClosed
	}
	m.Status, m.JoinedAt = Joined, now
	return m, true, nil
}

// Message is one thing said in a room, with the members it mentions.
type Message struct {
	ID       string   `json:"id"`
	TenantID string   `json:"-"`
	RoomID   string   `json:"room_id"`
	AuthorID string   `json:"author_id"`
	Body     string   `json:"body"`
	Mentions []string `json:"mentions"`
	// Attachments are the files the message carries, uploaded to the room
	// first; only the room's members download them.
	Attachments []Attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Say checks a message a joined member (or an integration) writes into an
// open room: the body is there and not too long (it may be empty when the
// message carries files), at most MaxAttachments files, and every mention
// is a member (invited or joined), each once.
func Say(r Room, members []Member, id, authorID, body string, mentions []string, files []Attachment, now time.Time) (Message, error) {
	if r.State != StateOpen {
		return Message{}, ErrClosed
	}
	if !mayAct(members, authorID) {
		return Message{}, ErrNotMember
	}
	if len(files) > MaxAttachments {
		return Message{}, invalid("attachment_ids", fmt.Sprintf("has %d files, at most %d", len(files), MaxAttachments))
	}
	b, err := text("body", body, MaxMessage)
	if err != nil && len(files) > 0 && strings.TrimSpace(body) == "" {
		b, err = "", nil // a file alone says enough
	}
	if err != nil {
		return Message{}, err
	}
	if len(mentions) > MaxMentions {
		return Message{}, invalid("mentions", fmt.Sprintf("has %d people, at most %d", len(mentions), MaxMentions))
	}
	seen := map[string]bool{}
	out := []string{}
	for _, u := range mentions {
		if _, ok := find(members, u); !ok {
			return Message{}, invalid("mentions", fmt.Sprintf("%q is not a member of the room", u))
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	if files == nil {
		files = []Attachment{}
	}
	return Message{ID: id, TenantID: r.TenantID, RoomID: r.ID, AuthorID: authorID, Body: b, Mentions: out, Attachments: files, CreatedAt: now}, nil
}

func find(members []Member, userID string) (Member, bool) {
	for _, m := range members {
		if m.UserID == userID {
			return m, true
		}
	}
	return Member{}, false
}
