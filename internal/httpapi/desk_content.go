package httpapi

import (
	"errors"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// Canned responses and macros: everyone keeps their own; supervisors and
// admins keep the tenant's (see inbox.Keeper).

func (p *principal) keeper() inbox.Keeper {
	return inbox.Keeper{Actor: p.inboxActor(), TenantWide: p.can(permSupervise)}
}

// writeContentError answers a refused change of the tenant's content with 403.
func (a *API) writeContentError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, inbox.ErrForbidden) {
		writeProblem(w, r, problem(http.StatusForbidden, "forbidden", "only supervisors and admins change the tenant's canned responses and macros, and only its owner a personal one"))
		return
	}
	a.writeError(w, r, err)
}

func (a *API) listCannedResponses(w http.ResponseWriter, r *http.Request) {
	cs, err := a.Inbox.CannedResponses(r.Context(), caller(r).inboxActor())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, whole(cs))
}

func (a *API) createCannedResponse(w http.ResponseWriter, r *http.Request) {
	var in inbox.CannedInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.Inbox.CreateCannedResponse(r.Context(), caller(r).keeper(), in)
	if err != nil {
		a.writeContentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (a *API) getCannedResponse(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "cannedID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.Inbox.CannedResponse(r.Context(), caller(r).inboxActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) replaceCannedResponse(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "cannedID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in inbox.CannedInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.Inbox.UpdateCannedResponse(r.Context(), caller(r).keeper(), id, in)
	if err != nil {
		a.writeContentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) deleteCannedResponse(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "cannedID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Inbox.DeleteCannedResponse(r.Context(), caller(r).keeper(), id); err != nil {
		a.writeContentError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) renderCannedResponse(w http.ResponseWriter, r *http.Request) {
	convID, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "cannedID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Inbox.RenderCanned(r.Context(), caller(r).inboxActor(), convID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) listMacros(w http.ResponseWriter, r *http.Request) {
	ms, err := a.Inbox.Macros(r.Context(), caller(r).inboxActor())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, whole(ms))
}

func (a *API) createMacro(w http.ResponseWriter, r *http.Request) {
	var in inbox.MacroInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Inbox.CreateMacro(r.Context(), caller(r).keeper(), in)
	if err != nil {
		a.writeContentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (a *API) getMacro(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "macroID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Inbox.Macro(r.Context(), caller(r).inboxActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (a *API) replaceMacro(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "macroID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in inbox.MacroInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Inbox.UpdateMacro(r.Context(), caller(r).keeper(), id, in)
	if err != nil {
		a.writeContentError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (a *API) deleteMacro(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "macroID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Inbox.DeleteMacro(r.Context(), caller(r).keeper(), id); err != nil {
		a.writeContentError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) runMacro(w http.ResponseWriter, r *http.Request) {
	convID, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := pathID(r, "macroID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.Inbox.RunMacro(r.Context(), caller(r).inboxActor(), convID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// whole answers an unpaged list in the paginated shape (no next cursor): a
// tenant's canned responses and macros are few.
func whole[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}
