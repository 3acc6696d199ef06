package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	entries, err := a.accounts.Audit(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(entries, limit, func(e tenant.AuditEntry) string { return e.ID }))
}

func (a *API) eventTypes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, list[string]{Items: event.Types})
}
