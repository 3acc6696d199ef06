package access

import (
	"encoding/json"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// RoomReadGrace is how long after a swarm room closes its members still read
// its conversation (read-only, as always for an expert): long enough to look
// back at what was found, short enough that a closed room is no standing
// window on a customer. The realtime feed stops at the close (ADR 0032).
const RoomReadGrace = 7 * 24 * time.Hour

// RoomsReadSince is the earliest close of a room that still lets its members
// read its conversation at now; open rooms always do.
func RoomsReadSince(now time.Time) time.Time { return now.Add(-RoomReadGrace) }

// roomEvents are the conversation events a reader through rooms sees, for
// the conversations of their open rooms: what the read-only view of the
// conversation needs to stay live. Internal notes are message.created
// events too: an expert in the room reads the colleagues' notes, as the
// REST timeline shows them. Routing, SLA, callback and persona events stay
// with Read: they are about the queue's work, not the conversation's words.
var roomEvents = map[string]bool{
	event.ConversationUpdated: true,
	event.MessageCreated:      true,
	event.MessageUpdated:      true,
	event.Typing:              true,
	event.ConversationJoined:  true,
}

// CanReadInRooms reports whether the grant reads events of type t for the
// conversations of its rooms (and only those: see RoomFeed).
func (g Grant) CanReadInRooms(t string) bool {
	return g.Can(ReadInRooms) && roomEvents[t]
}

// ConversationOf names the conversation an event of a room-readable type is
// about; false when the type is not one or its data names none.
func ConversationOf(ev event.Event) (string, bool) {
	if !roomEvents[ev.Type] {
		return "", false
	}
	var d struct {
		ID             string `json:"id"`
		ConversationID string `json:"conversation_id"`
		Conversation   struct {
			ID string `json:"id"`
		} `json:"conversation"`
		Message struct {
			ConversationID string `json:"conversation_id"`
		} `json:"message"`
	}
	if json.Unmarshal(ev.Data, &d) != nil {
		return "", false
	}
	var id string
	switch ev.Type {
	case event.ConversationUpdated:
		id = d.ID // the conversation itself
	case event.MessageCreated, event.MessageUpdated:
		id = d.Message.ConversationID
		if id == "" {
			id = d.Conversation.ID
		}
	default: // typing, joined
		id = d.ConversationID
	}
	return id, id != ""
}

// RoomNotice is what RoomFeed reads of a swarm.* event's data (the rooms
// service's Notice): which room, on which conversation, in which state, for
// whom.
type RoomNotice struct {
	RoomID         string   `json:"room_id"`
	ConversationID string   `json:"conversation_id"`
	State          string   `json:"state"`
	Members        []string `json:"members"`
}

// RoomFeed follows which conversations one user reads through open swarm
// rooms while their realtime feed runs: it starts from their open rooms and
// learns from the swarm.* events that pass (an invitation adds a room, a
// close removes it). It is pure and used by one connection's goroutine; it
// is not safe for concurrent use.
type RoomFeed struct {
	userID string
	rooms  map[string]string // open room id → its conversation id
}

// NewRoomFeed starts a feed for userID from their open rooms (room id →
// conversation id).
func NewRoomFeed(userID string, open map[string]string) *RoomFeed {
	f := &RoomFeed{userID: userID, rooms: map[string]string{}}
	for r, c := range open {
		f.rooms[r] = c
	}
	return f
}

// Note learns from a swarm.* event: a room the user is a member of, open,
// lets them read its conversation; closed, no longer. Other events are
// ignored.
func (f *RoomFeed) Note(ev event.Event) {
	switch ev.Type {
	case event.SwarmRoomOpened, event.SwarmInvited, event.SwarmJoined, event.SwarmMessage, event.SwarmClosed:
	default:
		return
	}
	var n RoomNotice
	if json.Unmarshal(ev.Data, &n) != nil || n.RoomID == "" {
		return
	}
	member := false
	for _, m := range n.Members {
		member = member || m == f.userID
	}
	if member && n.State == "open" && n.ConversationID != "" {
		f.rooms[n.RoomID] = n.ConversationID
	} else {
		delete(f.rooms, n.RoomID)
	}
}

// Reads reports whether the user reads conversationID's events now.
func (f *RoomFeed) Reads(conversationID string) bool {
	for _, c := range f.rooms {
		if c == conversationID {
			return true
		}
	}
	return false
}
