package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// What a signed-in customer does at each business that knows them. The
// business is the path's tenantID; which persona is the customer's there
// comes from the session, never from the request.

func (a *API) portalBusinesses(w http.ResponseWriter, r *http.Request) {
	bs, err := a.Portal.Businesses(r.Context(), portalCaller(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if bs == nil {
		bs = []portal.Business{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": bs})
}

func (a *API) portalPreferences(w http.ResponseWriter, r *http.Request) {
	v, err := a.Portal.Preferences(r.Context(), portalCaller(r), r.PathValue("tenantID"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferenceView(v))
}

func (a *API) portalSetPreferences(w http.ResponseWriter, r *http.Request) {
	var in prefs.Preferences
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Portal.SetPreferences(r.Context(), portalCaller(r), r.PathValue("tenantID"), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferenceView(v))
}

func (a *API) portalSetMomentary(w http.ResponseWriter, r *http.Request) {
	var in momentaryInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Portal.SetMomentary(r.Context(), portalCaller(r), r.PathValue("tenantID"), in.Momentary)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, preferenceView(v))
}

func (a *API) portalNotices(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ds, err := a.Portal.Notices(r.Context(), portalCaller(r), r.PathValue("tenantID"), page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	for i := range ds {
		ds[i] = deliveryView(ds[i])
	}
	writeJSON(w, http.StatusOK, paginate(ds, limit, func(d notify.DeliveryView) string { return d.ID }))
}

// portalNotice shows one notice and marks it read.
func (a *API) portalNotice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "noticeID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.Portal.Notice(r.Context(), portalCaller(r), r.PathValue("tenantID"), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, deliveryView(d))
}

// portalContact writes to the business, optionally answering a notice.
func (a *API) portalContact(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body       string `json:"body"`
		DeliveryID string `json:"delivery_id"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := a.Portal.Contact(r.Context(), portalCaller(r), r.PathValue("tenantID"), in.Body, in.DeliveryID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"conversation_id": id})
}

func (a *API) portalConversations(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cs, err := a.Portal.Conversations(r.Context(), portalCaller(r), r.PathValue("tenantID"), page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(cs, limit, func(c portal.Conversation) string { return c.ID }))
}

func (a *API) portalMessages(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ms, err := a.Portal.Messages(r.Context(), portalCaller(r), r.PathValue("tenantID"), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
}

// pushSubscription is a browser's PushSubscription as its toJSON() gives it.
type pushSubscription struct {
	Endpoint       string  `json:"endpoint"`
	ExpirationTime *int64  `json:"expirationTime"`
	Keys           pushKey `json:"keys"`
}

type pushKey struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

func (a *API) portalSubscribePush(w http.ResponseWriter, r *http.Request) {
	var in pushSubscription
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	sub := store.PushSubscription{Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth, UserAgent: r.UserAgent()}
	if err := a.Portal.SubscribePush(r.Context(), portalCaller(r), r.PathValue("tenantID"), sub); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
