package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
)

// A persona's preferences and consent ledger, changed by agents on the
// customer's word or by the business's systems, and the persona's erasure.

// tenantPersona is the path's persona, found in the caller's tenant: the
// ledger has no foreign key to personas (it outlives them), so writes check
// here that the persona is the tenant's.
func (a *API) tenantPersona(r *http.Request) (string, error) {
	id, err := pathID(r, "personaID")
	if err != nil {
		return "", err
	}
	if _, err := a.Inbox.Persona(r.Context(), caller(r).Tenant.ID, id); err != nil {
		return "", err
	}
	return id, nil
}

// who is the caller as the consent ledger records it.
func who(r *http.Request) notify.Who {
	p := caller(r)
	if p.User != nil {
		return notify.Who{Source: consent.SourceAgent, Actor: "user:" + p.User.ID}
	}
	return notify.Who{Source: consent.SourceAPI, Actor: "apikey:" + p.Key.ID}
}

func (a *API) getPreferences(w http.ResponseWriter, r *http.Request) {
	id, err := a.tenantPersona(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Notify.Preferences(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferenceView(v))
}

func (a *API) putPreferences(w http.ResponseWriter, r *http.Request) {
	id, err := a.tenantPersona(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in prefs.Preferences
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Notify.SetPreferences(r.Context(), caller(r).Tenant.ID, id, in, who(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferenceView(v))
}

// momentaryInput sets a momentary state, or clears it with null.
type momentaryInput struct {
	Momentary *prefs.Momentary `json:"momentary"`
}

func (a *API) putMomentary(w http.ResponseWriter, r *http.Request) {
	id, err := a.tenantPersona(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in momentaryInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Notify.SetMomentary(r.Context(), caller(r).Tenant.ID, id, in.Momentary, who(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferenceView(v))
}

// consentRecords reads the ledger of the path's persona. An erased persona's
// ledger is still there (the tombstone proves the erasure), so a persona
// that is gone is not found only if it has no records either.
func (a *API) consentRecords(r *http.Request) ([]consent.Record, error) {
	id, err := pathID(r, "personaID")
	if err != nil {
		return nil, err
	}
	tenantID := caller(r).Tenant.ID
	recs, err := a.Notify.Consent(r.Context(), tenantID, id)
	if err != nil || len(recs) > 0 {
		return recs, err
	}
	if _, err := a.Inbox.Persona(r.Context(), tenantID, id); err != nil {
		return nil, err
	}
	return []consent.Record{}, nil
}

func (a *API) listConsent(w http.ResponseWriter, r *http.Request) {
	recs, err := a.consentRecords(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": recs})
}

// consentInput is a decision an agent records on the customer's word.
type consentInput struct {
	Scope   string `json:"scope"`
	Granted bool   `json:"granted"`
	Note    string `json:"note"`
}

func (a *API) recordConsent(w http.ResponseWriter, r *http.Request) {
	id, err := a.tenantPersona(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in consentInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	rec, err := a.Notify.RecordConsent(r.Context(), caller(r).Tenant.ID, id, in.Scope, in.Granted, who(r), in.Note)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rec)
}

// exportConsent hands over the ledger as a file, with whether it verified.
// Like the list, it outlives the persona.
func (a *API) exportConsent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "personaID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	body, err := a.Notify.ExportConsent(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="consent-`+id+`.json"`)
	w.Write(body)
}

// erasePersona removes the persona and its data; the ledger keeps a tombstone.
func (a *API) erasePersona(w http.ResponseWriter, r *http.Request) {
	id, err := a.tenantPersona(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	actor := p.actor(r)
	if err := a.Notify.Erase(r.Context(), p.Tenant.ID, id, actor.Type+":"+actor.ID); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditNotify(r, "persona.erase", "persona", id)
	w.WriteHeader(http.StatusNoContent)
}

// preferenceView gives the view's lists and maps their empty values.
func preferenceView(v notify.PreferenceView) notify.PreferenceView {
	if v.Consent == nil {
		v.Consent = map[string]bool{}
	}
	if v.Types == nil {
		v.Types = []notice.Type{}
	}
	if v.Available == nil {
		v.Available = []string{}
	}
	return v
}
