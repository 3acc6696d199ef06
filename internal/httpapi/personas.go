package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// listPersonas is the customers list, or with ?q= people search: by name,
// email, phone or reference, the best page only (no cursor).
func (a *API) listPersonas(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" {
		if utf8.RuneCountInString(q) > 200 {
			a.writeError(w, r, badParam("q", "must be at most 200 characters"))
			return
		}
		if page.After != "" {
			a.writeError(w, r, badParam("cursor", "a search answers one page; refine the words instead"))
			return
		}
		ps, err := a.Inbox.SearchPersonas(r.Context(), caller(r).Tenant.ID, q, limit)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, list[persona.Persona]{Items: ps})
		return
	}
	ps, err := a.Inbox.Personas(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	for i := range ps {
		if ps[i].Identifiers == nil {
			ps[i].Identifiers = []persona.Identifier{}
		}
	}
	writeJSON(w, http.StatusOK, paginate(ps, limit, func(p persona.Persona) string { return p.ID }))
}

func (a *API) getPersona(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "personaID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.Inbox.Persona(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) mergePersona(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "personaID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		MergeID string `json:"merge_id"` // the persona folded into this one
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	mergeID, err := a.Inbox.Merge(r.Context(), caller(r).inboxActor(), id, in.MergeID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.Record(r.Context(), caller(r).actor(r), "persona.merge", "persona", id, map[string]any{"merged": in.MergeID, "merge": mergeID}); err != nil {
		a.log.ErrorContext(r.Context(), "audit merge", "err", err)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"merge_id": mergeID, "survivor_id": id, "merged_id": in.MergeID})
}

func (a *API) undoMerge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "mergeID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Inbox.Unmerge(r.Context(), caller(r).inboxActor(), id); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.Record(r.Context(), caller(r).actor(r), "persona.unmerge", "persona_merge", id, nil); err != nil {
		a.log.ErrorContext(r.Context(), "audit unmerge", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) updatePersona(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "personaID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var patch inbox.PersonaPatch
	if err := decode(r, &patch); err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.Inbox.UpdatePersona(r.Context(), caller(r).inboxActor(), id, patch)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (a *API) addIdentifier(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "personaID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in persona.Identifier
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.Inbox.AddIdentifier(r.Context(), caller(r).inboxActor(), id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
