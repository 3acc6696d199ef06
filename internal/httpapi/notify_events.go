package httpapi

import (
	"net/http"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Business events (CEBP) and the deliveries they became.

// raiseEvent accepts an event for one persona, a batch, or every persona. The
// Idempotency-Key also keys the event itself, so a retry after the stored
// response expired still finds the first event instead of notifying twice.
func (a *API) raiseEvent(w http.ResponseWriter, r *http.Request) {
	var in notify.RaiseInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	// A raise is refused once the month's notices reached the plan's limit.
	if err := a.Operator.Check(r.Context(), caller(r).Tenant.ID, plan.NoticesPerMonth, 1); err != nil {
		a.writeError(w, r, err)
		return
	}
	res, err := a.Notify.Raise(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.warnPlan(r)
	if res.Counts == nil {
		res.Counts = map[string]int{}
	}
	writeJSON(w, http.StatusAccepted, res)
}

func (a *API) getEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "eventID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	e, err := a.Notify.Event(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// deliveryStatuses are the values ?status= takes.
var deliveryStatuses = []string{notice.StatusPending, notice.StatusSending, notice.StatusSent, notice.StatusDelivered,
	notice.StatusRead, notice.StatusReplied, notice.StatusFailed, notice.StatusSuppressed, notice.StatusExpired, notice.StatusCancelled}

func (a *API) listNotifyDeliveries(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.DeliveryFilter{PersonaID: q.Get("persona_id"), EventID: q.Get("event_id"), Status: q.Get("status")}
	if f.Status != "" && !slices.Contains(deliveryStatuses, f.Status) {
		p := problem(http.StatusBadRequest, "bad-parameter", "status is not a delivery status")
		p.Errors = []FieldIssue{{Field: "status", Reason: "unknown status"}}
		a.writeError(w, r, p)
		return
	}
	ds, err := a.Notify.Deliveries(r.Context(), caller(r).Tenant.ID, f, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	tenantID := caller(r).Tenant.ID
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.PersonaID
	}
	labels, err := a.Notify.CustomerLabels(r.Context(), tenantID, ids)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	items := make([]noticeItem, len(ds))
	for i, d := range ds {
		items[i] = noticeItem{Delivery: withLists(d), Customer: labels[d.PersonaID]}
	}
	writeJSON(w, http.StatusOK, paginate(items, limit, func(d noticeItem) string { return d.ID }))
}

// noticeItem is a notice as the lists show it: with its customer named
// (name, email or phone), never as a bare persona id.
type noticeItem struct {
	notice.Delivery
	Customer string `json:"customer,omitempty"`
}

// noticeViewItem is one notice's view with its customer named.
type noticeViewItem struct {
	notify.DeliveryView
	Customer string `json:"customer,omitempty"`
}

func (a *API) getNotifyDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "noticeID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.Notify.Delivery(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	labels, err := a.Notify.CustomerLabels(r.Context(), caller(r).Tenant.ID, []string{d.PersonaID})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, noticeViewItem{DeliveryView: deliveryView(d), Customer: labels[d.PersonaID]})
}

// withLists gives a delivery's lists their empty value, so JSON carries [] not null.
func withLists(d notice.Delivery) notice.Delivery {
	if d.Channels == nil {
		d.Channels = []string{}
	}
	if d.Reasons == nil {
		d.Reasons = []string{}
	}
	return d
}

func deliveryView(d notify.DeliveryView) notify.DeliveryView {
	d.Delivery = withLists(d.Delivery)
	if d.Steps == nil {
		d.Steps = []notice.Step{}
	}
	return d
}
