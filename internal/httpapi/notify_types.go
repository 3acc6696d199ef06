package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Notification types and the tenant's notification settings.

func (a *API) listNotificationTypes(w http.ResponseWriter, r *http.Request) {
	ts, err := a.Notify.Types(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if ts == nil {
		ts = []notice.Type{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
}

func (a *API) createNotificationType(w http.ResponseWriter, r *http.Request) {
	var in notice.Type
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	tenantID := caller(r).Tenant.ID
	// PutType replaces; a POST must not, so an existing key is a conflict.
	switch _, err := a.Notify.Type(r.Context(), tenantID, in.Key); {
	case err == nil:
		writeProblem(w, r, problem(http.StatusConflict, "conflict", fmt.Sprintf("notification type %q exists; PUT replaces it", in.Key)))
		return
	case !errors.Is(err, store.ErrNotFound):
		a.writeError(w, r, err)
		return
	}
	t, err := a.Notify.PutType(r.Context(), tenantID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditNotify(r, "notification_type.create", "notification_type", t.Key)
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) getNotificationType(w http.ResponseWriter, r *http.Request) {
	t, err := a.Notify.Type(r.Context(), caller(r).Tenant.ID, r.PathValue("typeKey"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// replaceNotificationType replaces the type named in the path (POST creates);
// a key in the body, if any, must be the same.
func (a *API) replaceNotificationType(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("typeKey")
	tenantID := caller(r).Tenant.ID
	if _, err := a.Notify.Type(r.Context(), tenantID, key); err != nil {
		a.writeError(w, r, err)
		return
	}
	var in notice.Type
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.Key != "" && in.Key != key {
		p := problem(http.StatusUnprocessableEntity, "validation", "the key in the body differs from the path's")
		p.Errors = []FieldIssue{{Field: "key", Reason: "must be " + key + " or left out"}}
		writeProblem(w, r, p)
		return
	}
	in.Key = key
	t, err := a.Notify.PutType(r.Context(), tenantID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditNotify(r, "notification_type.update", "notification_type", key)
	writeJSON(w, http.StatusOK, t)
}

func (a *API) deleteNotificationType(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("typeKey")
	tenantID := caller(r).Tenant.ID
	if _, err := a.Notify.Type(r.Context(), tenantID, key); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Notify.DeleteType(r.Context(), tenantID, key); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditNotify(r, "notification_type.delete", "notification_type", key)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getNotifySettings(w http.ResponseWriter, r *http.Request) {
	s, err := a.Notify.Settings(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *API) putNotifySettings(w http.ResponseWriter, r *http.Request) {
	var in notice.Settings
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.Notify.PutSettings(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditNotify(r, "notify_settings.update", "tenant", caller(r).Tenant.ID)
	writeJSON(w, http.StatusOK, s)
}

// vapidKey is the public key browsers subscribe to Web Push with.
func (a *API) vapidKey(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"public_key": a.Portal.VAPIDPublicKey()})
}

// auditNotify records a change to the tenant's notifications. The change has
// happened; a failure to record it is logged, not answered.
func (a *API) auditNotify(r *http.Request, action, kind, id string) {
	if err := a.accounts.Record(r.Context(), caller(r).actor(r), action, kind, id, nil); err != nil {
		a.log.ErrorContext(r.Context(), "audit notification change", "action", action, "err", err, "request_id", requestID(r.Context()))
	}
}
