package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// swarmView is a room as the tests read it.
type swarmView struct {
	Room struct {
		ID, State, Outcome string
		ConversationID     string `json:"conversation_id"`
	}
	Members []struct {
		UserID string `json:"user_id"`
		Status string
	}
	Messages []struct{ Body string }
}

// TestSwarmRooms: an agent asks for help on a conversation; the experts
// suggested are those who resolved and linked the similar resolved
// conversation, with why; the invited expert alone (not another agent,
// not another tenant) sees the room and its events; members write with
// mentions, close it with an outcome; the contribution record keeps the
// join, the message and the minutes.
func TestSwarmRooms(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			ctx := context.Background()
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			// ben is an agent: he resolves and links, which an expert does
			// not (ADR 0032; TestExpertRoutes holds the expert's reach).
			ben := w.seedUser(t, w.A.Tenant, "ben@tenant-a.example", tenant.RoleAgent)
			cam := w.seedUser(t, w.A.Tenant, "cam@tenant-a.example", tenant.RoleAgent)
			dan := w.seedUser(t, w.A.Tenant, "dan@tenant-a.example", tenant.RoleAgent)
			anaC, benC, camC, danC := w.sessionClient(t, ana), w.sessionClient(t, ben), w.sessionClient(t, cam), w.sessionClient(t, dan)
			bC := w.B.admin

			// The evidence: a resolved conversation like the one to come,
			// assigned to ben, its article linked by cam.
			flag := w.newArticle(t, w.A, "Travel flag", "Card declined abroad", "Set the card's region with the travel flag.", nil)
			past := w.contactOn(t, w.A.Tenant.ID, "p1", "my card was declined abroad although the travel flag is on").Conversation.ID
			camC.in(t).do("POST", "/api/v1/conversations/"+past+"/knowledge/links", map[string]any{"article_id": flag}).want(http.StatusCreated)
			w.A.admin.in(t).do("PATCH", "/api/v1/conversations/"+past, map[string]any{"assignee_id": ben.ID}).want(http.StatusOK)
			benC.in(t).do("PATCH", "/api/v1/conversations/"+past, map[string]any{"status": "resolved"}).want(http.StatusOK)
			w.await(t, "the past case of the resolved conversation", func() bool {
				_, err := w.db.KnowledgeCaseByConversation(ctx, w.A.Tenant.ID, past)
				return err == nil
			})

			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "card declined abroad, travel flag set").Conversation.ID
			anaC.in(t).do("POST", "/api/v1/conversations/"+conv+"/swarm", map[string]any{"question": " "}).
				wantProblem(http.StatusUnprocessableEntity, "validation")
			bC.in(t).do("POST", "/api/v1/conversations/"+conv+"/swarm", map[string]any{"question": "mine?"}).
				wantProblem(http.StatusNotFound, "not-found")
			var v swarmView
			anaC.in(t).do("POST", "/api/v1/conversations/"+conv+"/swarm", map[string]any{"question": "Declined abroad with the travel flag on?"}).
				want(http.StatusCreated).decode(&v)
			room := "/api/v1/swarm/rooms/" + v.Room.ID
			if v.Room.State != "open" || v.Room.ConversationID != conv || len(v.Members) != 1 || v.Members[0].UserID != ana.ID || v.Members[0].Status != "joined" {
				t.Fatalf("opened %+v", v)
			}
			// Only members see a room: not another agent, not another tenant.
			benC.in(t).do("GET", room, nil).wantProblem(http.StatusNotFound, "not-found")
			bC.in(t).do("GET", room, nil).wantProblem(http.StatusNotFound, "not-found")
			danC.in(t).do("POST", room+"/invitations", map[string]any{"user_id": dan.ID}).wantProblem(http.StatusNotFound, "not-found")

			var experts struct {
				Items []struct {
					UserID   string `json:"user_id"`
					Resolved int
					Linked   int
					Why      []struct{ Code, Text string }
				}
			}
			anaC.in(t).do("GET", room+"/experts", nil).want(http.StatusOK).decode(&experts)
			if len(experts.Items) != 2 || experts.Items[0].UserID != ben.ID || experts.Items[0].Resolved != 1 ||
				!strings.HasPrefix(experts.Items[0].Why[0].Text, "resolved 1 similar case, last on ") ||
				experts.Items[1].UserID != cam.ID || experts.Items[1].Linked != 1 || experts.Items[1].Why[0].Code != "linked" {
				t.Fatalf("experts %+v: want ben (resolved it) then cam (linked its article)", experts.Items)
			}

			// The invitation reaches ben's feed and not dan's: dan's feed
			// carries his own presence change after it, and nothing of the room.
			benFeed, danFeed := w.feed(t, benC, 0), w.feed(t, danC, 0)
			anaC.in(t).do("POST", room+"/invitations", map[string]any{"user_id": ben.ID}).want(http.StatusCreated)
			anaC.in(t).do("POST", room+"/invitations", map[string]any{"user_id": ben.ID}).wantProblem(http.StatusConflict, "conflict")
			if p := anaC.in(t).do("POST", room+"/invitations", map[string]any{"user_id": w.B.Admin.ID}).wantProblem(http.StatusUnprocessableEntity, "validation"); p.Errors[0].Field != "user_id" {
				t.Errorf("inviting tenant B's admin: %+v", p)
			}
			got := readUntil(t, benFeed, func(ev event.Event) bool { return ev.Type == event.SwarmInvited })
			if ev := got[len(got)-1]; !strings.Contains(string(ev.Data), ben.ID) || strings.Contains(string(ev.Data), "Declined abroad") {
				t.Fatalf("ben's invitation event: %s", ev.Data)
			}
			danC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "away"}).want(http.StatusOK)
			for _, ev := range readUntil(t, danFeed, presenceOf(dan)) {
				if strings.HasPrefix(ev.Type, "swarm.") {
					t.Fatalf("dan, no member, got %s on the feed", ev.Type)
				}
			}

			benC.in(t).do("GET", room, nil).want(http.StatusOK)
			benC.in(t).do("POST", room+"/messages", map[string]any{"body": "hi"}).wantProblem(http.StatusForbidden, "forbidden")
			benC.in(t).do("POST", room+"/join", nil).want(http.StatusOK)
			benC.in(t).do("POST", room+"/join", nil).want(http.StatusOK)
			if p := benC.in(t).do("POST", room+"/messages", map[string]any{"body": "hi", "mentions": []string{dan.ID}}).
				wantProblem(http.StatusUnprocessableEntity, "validation"); p.Errors[0].Field != "mentions" {
				t.Errorf("mentioning a stranger: %+v", p)
			}
			benC.in(t).do("POST", room+"/messages", map[string]any{"body": "Set the card's region too.", "mentions": []string{ana.ID}}).want(http.StatusCreated)
			got = readUntil(t, benFeed, func(ev event.Event) bool { return ev.Type == event.SwarmMessage })
			if strings.Contains(string(got[len(got)-1].Data), "region") {
				t.Fatalf("a message event carries the words: %s", got[len(got)-1].Data)
			}

			// An article ben links while in the room is his contribution.
			benC.in(t).do("POST", "/api/v1/conversations/"+conv+"/knowledge/links", map[string]any{"article_id": flag}).want(http.StatusCreated)
			var closed struct{ State, Outcome string }
			benC.in(t).do("POST", room+"/close", map[string]any{"outcome": "Region plus travel flag."}).want(http.StatusOK).decode(&closed)
			if closed.State != "closed" || closed.Outcome != "Region plus travel flag." {
				t.Fatalf("closed %+v", closed)
			}
			anaC.in(t).do("POST", room+"/close", map[string]any{"outcome": "again"}).wantProblem(http.StatusConflict, "room-closed")
			anaC.in(t).do("POST", room+"/messages", map[string]any{"body": "late"}).wantProblem(http.StatusConflict, "room-closed")
			anaC.in(t).do("GET", room, nil).want(http.StatusOK).decode(&v)
			if len(v.Messages) != 1 || len(v.Members) != 2 || v.Room.State != "closed" {
				t.Fatalf("the closed room %+v", v)
			}

			var contrib struct {
				Items []struct {
					Kind    string
					Minutes int
				}
			}
			w.A.admin.in(t).do("GET", "/api/v1/users/"+ben.ID+"/contributions", nil).want(http.StatusOK).decode(&contrib)
			var kinds []string
			for _, c := range contrib.Items {
				kinds = append(kinds, c.Kind)
			}
			slices.Sort(kinds)
			if !slices.Equal(kinds, []string{"join", "link", "message", "minutes"}) || contrib.Items[0].Kind != "minutes" || contrib.Items[0].Minutes < 1 {
				t.Fatalf("ben's contributions %+v", contrib.Items)
			}
			bC.in(t).do("GET", "/api/v1/users/"+ben.ID+"/contributions", nil).wantProblem(http.StatusNotFound, "not-found")

			var mine struct{ Items []struct{ ID string } }
			benC.in(t).do("GET", "/api/v1/swarm/rooms", nil).want(http.StatusOK).decode(&mine)
			if len(mine.Items) != 1 || mine.Items[0].ID != v.Room.ID {
				t.Fatalf("ben's rooms %+v", mine.Items)
			}
			danC.in(t).do("GET", "/api/v1/swarm/rooms", nil).want(http.StatusOK).decode(&mine)
			if len(mine.Items) != 0 {
				t.Fatalf("dan's rooms %+v", mine.Items)
			}
		})
	}
}
