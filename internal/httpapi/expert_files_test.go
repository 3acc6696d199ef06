package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestExpertOpensAttachments: an expert opens a message's attachment through
// a room they are in (ADR 0048) — the customer's file on the room's
// conversation, with the safe download headers — and nobody else does: an
// expert of the workspace in no room on it, the room's expert asking for a
// file of another conversation, and another workspace's expert all get 404.
// The room's own files stay the room's (404 on the general route).
func TestExpertOpensAttachments(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			aid := w.A.Tenant.ID
			ana := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent))
			erik := w.seedUser(t, w.A.Tenant, "erik@tenant-a.example", tenant.RoleExpert)
			erikC := w.sessionClient(t, erik)
			olga := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "olga@tenant-a.example", tenant.RoleExpert))
			bert := w.sessionClient(t, w.seedUser(t, w.B.Tenant, "bert@tenant-b.example", tenant.RoleExpert))

			in := w.ingest(t, aid, "files-1", "the statement is wrong")
			other := w.ingest(t, aid, "files-2", "another customer's statement")
			file := "/api/v1/attachments/" + in.Message.Attachments[0].ID
			otherFile := "/api/v1/attachments/" + other.Message.Attachments[0].ID

			// Before any room, the expert opens nothing.
			erikC.in(t).do("GET", file, nil).wantProblem(http.StatusNotFound, "not-found")

			var v struct{ Room struct{ ID string } }
			ana.in(t).do("POST", "/api/v1/conversations/"+in.Conversation.ID+"/swarm", map[string]any{"question": "is this statement right?"}).
				want(http.StatusCreated).decode(&v)
			room := "/api/v1/swarm/rooms/" + v.Room.ID
			ana.in(t).do("POST", room+"/invitations", map[string]any{"user_id": erik.ID}).want(http.StatusCreated)

			r := erikC.in(t).do("GET", file, nil).want(http.StatusOK)
			if !bytes.Equal(r.body, []byte("%PDF-1.4 fixture")) || !strings.HasPrefix(r.Header.Get("Content-Security-Policy"), "sandbox") ||
				r.Header.Get("Content-Disposition") == "" {
				t.Fatalf("the invited expert got %q with headers %v", r.body, r.Header)
			}
			erikC.in(t).do("GET", otherFile, nil).wantProblem(http.StatusNotFound, "not-found")
			olga.in(t).do("GET", file, nil).wantProblem(http.StatusNotFound, "not-found")
			bert.in(t).do("GET", file, nil).wantProblem(http.StatusNotFound, "not-found")

			// A room's own file is read through the room, never here.
			var f struct{ ID string }
			ana.in(t).do("POST", room+"/files", multipartFile(t, "file", "notes.txt", []byte("room notes"))).
				want(http.StatusCreated).decode(&f)
			ana.in(t).do("POST", room+"/messages", map[string]any{"body": "see", "attachment_ids": []string{f.ID}}).want(http.StatusCreated)
			erikC.in(t).do("GET", "/api/v1/attachments/"+f.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			erikC.in(t).do("GET", room+"/files/"+f.ID, nil).want(http.StatusOK)

			// An email's original on the room's conversation reads the same way.
			mail, err := w.inbox.Ingest(context.Background(), inbox.Inbound{TenantID: aid, Channel: "loop",
				From: persona.Identifier{Kind: persona.KindExternal, Value: "files-1"}, Body: "see attached", Original: originalEML})
			if err != nil || mail.Conversation.ID != in.Conversation.ID {
				t.Fatalf("a second message on the conversation: %v, %s", err, mail.Conversation.ID)
			}
			original := "/api/v1/messages/" + mail.Message.ID + "/original"
			if r := erikC.in(t).do("GET", original, nil).want(http.StatusOK); !bytes.Equal(r.body, originalEML) {
				t.Fatalf("original %q", r.body)
			}
			olga.in(t).do("GET", original, nil).wantProblem(http.StatusNotFound, "not-found")
			bert.in(t).do("GET", original, nil).wantProblem(http.StatusNotFound, "not-found")
		})
	}
}
