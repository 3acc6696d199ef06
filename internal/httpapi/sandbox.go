package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/sandbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// The sandbox (docs/sandbox.md): what the workspace's senders kept instead
// of sending, simulated customers, the go-live checklist and switch, and
// sandbox copies of a live workspace. The sandbox package decides; these
// handlers decode, call and encode.

// sandboxStatus is the workspace's place on the way to live.
type sandboxStatus struct {
	Sandbox bool                `json:"sandbox"`
	CopyOf  *store.SandboxCopy  `json:"copy_of"`
	Copies  []store.SandboxCopy `json:"copies"`
}

func (a *API) getSandbox(w http.ResponseWriter, r *http.Request) {
	t := caller(r).Tenant
	out := sandboxStatus{Sandbox: t.Sandbox, Copies: []store.SandboxCopy{}}
	if c, err := a.Sandbox.CopyOf(r.Context(), t.ID); err == nil {
		out.CopyOf = &c
	} else if !errors.Is(err, store.ErrNotFound) {
		a.writeError(w, r, err)
		return
	}
	cs, err := a.Sandbox.Copies(r.Context(), t.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out.Copies = orEmpty(cs)
	writeJSON(w, http.StatusOK, out)
}

// keptMessage is a message of the sandbox outbox in its list.
type keptMessage struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	HasHTML   bool      `json:"has_html"`
	CreatedAt time.Time `json:"created_at"`
}

func (a *API) listSandboxOutbox(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ms, err := a.Sandbox.Outbox(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]keptMessage, len(ms))
	for i, m := range ms {
		out[i] = keptMessage{ID: m.ID, Kind: m.Kind, From: m.From, To: m.To, Subject: m.Subject, HasHTML: m.BodyHTML != "", CreatedAt: m.CreatedAt}
	}
	writeJSON(w, http.StatusOK, paginate(out, limit, func(m keptMessage) string { return m.ID }))
}

func (a *API) getSandboxMessage(w http.ResponseWriter, r *http.Request) {
	m, ok := a.sandboxMessage(w, r)
	if !ok {
		return
	}
	if m.Detail == nil {
		m.Detail = map[string]any{}
	}
	writeJSON(w, http.StatusOK, m)
}

// getSandboxMessageHTML serves a kept mail's HTML (sanitised when it was
// kept) for the outbox page's iframe, under the CSP of the demo's outbox:
// inert, whatever it holds.
func (a *API) getSandboxMessageHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := a.sandboxMessage(w, r)
	if !ok {
		return
	}
	if m.BodyHTML == "" {
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "this message has no HTML"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", caughtMailCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "private, no-store")
	w.Write([]byte(m.BodyHTML))
}

func (a *API) sandboxMessage(w http.ResponseWriter, r *http.Request) (store.SandboxMessage, bool) {
	id, err := pathID(r, "sandboxMessageID")
	if err != nil {
		a.writeError(w, r, err)
		return store.SandboxMessage{}, false
	}
	m, err := a.Sandbox.Message(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return m, false
	}
	return m, true
}

// simulated is what a simulated customer message became.
type simulated struct {
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"`
	PersonaID      string `json:"persona_id"`
}

func (a *API) simulateInbound(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Channel string `json:"channel"`
		From    string `json:"from"`
		Name    string `json:"name"`
		Subject string `json:"subject"`
		Body    string `json:"body"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	got, err := a.Sandbox.Simulate(r.Context(), p.actor(r), sandbox.Simulation{Channel: in.Channel, From: in.From, Name: in.Name, Subject: in.Subject, Body: in.Body})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, simulated{ConversationID: got.Conversation.ID, MessageID: got.Message.ID, PersonaID: got.Persona.ID})
}

func (a *API) getChecklist(w http.ResponseWriter, r *http.Request) {
	c, err := a.Sandbox.Check(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// goLive takes the workspace out of the sandbox, or answers 422 naming the
// checklist items that fail (the admin's API has no override: that is the
// operator's, on the command line).
func (a *API) goLive(w http.ResponseWriter, r *http.Request) {
	c, err := a.Sandbox.GoLive(r.Context(), caller(r).actor(r), false)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) openSandboxCopy(w http.ResponseWriter, r *http.Request) {
	c, err := a.Sandbox.OpenCopy(r.Context(), caller(r).actor(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// sandboxProblem maps the sandbox's refusals (toProblem asks it).
func sandboxProblem(err error) *Problem {
	var nr *sandbox.NotReadyError
	switch {
	case errors.As(err, &nr):
		p := problem(http.StatusUnprocessableEntity, "not-ready", "the go-live checklist does not pass yet: "+nr.Error())
		for _, it := range nr.Failing {
			p.Errors = append(p.Errors, FieldIssue{Field: it.Key, Reason: it.Title + ": " + it.Detail})
		}
		return p
	case errors.Is(err, sandbox.ErrLive), errors.Is(err, sandbox.ErrNotSandbox), errors.Is(err, sandbox.ErrIsCopy),
		errors.Is(err, sandbox.ErrNotLive), errors.Is(err, sandbox.ErrTooMany):
		return problem(http.StatusConflict, "sandbox-state", err.Error())
	case errors.Is(err, sandbox.ErrHeld):
		return problem(http.StatusConflict, "suspended", err.Error())
	}
	return nil
}
