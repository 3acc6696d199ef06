package httpapi

import (
	"fmt"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// errForbidden is the guard's refusal of a caller who lacks a route's
// permission (a new problem each time: writing one sets its request id).
func errForbidden() error {
	return problem(http.StatusForbidden, "forbidden", "your role or API key scope does not allow this")
}

// readsThroughRoom lets a caller who lacks a route's permission through when
// the route is a rooms route and the caller reads in rooms (an expert) and is
// a member of a swarm room on the path's conversation, on a conversation
// of the path's customer, or on the conversation of the path's message or
// of a message carrying the path's attachment (ADR 0048): open, or closed
// within access.RoomReadGrace (ADR 0032). Such a caller gets 404 for any other conversation, as for another
// tenant's, so conversations cannot be probed; every other refusal is 403.
func (a *API) readsThroughRoom(r *http.Request, p *principal, rt route) error {
	if !rt.rooms || p.User == nil || !p.can(access.ReadInRooms) {
		return errForbidden()
	}
	since := access.RoomsReadSince(a.clock.Now())
	if id := r.PathValue("conversationID"); id != "" {
		ok, err := a.db.SwarmReadsConversation(r.Context(), p.Tenant.ID, p.User.ID, id, since)
		if err != nil || ok {
			return err
		}
		return fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
	}
	if id := r.PathValue("personaID"); id != "" {
		ok, err := a.db.SwarmReadsPersona(r.Context(), p.Tenant.ID, p.User.ID, id, since)
		if err != nil || ok {
			return err
		}
		return fmt.Errorf("persona %s: %w", id, store.ErrNotFound)
	}
	if id := r.PathValue("attachmentID"); id != "" {
		ok, err := a.db.SwarmReadsAttachment(r.Context(), p.Tenant.ID, p.User.ID, id, since)
		if err != nil || ok {
			return err
		}
		return fmt.Errorf("attachment %s: %w", id, store.ErrNotFound)
	}
	if id := r.PathValue("messageID"); id != "" {
		ok, err := a.db.SwarmReadsMessage(r.Context(), p.Tenant.ID, p.User.ID, id, since)
		if err != nil || ok {
			return err
		}
		return fmt.Errorf("message %s: %w", id, store.ErrNotFound)
	}
	return errForbidden()
}
