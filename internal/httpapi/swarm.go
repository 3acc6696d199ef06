package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
)

// Swarming: rooms on a conversation, suggested experts, invitations, joins,
// messages, the close; and a person's contribution record.

func (p *principal) swarmActor() rooms.Actor {
	a := rooms.Actor{TenantID: p.Tenant.ID}
	if p.User != nil {
		a.UserID = p.User.ID
	}
	return a
}

// swarmProblem maps the swarm's errors; nil for others.
func swarmProblem(err error) *Problem {
	var inv *swarm.InvalidError
	switch {
	case errors.As(err, &inv):
		p := problem(http.StatusUnprocessableEntity, "validation", inv.Error())
		p.Errors = []FieldIssue{{Field: inv.Field, Reason: inv.Reason}}
		return p
	case errors.Is(err, rooms.ErrNeedsUser):
		// An API key may act on its tenant's rooms but is no person to
		// join one: the request conflicts with who makes it (not 403, which
		// says the key lacks a permission it could be given).
		return problem(http.StatusConflict, "needs-user", err.Error())
	case errors.Is(err, swarm.ErrClosed):
		return problem(http.StatusConflict, "room-closed", err.Error())
	case errors.Is(err, swarm.ErrAlreadyMember):
		p := problem(http.StatusConflict, "conflict", err.Error())
		p.Errors = []FieldIssue{{Field: "user_id", Reason: "is already a member of the room"}}
		return p
	case errors.Is(err, swarm.ErrNotMember), errors.Is(err, swarm.ErrNotInvited):
		return problem(http.StatusForbidden, "forbidden", "join the room first")
	}
	return nil
}

// swarmMemberOf passes every event but a swarm room's, which only its
// members see.
func swarmMemberOf(ev event.Event, userID string) bool {
	if !strings.HasPrefix(ev.Type, "swarm.") {
		return true
	}
	var n rooms.Notice
	return json.Unmarshal(ev.Data, &n) == nil && userID != "" && slices.Contains(n.Members, userID)
}

func (a *API) openSwarmRoom(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Question string `json:"question"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Swarm.Open(r.Context(), caller(r).swarmActor(), id, in.Question)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (a *API) listMySwarmRooms(w http.ResponseWriter, r *http.Request) {
	rs, err := a.Swarm.Mine(r.Context(), caller(r).swarmActor())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rs})
}

func (a *API) getSwarmRoom(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Swarm.Room(r.Context(), caller(r).swarmActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) swarmExperts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	xs, err := a.Swarm.Experts(r.Context(), caller(r).swarmActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": xs})
}

func (a *API) inviteToSwarmRoom(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		UserID string `json:"user_id"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Swarm.Invite(r.Context(), caller(r).swarmActor(), id, in.UserID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (a *API) joinSwarmRoom(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Swarm.Join(r.Context(), caller(r).swarmActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (a *API) sayInSwarmRoom(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Body          string   `json:"body"`
		Mentions      []string `json:"mentions"`
		AttachmentIDs []string `json:"attachment_ids"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Swarm.Say(r.Context(), caller(r).swarmActor(), id, in.Body, in.Mentions, in.AttachmentIDs)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (a *API) closeSwarmRoom(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	room, err := a.Swarm.Close(r.Context(), caller(r).swarmActor(), id, in.Outcome)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, room)
}

func (a *API) userContributions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	loc, err := zoneParam(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cs, err := a.Swarm.Contributions(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	months, err := a.Swarm.Record(r.Context(), caller(r).Tenant.ID, id, loc)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs, "months": months})
}
