package httpapi

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestSwarmFilesExpertiseWork: a joined member attaches a file to a room
// message; only the room's members download it (not another agent of the
// workspace, not another tenant, not through the general attachment
// download), with the safe download headers. Ben, who resolved a
// conversation tagged cards, is expert in cards — his learned areas say
// so, and expert finding suggests him for a room on another cards
// conversation with that line. Supervisors see who worked on what, as
// JSON and CSV; a person's record sums by month.
func TestSwarmFilesExpertiseWork(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			ben := w.seedUser(t, w.A.Tenant, "ben@tenant-a.example", tenant.RoleAgent)
			dan := w.seedUser(t, w.A.Tenant, "dan@tenant-a.example", tenant.RoleAgent)
			sue := w.seedUser(t, w.A.Tenant, "sue@tenant-a.example", tenant.RoleSupervisor)
			anaC, benC, danC, sueC := w.sessionClient(t, ana), w.sessionClient(t, ben), w.sessionClient(t, dan), w.sessionClient(t, sue)
			bC := w.B.admin

			// Ben's past work: a conversation tagged cards, resolved by him.
			past := w.contactOn(t, w.A.Tenant.ID, "p1", "the card is stuck").Conversation.ID
			w.A.admin.in(t).do("PATCH", "/api/v1/conversations/"+past, map[string]any{"tags": []string{"cards"}, "assignee_id": ben.ID}).want(http.StatusOK)
			benC.in(t).do("PATCH", "/api/v1/conversations/"+past, map[string]any{"status": "resolved"}).want(http.StatusOK)
			var areas struct {
				Items []struct {
					Kind, Name      string
					Cases, Resolved int
				}
			}
			anaC.in(t).do("GET", "/api/v1/users/"+ben.ID+"/expertise", nil).want(http.StatusOK).decode(&areas)
			if len(areas.Items) != 1 || areas.Items[0].Kind != "tag" || areas.Items[0].Name != "cards" || areas.Items[0].Cases != 1 || areas.Items[0].Resolved != 1 {
				t.Fatalf("ben's expertise %+v", areas.Items)
			}
			bC.in(t).do("GET", "/api/v1/users/"+ben.ID+"/expertise", nil).wantProblem(http.StatusNotFound, "not-found")

			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "something odd with a payment").Conversation.ID
			w.A.admin.in(t).do("PATCH", "/api/v1/conversations/"+conv, map[string]any{"tags": []string{"cards"}}).want(http.StatusOK)
			var v swarmView
			anaC.in(t).do("POST", "/api/v1/conversations/"+conv+"/swarm", map[string]any{"question": "Anyone?"}).want(http.StatusCreated).decode(&v)
			room := "/api/v1/swarm/rooms/" + v.Room.ID
			var experts struct {
				Items []struct {
					UserID string `json:"user_id"`
					Why    []struct{ Code, Text string }
				}
			}
			anaC.in(t).do("GET", room+"/experts", nil).want(http.StatusOK).decode(&experts)
			// (Every resolved conversation is a past case too, so ben may
			// also be suggested for a similar one; the area is its own line.)
			expertIn := func() bool {
				for _, y := range experts.Items[0].Why {
					if y.Code == "expert_in" && y.Text == "expert in cards — 1 case" {
						return true
					}
				}
				return false
			}
			if len(experts.Items) != 1 || experts.Items[0].UserID != ben.ID || !expertIn() {
				t.Fatalf("experts by learned area %+v", experts.Items)
			}

			// Files: ana uploads and writes; ben, invited, downloads; others get 404.
			anaC.in(t).do("POST", room+"/invitations", map[string]any{"user_id": ben.ID}).want(http.StatusCreated)
			benC.in(t).do("POST", room+"/files", multipartFile(t, "file", "x.txt", []byte("x"))).wantProblem(http.StatusForbidden, "forbidden")
			html := []byte("<html><script>alert(1)</script></html>")
			var f struct{ ID, Name, ContentType string }
			anaC.in(t).do("POST", room+"/files", multipartFile(t, "file", `C:\tmp\ledger.html`, html)).want(http.StatusCreated).decode(&f)
			if f.Name != "ledger.html" {
				t.Fatalf("uploaded %+v", f)
			}
			danC.in(t).do("POST", room+"/files", multipartFile(t, "file", "x.txt", []byte("x"))).wantProblem(http.StatusNotFound, "not-found")
			bC.in(t).do("POST", room+"/files", multipartFile(t, "file", "x.txt", []byte("x"))).wantProblem(http.StatusNotFound, "not-found")
			anaC.in(t).do("POST", room+"/files", multipartFile(t, "file", "empty.txt", nil)).wantProblem(http.StatusUnprocessableEntity, "validation")
			// The attachments' limit, not the API's body limit.
			anaC.in(t).do("POST", room+"/files", multipartFile(t, "file", "scan.bin", bytes.Repeat([]byte{1}, 2<<20))).want(http.StatusCreated)
			anaC.in(t).do("POST", room+"/files", multipartFile(t, "file", "huge.bin", bytes.Repeat([]byte{1}, int(w.inbox.MaxAttachmentBytes())+1))).
				wantProblem(http.StatusRequestEntityTooLarge, "too-large")
			benC.in(t).do("POST", room+"/join", nil).want(http.StatusOK)
			if p := benC.in(t).do("POST", room+"/messages", map[string]any{"body": "mine?", "attachment_ids": []string{f.ID}}).
				wantProblem(http.StatusUnprocessableEntity, "validation"); p.Errors[0].Field != "attachment_ids" {
				t.Fatalf("ben attaches ana's upload: %+v", p)
			}
			var msg struct {
				Attachments []struct{ ID string }
			}
			anaC.in(t).do("POST", room+"/messages", map[string]any{"body": "", "attachment_ids": []string{f.ID}}).want(http.StatusCreated).decode(&msg)
			if len(msg.Attachments) != 1 || msg.Attachments[0].ID != f.ID {
				t.Fatalf("message files %+v", msg.Attachments)
			}
			anaC.in(t).do("POST", room+"/messages", map[string]any{"body": "again", "attachment_ids": []string{f.ID}}).wantProblem(http.StatusUnprocessableEntity, "validation")
			res := benC.in(t).do("GET", room+"/files/"+f.ID, nil).want(http.StatusOK)
			if !bytes.Equal(res.body, html) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
				res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Fatalf("download: %q %v", res.body, res.Header)
			}
			danC.in(t).do("GET", room+"/files/"+f.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			bC.in(t).do("GET", room+"/files/"+f.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			danC.in(t).do("GET", "/api/v1/attachments/"+f.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			var got swarmView
			benC.in(t).do("GET", room, nil).want(http.StatusOK).decode(&got)
			benC.in(t).do("POST", room+"/messages", map[string]any{"body": "Looks like the ledger."}).want(http.StatusCreated)
			benC.in(t).do("POST", room+"/close", map[string]any{"outcome": "Ledger."}).want(http.StatusOK)

			// Who worked on what.
			var work struct {
				Items []struct {
					Room   struct{ ID string }
					People []struct {
						UserID   string `json:"user_id"`
						Status   string
						Messages int
						Minutes  int
					}
				}
			}
			sueC.in(t).do("GET", "/api/v1/swarm/work", nil).want(http.StatusOK).decode(&work)
			if len(work.Items) != 1 || work.Items[0].Room.ID != v.Room.ID || len(work.Items[0].People) != 2 ||
				work.Items[0].People[1].UserID != ben.ID || work.Items[0].People[1].Messages != 1 || work.Items[0].People[1].Minutes < 1 {
				t.Fatalf("work %+v", work.Items)
			}
			csv := sueC.in(t).do("GET", "/api/v1/swarm/work?format=csv", nil).want(http.StatusOK)
			lines := strings.Split(strings.TrimSpace(string(csv.body)), "\n")
			if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || len(lines) != 3 || !strings.Contains(lines[2], ben.ID+",User ben@tenant-a.example,joined,1,0,") {
				t.Fatalf("csv %q", csv.body)
			}
			anaC.in(t).do("GET", "/api/v1/swarm/work", nil).wantProblem(http.StatusForbidden, "forbidden")
			bC.in(t).do("GET", "/api/v1/swarm/work", nil).want(http.StatusOK).decode(&work)
			if len(work.Items) != 0 {
				t.Fatalf("tenant b sees tenant a's rooms: %+v", work.Items)
			}
			sueC.in(t).do("GET", "/api/v1/swarm/work?from=2026-13-01", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")

			var rec struct {
				Months []struct {
					Month                    string
					Rooms, Messages, Minutes int
				}
			}
			sueC.in(t).do("GET", "/api/v1/users/"+ben.ID+"/contributions?tz=Europe/Paris", nil).want(http.StatusOK).decode(&rec)
			if len(rec.Months) != 1 || rec.Months[0].Rooms != 1 || rec.Months[0].Messages != 1 || rec.Months[0].Minutes < 1 {
				t.Fatalf("ben's months %+v", rec.Months)
			}
			sueC.in(t).do("GET", "/api/v1/users/"+ben.ID+"/contributions?tz=Mars/Olympus", nil).wantProblem(http.StatusBadRequest, "bad-parameter")
		})
	}
}
