package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/channel/whatsapp"
)

// The tenant's WhatsApp message templates (internal/channel/whatsapp): admins
// record what Meta approved; agents list them to reach a customer outside
// the 24-hour window (a reply's "template").

func (a *API) whatsAppTemplates() *whatsapp.Templates { return whatsapp.NewTemplates(a.db, a.clock) }

func (a *API) listWhatsAppTemplates(w http.ResponseWriter, r *http.Request) {
	ts, err := a.whatsAppTemplates().List(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []whatsapp.Template `json:"items"`
	}{ts})
}

func (a *API) createWhatsAppTemplate(w http.ResponseWriter, r *http.Request) {
	var in whatsapp.Template
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.whatsAppTemplates().Create(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "whatsapp_template.create", t.ID, map[string]any{"name": t.Name, "language": t.Language, "status": t.Status})
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) getWhatsAppTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := a.whatsAppTemplates().Get(r.Context(), caller(r).Tenant.ID, r.PathValue("templateID"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (a *API) replaceWhatsAppTemplate(w http.ResponseWriter, r *http.Request) {
	var in whatsapp.Template
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.whatsAppTemplates().Update(r.Context(), caller(r).Tenant.ID, r.PathValue("templateID"), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "whatsapp_template.update", t.ID, map[string]any{"name": t.Name, "language": t.Language, "status": t.Status})
	writeJSON(w, http.StatusOK, t)
}

func (a *API) deleteWhatsAppTemplate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("templateID")
	if err := a.whatsAppTemplates().Delete(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "whatsapp_template.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}
