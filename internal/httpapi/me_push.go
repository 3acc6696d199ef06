package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
)

// A member of staff's browsers subscribed to Web Push from the desktop's
// settings, so invitations to swarm rooms reach them while away (ADR 0048).

func (a *API) listMyPushSubscriptions(w http.ResponseWriter, r *http.Request) {
	subs, err := a.Swarm.PushSubscriptions(r.Context(), caller(r).swarmActor())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"public_key": a.Portal.VAPIDPublicKey(), "items": subs})
}

func (a *API) subscribeMyPush(w http.ResponseWriter, r *http.Request) {
	var in pushSubscription
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	sub := webpush.Subscription{Endpoint: in.Endpoint, Keys: webpush.Keys{P256dh: in.Keys.P256dh, Auth: in.Keys.Auth}}
	out, err := a.Swarm.SubscribePush(r.Context(), caller(r).swarmActor(), sub, r.UserAgent())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) unsubscribeMyPush(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Endpoint string `json:"endpoint"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Swarm.UnsubscribePush(r.Context(), caller(r).swarmActor(), in.Endpoint); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
