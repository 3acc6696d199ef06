package httpapi

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// expertWant is what an expert gets from each route they may call at all,
// outside any room and then invited to a room on the fixtures' conversation
// (ADR 0032). Every route not listed answers 403: an expert reads no list of
// the workspace (inbox, search, customers, reports, wall, exports) and never
// acts on a conversation.
var expertWant = map[string][2]int{
	// Their own account.
	"GET /api/v1/me":                                     {200, 200},
	"PUT /api/v1/me/presence":                            {200, 200},
	"GET /api/v1/me/totp":                                {200, 200},
	"POST /api/v1/me/totp":                               {201, 201},
	"POST /api/v1/me/totp/confirm":                       {401, 401}, // a wrong code
	"POST /api/v1/me/totp/remove":                        {204, 204}, // none to remove
	"GET /api/v1/me/routing":                             {200, 200},
	"GET /api/v1/me/offers":                              {200, 200},
	"POST /api/v1/realtime/token":                        {201, 201},
	"GET /api/v1/realtime/cursor":                        {200, 200},
	"GET /api/v1/workspace/deletion":                     {200, 200},
	"GET /api/v1/users":                                  {200, 200}, // colleagues' names, to mention and invite them
	"GET /api/v1/users/{userID}":                         {200, 200},
	"GET /api/v1/presence-states":                        {200, 200}, // the presence picker's states
	"GET /api/v1/users/{userID}/sessions":                {403, 403},
	"DELETE /api/v1/users/{userID}/sessions/{sessionID}": {403, 403},
	"DELETE /api/v1/users/{userID}/sessions":             {403, 403},

	// The conversation of a room they are in, read-only.
	"GET /api/v1/conversations/{conversationID}":           {404, 200},
	"GET /api/v1/conversations/{conversationID}/messages":  {404, 200},
	"GET /api/v1/conversations/{conversationID}/context":   {404, 200},
	"GET /api/v1/conversations/{conversationID}/knowledge": {404, 200},
	"GET /api/v1/conversations/{conversationID}/sla":       {404, 200},
	"GET /api/v1/conversations/{conversationID}/trail":     {404, 200},
	"GET /api/v1/personas/{personaID}":                     {404, 200},

	// Their rooms.
	"GET /api/v1/swarm/rooms":                         {200, 200},
	"GET /api/v1/swarm/rooms/{roomID}":                {404, 200},
	"GET /api/v1/swarm/rooms/{roomID}/experts":        {404, 200},
	"POST /api/v1/swarm/rooms/{roomID}/invitations":   {404, 422}, // the example names no user
	"POST /api/v1/swarm/rooms/{roomID}/join":          {404, 200},
	"POST /api/v1/swarm/rooms/{roomID}/messages":      {404, 201},
	"POST /api/v1/swarm/rooms/{roomID}/close":         {404, 200},
	"GET /api/v1/swarm/rooms/{roomID}/files/{fileID}": {404, 200}, // a room's file reads like the room
}

// TestExpertRoutes calls every route of the API as an expert, first in no
// room, then invited to a room on a conversation, and holds each answer to
// expertWant: 403 wherever an expert has no business, 404 for a conversation
// (or its customer, or a room) they are in no room on, the conversation
// read-only once they are.
func TestExpertRoutes(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e)) // with a dispatcher: the offer fixture needs one
			testExpertRoutes(t, w)
		})
	}
}

func testExpertRoutes(t *testing.T, w *world) {
	doc := specDoc(t)
	fa, fb := newFixtures(t, w, &w.A), newFixtures(t, w, &w.B)
	erik := w.seedUser(t, w.A.Tenant, "erik@tenant-a.example", tenant.RoleExpert)
	ex := w.sessionClient(t, erik)

	type call struct {
		key, path string
		body      any
	}
	var calls []call
	for _, rt := range w.api.routes() {
		key := rt.method + " " + rt.pattern
		if rt.public || rt.portal || rt.signed || key == "POST /api/v1/auth/logout" {
			continue // not the tenant API, or signs the expert out (TestLogout)
		}
		if rt.community && pathParam.MatchString(rt.pattern) {
			continue // another member's practice: the catalogue's list below stands for them (TestCommunity)
		}
		path, ok := rt.pattern, true
		if pathParam.MatchString(rt.pattern) {
			path, ok = fa.path(rt)
		}
		body, okBody := exampleBody(t, doc, rt)
		if !ok || !okBody {
			continue
		}
		calls = append(calls, call{key, path, body})
	}
	for _, k := range slices.Sorted(maps.Keys(expertWant)) {
		if !slices.ContainsFunc(calls, func(c call) bool { return c.key == k }) {
			t.Errorf("expertWant names %s, which is not routed", k)
		}
	}
	// The swarm's own routes go last, in the order an expert takes them
	// (read, join, write, close), after the conversation's reads.
	order := func(c call) int {
		for i, s := range []string{"/swarm/rooms/{roomID}/join", "/swarm/rooms/{roomID}/messages", "/swarm/rooms/{roomID}/close"} {
			if strings.HasSuffix(c.key, s) {
				return i + 1
			}
		}
		return 0
	}
	slices.SortStableFunc(calls, func(a, b call) int { return order(a) - order(b) })

	run := func(phase int) {
		var got []string
		for _, c := range calls {
			want, ok := expertWant[c.key]
			if !ok {
				want = [2]int{http.StatusForbidden, http.StatusForbidden}
			}
			// The documents' example bodies are sent as they are: only
			// the answers are held to the document.
			r := ex.in(t).do(strings.Fields(c.key)[0], c.path, c.body, outsideSpec)
			if r.StatusCode != want[phase] {
				got = append(got, fmt.Sprintf("%s: %d, want %d; body: %.200s", c.key, r.StatusCode, want[phase], r.body))
			}
		}
		if len(got) > 0 {
			t.Errorf("as an expert %s:\n%s", [2]string{"in no room", "invited to the room"}[phase], strings.Join(got, "\n"))
		}
	}
	run(0)

	// Invited to the room on the conversation, erik reads it.
	w.A.admin.in(t).do("POST", "/api/v1/swarm/rooms/"+fa.id("roomID", "")+"/invitations", map[string]any{"user_id": erik.ID}).
		want(http.StatusCreated)
	run(1)

	// Another tenant's conversation, customer and room are not found.
	for _, p := range []string{
		"/api/v1/conversations/" + fb.id("conversationID", ""),
		"/api/v1/conversations/" + fb.id("conversationID", "") + "/messages",
		"/api/v1/personas/" + fb.id("personaID", ""),
		"/api/v1/swarm/rooms/" + fb.id("roomID", ""),
	} {
		ex.in(t).do("GET", p, nil).wantProblem(http.StatusNotFound, "not-found")
	}
}

