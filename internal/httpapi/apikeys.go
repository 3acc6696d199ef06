package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	keys, err := a.accounts.APIKeys(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(keys, limit, func(k tenant.APIKey) string { return k.ID }))
}

func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	k, secret, err := a.accounts.CreateAPIKey(r.Context(), caller(r).actor(r), in.Name, in.Scopes)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		tenant.APIKey
		Key string `json:"key"`
	}{k, secret})
}

func (a *API) getAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "apiKeyID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	k, err := a.accounts.APIKey(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, k)
}

func (a *API) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "apiKeyID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.RevokeAPIKey(r.Context(), caller(r).actor(r), id); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.creatorChanged(r, "key:"+id, nil); err != nil { // a revoked key's webhooks stop too
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
