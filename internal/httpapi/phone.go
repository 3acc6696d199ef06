package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/voice/phone"
)

// Phone keeps tenants' SIP trunks and numbers: *phone.Service.
type Phone interface {
	CreateTrunk(ctx context.Context, tenantID string, in phone.TrunkInput) (phone.Trunk, error)
	UpdateTrunk(ctx context.Context, tenantID, id string, in phone.TrunkInput) (phone.Trunk, error)
	Trunk(ctx context.Context, tenantID, id string) (phone.Trunk, error)
	Trunks(ctx context.Context, tenantID string) ([]phone.Trunk, error)
	DeleteTrunk(ctx context.Context, tenantID, id string) error
}

// phoneReady answers 503 on a node built without the phone service.
func (a *API) phoneReady(w http.ResponseWriter, r *http.Request) bool {
	if a.Phone == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "phone-unavailable", "this node does not keep phone trunks"))
		return false
	}
	return true
}

func (a *API) listPhoneTrunks(w http.ResponseWriter, r *http.Request) {
	if !a.phoneReady(w, r) {
		return
	}
	ts, err := a.Phone.Trunks(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []phone.Trunk `json:"items"`
	}{ts})
}

func (a *API) createPhoneTrunk(w http.ResponseWriter, r *http.Request) {
	if !a.phoneReady(w, r) {
		return
	}
	var in phone.TrunkInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.Phone.CreateTrunk(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "phone_trunk.create", t.ID, map[string]any{"name": t.Name, "numbers": len(t.Numbers)})
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) getPhoneTrunk(w http.ResponseWriter, r *http.Request) {
	if !a.phoneReady(w, r) {
		return
	}
	id, err := pathID(r, "trunkID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.Phone.Trunk(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (a *API) updatePhoneTrunk(w http.ResponseWriter, r *http.Request) {
	if !a.phoneReady(w, r) {
		return
	}
	id, err := pathID(r, "trunkID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in phone.TrunkInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := a.Phone.UpdateTrunk(r.Context(), caller(r).Tenant.ID, id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "phone_trunk.update", t.ID, map[string]any{"name": t.Name, "numbers": len(t.Numbers), "password_changed": in.Password != nil})
	writeJSON(w, http.StatusOK, t)
}

func (a *API) deletePhoneTrunk(w http.ResponseWriter, r *http.Request) {
	if !a.phoneReady(w, r) {
		return
	}
	id, err := pathID(r, "trunkID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Phone.DeleteTrunk(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "phone_trunk.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}
