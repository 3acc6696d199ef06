package swarm

import (
	"math"
	"time"
)

// Kind is what sort of contribution a person made to a room.
type Kind string

// The contribution kinds.
const (
	KindJoin    Kind = "join"    // came into a room
	KindMessage Kind = "message" // wrote in it
	KindLink    Kind = "link"    // linked an article to its conversation while in it
	KindMinutes Kind = "minutes" // time spent in it, recorded when it closes
)

// Contribution is one thing a person gave a room; supervisors read them
// by person and by conversation, and expert finding counts them.
type Contribution struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"-"`
	RoomID         string    `json:"room_id"`
	ConversationID string    `json:"conversation_id"`
	UserID         string    `json:"user_id"`
	Kind           Kind      `json:"kind"`
	Minutes        int       `json:"minutes"` // for KindMinutes
	Ref            string    `json:"ref"`     // the message or article the contribution is about
	At             time.Time `json:"at"`
}

// Contribute is a contribution of kind by userID to room r.
func Contribute(id string, r Room, userID string, kind Kind, ref string, now time.Time) Contribution {
	return Contribution{ID: id, TenantID: r.TenantID, RoomID: r.ID, ConversationID: r.ConversationID, UserID: userID,
		Kind: kind, Ref: ref, At: now}
}

// MinutesSpent is the time each joined member spent in a room that closes
// at closedAt: from their join to their last message in it (capped at the
// close), and never less than one minute, since they came. lastSaid holds
// each member's last message time.
//
// Counting to the close for silent members would reward joining and
// leaving the tab open; counting from join to last message rewards taking
// part, which is what a supervisor means by "time spent".
func MinutesSpent(members []Member, lastSaid map[string]time.Time, closedAt time.Time) map[string]int {
	out := map[string]int{}
	for _, m := range members {
		if m.Status != Joined {
			continue
		}
		end := m.JoinedAt
		if t, ok := lastSaid[m.UserID]; ok && t.After(end) {
			end = t
		}
		if end.After(closedAt) {
			end = closedAt
		}
		out[m.UserID] = max(1, int(math.Ceil(end.Sub(m.JoinedAt).Minutes())))
	}
	return out
}

// LinkMade is an article someone linked to the room's conversation.
type LinkMade struct {
	UserID    string
	ArticleID string
	At        time.Time
}

// LinksDuring picks, from the conversation's links, those a joined member
// made while the room was open and after joining: the articles the swarm
// found. They become link contributions when the room closes.
func LinksDuring(r Room, members []Member, links []LinkMade, closedAt time.Time) []LinkMade {
	var out []LinkMade
	for _, l := range links {
		m, ok := find(members, l.UserID)
		if !ok || m.Status != Joined || l.At.Before(m.JoinedAt) || l.At.Before(r.CreatedAt) || l.At.After(closedAt) {
			continue
		}
		out = append(out, l)
	}
	return out
}
