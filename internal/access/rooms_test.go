package access_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func ev(t *testing.T, typ string, data any) event.Event {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return event.Event{Type: typ, Data: b}
}

func TestExpertHoldsNoTenantWideRead(t *testing.T) {
	g := access.ForRole(tenant.RoleExpert)
	for _, p := range []access.Perm{access.Read, access.Converse, access.Supervise, access.ReadAudit} {
		if g.Can(p) {
			t.Errorf("an expert holds %q", p)
		}
	}
	for _, p := range []access.Perm{access.Self, access.ReadStaff, access.Swarm, access.ReadInRooms} {
		if !g.Can(p) {
			t.Errorf("an expert lacks %q", p)
		}
	}
	for _, typ := range []string{event.ConversationCreated, event.MessageCreated, event.RoutingOffered, event.PersonaUpdated, event.QueueStats} {
		if g.CanRead(typ) {
			t.Errorf("an expert reads every %s", typ)
		}
	}
	if !g.CanRead(event.SwarmInvited) {
		t.Error("an expert does not read swarm events")
	}
	if !g.CanReadInRooms(event.MessageCreated) || g.CanReadInRooms(event.RoutingOffered) || g.CanReadInRooms(event.ConversationCreated) {
		t.Error("an expert's room events are wrong")
	}
	if access.ForRole(tenant.RoleAgent).CanReadInRooms(event.MessageCreated) {
		t.Error("an agent reads in rooms: it reads everything through Read instead")
	}
}

func TestConversationOf(t *testing.T) {
	cases := []struct {
		name string
		ev   event.Event
		want string
	}{
		{"conversation updated", ev(t, event.ConversationUpdated, map[string]any{"id": "c1", "persona_id": "p1"}), "c1"},
		{"message created", ev(t, event.MessageCreated, map[string]any{"message": map[string]any{"id": "m1", "conversation_id": "c2"}, "conversation": map[string]any{"id": "c2"}}), "c2"},
		{"message updated, conversation only", ev(t, event.MessageUpdated, map[string]any{"conversation": map[string]any{"id": "c3"}}), "c3"},
		{"typing", ev(t, event.Typing, map[string]any{"conversation_id": "c4", "on": true}), "c4"},
		{"joined", ev(t, event.ConversationJoined, map[string]any{"conversation_id": "c5", "user_id": "u"}), "c5"},
		{"not a room event", ev(t, event.RoutingOffered, map[string]any{"conversation_id": "c6"}), ""},
		{"no id", ev(t, event.MessageCreated, map[string]any{}), ""},
		{"bad data", event.Event{Type: event.Typing, Data: []byte("{")}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := access.ConversationOf(c.ev)
			if got != c.want || ok != (c.want != "") {
				t.Errorf("ConversationOf = %q, %v; want %q", got, ok, c.want)
			}
		})
	}
}

func TestRoomFeed(t *testing.T) {
	notice := func(typ, room, conv, state string, members ...string) event.Event {
		return ev(t, typ, access.RoomNotice{RoomID: room, ConversationID: conv, State: state, Members: members})
	}
	f := access.NewRoomFeed("erik", map[string]string{"r0": "c0"})
	if !f.Reads("c0") || f.Reads("c1") {
		t.Fatal("the feed does not start from the open rooms")
	}
	f.Note(notice(event.SwarmInvited, "r1", "c1", "open", "ana")) // someone else invited
	if f.Reads("c1") {
		t.Fatal("a room erik is not in lets him read")
	}
	f.Note(notice(event.SwarmInvited, "r1", "c1", "open", "ana", "erik"))
	if !f.Reads("c1") {
		t.Fatal("an invitation does not let erik read")
	}
	f.Note(notice(event.SwarmRoomOpened, "r2", "c1", "open", "erik")) // a second room on c1
	f.Note(notice(event.SwarmClosed, "r1", "c1", "closed", "ana", "erik"))
	if !f.Reads("c1") {
		t.Fatal("closing one room hid a conversation another open room shows")
	}
	f.Note(notice(event.SwarmClosed, "r2", "c1", "closed", "erik"))
	if f.Reads("c1") {
		t.Fatal("a closed room still feeds its conversation")
	}
	f.Note(ev(t, event.MessageCreated, access.RoomNotice{RoomID: "r0", State: "closed"})) // not a swarm event
	if !f.Reads("c0") {
		t.Fatal("a non-swarm event changed the rooms")
	}
	if access.RoomsReadSince(time.Unix(1_000_000, 0)) != time.Unix(1_000_000, 0).Add(-7*24*time.Hour) {
		t.Fatal("the grace is not seven days")
	}
}
