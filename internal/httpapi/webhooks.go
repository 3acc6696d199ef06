package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// Webhooks is the webhook service the API calls; wired in the app.
type Webhooks interface {
	Create(ctx context.Context, tenantID string, by access.Grant, in webhook.EndpointInput) (webhook.Endpoint, error)
	Get(ctx context.Context, tenantID, id string) (webhook.Endpoint, error)
	List(ctx context.Context, tenantID string, page store.Page) ([]webhook.Endpoint, error)
	Update(ctx context.Context, tenantID, id string, by access.Grant, p webhook.EndpointPatch) (webhook.Endpoint, error)
	CreatorChanged(ctx context.Context, tenantID, creator string, now *access.Grant) ([]string, error)
	Delete(ctx context.Context, tenantID, id string) error
	Ping(ctx context.Context, tenantID, endpointID string) (webhook.Delivery, error)
	Replay(ctx context.Context, tenantID, deliveryID string) (webhook.Delivery, error)
	ListDeliveries(ctx context.Context, tenantID, endpointID string, page store.Page) ([]webhook.Delivery, error)
	GetDelivery(ctx context.Context, tenantID, id string) (webhook.Delivery, []webhook.Attempt, error)
}

type endpointJSON struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	EventTypes  []string  `json:"event_types"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func endpointOut(e webhook.Endpoint) endpointJSON {
	return endpointJSON{e.ID, e.URL, e.Description, e.EventTypes, e.Active, e.CreatedAt, e.UpdatedAt}
}

type deliveryJSON struct {
	ID             string    `json:"id"`
	EndpointID     string    `json:"endpoint_id"`
	EventID        string    `json:"event_id"`
	EventType      string    `json:"event_type"`
	Status         string    `json:"status"`
	Attempts       int       `json:"attempts"`
	LastStatusCode int       `json:"last_status_code"`
	LastError      string    `json:"last_error"`
	NextAttemptAt  time.Time `json:"next_attempt_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func deliveryOut(d webhook.Delivery) deliveryJSON {
	return deliveryJSON{d.ID, d.EndpointID, d.EventID, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.UpdatedAt}
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	es, err := a.Webhooks.List(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]endpointJSON, len(es))
	for i, e := range es {
		out[i] = endpointOut(e)
	}
	writeJSON(w, http.StatusOK, paginate(out, limit, func(e endpointJSON) string { return e.ID }))
}

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) {
	var in webhook.EndpointInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	in.By = caller(r).ID()
	e, err := a.Webhooks.Create(r.Context(), caller(r).Tenant.ID, caller(r).grant(), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "webhook.create", e.ID, map[string]any{"url": e.URL, "event_types": e.EventTypes})
	writeJSON(w, http.StatusCreated, struct {
		endpointJSON
		Secret string `json:"secret"`
	}{endpointOut(e), e.Secret})
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "webhookID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	e, err := a.Webhooks.Get(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, endpointOut(e))
}

func (a *API) updateWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "webhookID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var p webhook.EndpointPatch
	if err := decode(r, &p); err != nil {
		a.writeError(w, r, err)
		return
	}
	p.By = caller(r).ID()
	e, err := a.Webhooks.Update(r.Context(), caller(r).Tenant.ID, id, caller(r).grant(), p)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "webhook.update", e.ID, map[string]any{"url": e.URL, "event_types": e.EventTypes, "active": e.Active, "rotated_secret": p.RotateSecret})
	if p.RotateSecret { // the new secret is shown this once, as at creation
		writeJSON(w, http.StatusOK, struct {
			endpointJSON
			Secret string `json:"secret"`
		}{endpointOut(e), e.Secret})
		return
	}
	writeJSON(w, http.StatusOK, endpointOut(e))
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "webhookID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Webhooks.Delete(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "webhook.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) pingWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "webhookID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.Webhooks.Ping(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"delivery_id": d.ID})
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "webhookID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ds, err := a.Webhooks.ListDeliveries(r.Context(), caller(r).Tenant.ID, id, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = deliveryOut(d)
	}
	writeJSON(w, http.StatusOK, paginate(out, limit, func(d deliveryJSON) string { return d.ID }))
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "deliveryID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, atts, err := a.Webhooks.GetDelivery(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	type attemptJSON struct {
		Attempt      int       `json:"attempt"`
		StartedAt    time.Time `json:"started_at"`
		DurationMS   int64     `json:"duration_ms"`
		StatusCode   int       `json:"status_code"`
		ResponseBody string    `json:"response_body"`
		Error        string    `json:"error"`
	}
	as := make([]attemptJSON, len(atts))
	for i, x := range atts {
		as[i] = attemptJSON{x.Attempt, x.StartedAt, x.Duration.Milliseconds(), x.StatusCode, x.ResponseBody, x.Error}
	}
	out := deliveryOut(d)
	writeJSON(w, http.StatusOK, struct {
		ID             string        `json:"id"`
		EndpointID     string        `json:"endpoint_id"`
		EventID        string        `json:"event_id"`
		EventType      string        `json:"event_type"`
		Status         string        `json:"status"`
		Attempts       []attemptJSON `json:"attempts"`
		LastStatusCode int           `json:"last_status_code"`
		LastError      string        `json:"last_error"`
		NextAttemptAt  time.Time     `json:"next_attempt_at,omitzero"`
		CreatedAt      time.Time     `json:"created_at"`
		UpdatedAt      time.Time     `json:"updated_at"`
	}{out.ID, out.EndpointID, out.EventID, out.EventType, out.Status, as, out.LastStatusCode, out.LastError, out.NextAttemptAt, out.CreatedAt, out.UpdatedAt})
}

func (a *API) replayDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "deliveryID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.Webhooks.Replay(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"delivery_id": d.ID})
}

// audit records a webhook change made by the caller. The change itself has
// happened; a failure to record it is logged, not turned into an error answer.
func (a *API) audit(r *http.Request, action, endpointID string, detail map[string]any) {
	if err := a.accounts.Record(r.Context(), caller(r).actor(r), action, "webhook_endpoint", endpointID, detail); err != nil {
		a.log.ErrorContext(r.Context(), "audit webhook change", "action", action, "err", err, "request_id", requestID(r.Context()))
	}
}

// creatorChanged switches off the endpoints of a creator whose reach shrank
// (now nil: gone). It runs after the change committed; a failure is logged and
// answered as an error so the admin retries, while the change itself stands.
func (a *API) creatorChanged(r *http.Request, creator string, now *access.Grant) error {
	off, err := a.Webhooks.CreatorChanged(r.Context(), caller(r).Tenant.ID, creator, now)
	for _, id := range off {
		a.audit(r, "webhook.switched_off", id, map[string]any{"creator": creator})
	}
	return err
}