// TestExpertFeed: an expert's realtime feed carries a conversation's events
// only while they are in an open room on it — from the invitation, not
// before; not another conversation's; not after the close — and a new
// connection starts from the rooms open then. Notes pass, as the timeline
// shows them.
func TestExpertFeed(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			erik := w.seedUser(t, w.A.Tenant, "erik@tenant-a.example", tenant.RoleExpert)
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			erikC, anaC := w.sessionClient(t, erik), w.sessionClient(t, ana)
			aid := w.A.Tenant.ID

			feed := w.feed(t, erikC, 0)
			one := w.ingest(t, aid, "c1", "first words").Conversation.ID
			var v struct{ Room struct{ ID string } }
			anaC.in(t).do("POST", "/api/v1/conversations/"+one+"/swarm", map[string]any{"question": "help?"}).want(http.StatusCreated).decode(&v)
			room := "/api/v1/swarm/rooms/" + v.Room.ID
			anaC.in(t).do("POST", room+"/invitations", map[string]any{"user_id": erik.ID}).want(http.StatusCreated)
			got := readUntil(t, feed, func(ev event.Event) bool { return ev.Type == event.SwarmInvited })
			wantConversations(t, "before the invitation", got)

			w.ingest(t, aid, "c1", "second words")
			two := w.ingest(t, aid, "c2", "elsewhere").Conversation.ID
			anaC.in(t).do("POST", "/api/v1/conversations/"+one+"/notes", map[string]any{"body": "colleagues' talk"}).want(http.StatusCreated)
			anaC.in(t).do("POST", room+"/messages", map[string]any{"body": "over to you"}).want(http.StatusCreated)
			got = readUntil(t, feed, func(ev event.Event) bool { return ev.Type == event.SwarmMessage })
			wantConversations(t, "in the room", got, one, one) // the customer's message and the note

			anaC.in(t).do("POST", room+"/close", map[string]any{"outcome": "done"}).want(http.StatusOK)
			w.ingest(t, aid, "c1", "after the close")
			var v2 struct{ Room struct{ ID string } }
			anaC.in(t).do("POST", "/api/v1/conversations/"+two+"/swarm", map[string]any{"question": "and this?"}).want(http.StatusCreated).decode(&v2)
			anaC.in(t).do("POST", "/api/v1/swarm/rooms/"+v2.Room.ID+"/invitations", map[string]any{"user_id": erik.ID}).want(http.StatusCreated)
			got = readUntil(t, feed, func(ev event.Event) bool { return ev.Type == event.SwarmInvited })
			wantConversations(t, "after the close", got)

			// A new connection follows the room open now (on two), not the closed one.
			again := w.feed(t, erikC, 0)
			w.ingest(t, aid, "c1", "one more on one")
			w.ingest(t, aid, "c2", "one more on two")
			anaC.in(t).do("POST", "/api/v1/swarm/rooms/"+v2.Room.ID+"/messages", map[string]any{"body": "see?"}).want(http.StatusCreated)
			got = readUntil(t, again, func(ev event.Event) bool { return ev.Type == event.SwarmMessage })
			wantConversations(t, "on a new connection", got, two)
		})
	}
}

// wantConversations holds the conversation events among got to exactly
// these conversations' message.created events, in order; other
// conversation events (conversation.updated) may pass only for them.
func wantConversations(t *testing.T, when string, got []event.Event, want ...string) {
	t.Helper()
	var msgs []string
	for _, ev := range got {
		id, ok := access.ConversationOf(ev)
		if !ok && (strings.HasPrefix(ev.Type, "conversation.") || strings.HasPrefix(ev.Type, "message.") || strings.HasPrefix(ev.Type, "routing.")) {
			t.Errorf("%s: the expert got %s: %s", when, ev.Type, ev.Data)
			continue
		}
		if ok && !slices.Contains(want, id) {
			t.Errorf("%s: the expert got %s of conversation %s", when, ev.Type, id)
		}
		if ev.Type == event.MessageCreated {
			msgs = append(msgs, id)
		}
	}
	if !slices.Equal(msgs, want) && !(len(msgs) == 0 && len(want) == 0) {
		t.Errorf("%s: message.created of %v, want %v", when, msgs, want)
	}
}
