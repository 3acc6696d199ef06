package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// originalEML is a mail as a channel received it, with its damage.
var originalEML = []byte("From: zoe@example.com\r\nSubject: Statement\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nsee attached\r\n")

// originalFixture is a message kept with its original (isolationFixtures'
// messageID).
func originalFixture(f *fixtures) string {
	res, err := f.w.inbox.Ingest(context.Background(), inbox.Inbound{TenantID: f.tf.Tenant.ID, Channel: "loop",
		From: persona.Identifier{Kind: persona.KindExternal, Value: "original-" + f.tf.Tenant.Slug}, Body: "see attached",
		Meta: map[string]any{"damaged": []string{`unknown charset "x-klingon"`}}, Original: originalEML})
	if err != nil {
		f.t.Fatalf("original fixture: %v", err)
	}
	return res.Message.ID
}

func TestMessageOriginal(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			w := newWorld(t, withEngine(e))
			fa := newFixtures(t, w, &w.A)
			id := fa.id("messageID", "")
			r := w.A.admin.in(t).do("GET", "/api/v1/messages/"+id+"/original", nil).want(http.StatusOK)
			if !bytes.Equal(r.body, originalEML) || r.Header.Get("Content-Type") != "message/rfc822" ||
				r.Header.Get("Content-Security-Policy") != "sandbox" {
				t.Fatalf("original %q, headers %v", r.body, r.Header)
			}
			w.B.admin.in(t).do("GET", "/api/v1/messages/"+id+"/original", nil).wantProblem(http.StatusNotFound, "not-found")
			// A message kept without an original is not found either.
			plain := fa.contact().Message.ID
			w.A.admin.in(t).do("GET", "/api/v1/messages/"+plain+"/original", nil).wantProblem(http.StatusNotFound, "not-found")
		})
	}
}
