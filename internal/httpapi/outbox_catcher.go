package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/mailcatch"
)

// MailCatcher is the demo's mail catcher as the API reads it (see
// mailcatch); nil when the center sends mail through a real relay.
type MailCatcher interface {
	ListFor(ctx context.Context, tenantID string, dir mailcatch.Directory) ([]mailcatch.Mail, error)
	GetFor(ctx context.Context, tenantID, id string, dir mailcatch.Directory) (mailcatch.Mail, error)
}

// caughtMail is a mail in the outbox's list.
type caughtMail struct {
	ID         string    `json:"id"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	Subject    string    `json:"subject"`
	ReceivedAt time.Time `json:"received_at"`
}

// caughtMailDetail is one mail, taken apart for reading.
type caughtMailDetail struct {
	caughtMail
	mailcatch.Rendered
}

// noCatcher answers for a center that sends real mail: there is no outbox to read.
var noCatcher = problem(http.StatusNotFound, "no-mail-catcher",
	"this center sends mail through its relay; the outbox exists only in the demo without one (serve --demo with no --smtp-relay)")

func (a *API) catcherReady(w http.ResponseWriter, r *http.Request) bool {
	if a.MailCatcher == nil {
		writeProblem(w, r, noCatcher)
		return false
	}
	return true
}

func (a *API) listCaughtMail(w http.ResponseWriter, r *http.Request) {
	if !a.catcherReady(w, r) {
		return
	}
	ms, err := a.MailCatcher.ListFor(r.Context(), caller(r).Tenant.ID, mailcatch.StoreDirectory{DB: a.db})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]caughtMail, len(ms))
	for i, m := range ms {
		out[i] = summary(m)
	}
	writeJSON(w, http.StatusOK, paginate(out, len(out)+1, func(m caughtMail) string { return m.ID }))
}

func (a *API) getCaughtMail(w http.ResponseWriter, r *http.Request) {
	m, ok := a.caughtMail(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, caughtMailDetail{caughtMail: summary(m), Rendered: mailcatch.Render(m.Raw)})
}

// caughtMailCSP lets a mail's HTML show its own styles and inline images and
// nothing else: no scripts, no requests anywhere (a tracking pixel stays
// unloaded), no forms, in a sandbox without our origin.
const caughtMailCSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"

// getCaughtMailHTML serves a mail's HTML for the outbox page's iframe, under
// a CSP that makes it inert whatever it holds.
func (a *API) getCaughtMailHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := a.caughtMail(w, r)
	if !ok {
		return
	}
	html := mailcatch.Render(m.Raw).HTML
	if html == "" {
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "this mail has no HTML part"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", caughtMailCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "private, no-store")
	w.Write([]byte(html))
}

// caughtMail reads the path's mail, answering 404 for one that is not the caller's tenant's.
func (a *API) caughtMail(w http.ResponseWriter, r *http.Request) (mailcatch.Mail, bool) {
	if !a.catcherReady(w, r) {
		return mailcatch.Mail{}, false
	}
	id, err := pathID(r, "mailID")
	if err != nil {
		a.writeError(w, r, err)
		return mailcatch.Mail{}, false
	}
	m, err := a.MailCatcher.GetFor(r.Context(), caller(r).Tenant.ID, id, mailcatch.StoreDirectory{DB: a.db})
	if err != nil {
		a.writeError(w, r, err)
		return mailcatch.Mail{}, false
	}
	return m, true
}

func summary(m mailcatch.Mail) caughtMail {
	to := m.To
	if to == nil {
		to = []string{}
	}
	return caughtMail{ID: m.ID, From: m.From, To: to, Subject: m.Subject, ReceivedAt: m.ReceivedAt}
}
