package httpapi

import (
	"net/http"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
)

func (a *API) listChannels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": a.Inbox.Channels()})
}

func (a *API) listChannelAccounts(w http.ResponseWriter, r *http.Request) {
	accs, err := a.Inbox.Accounts(r.Context(), caller(r).Tenant.ID, r.URL.Query().Get("channel"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]channel.Account, len(accs))
	for i, acc := range accs {
		out[i] = acc.Redacted()
	}
	writeJSON(w, http.StatusOK, paginate(out, len(out)+1, func(a channel.Account) string { return a.ID }))
}

func (a *API) createChannelAccount(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Channel  string            `json:"channel"`
		Address  string            `json:"address"`
		Name     string            `json:"name"`
		Settings map[string]string `json:"settings"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	acc, err := a.Inbox.CreateAccount(r.Context(), p.inboxActor(), channel.Account{Channel: in.Channel, Address: in.Address, Name: in.Name, Settings: in.Settings})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.Record(r.Context(), p.actor(r), "channel_account.create", "channel_account", acc.ID,
		map[string]any{"channel": acc.Channel, "address": acc.Address}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, acc) // secrets shown this once
}

func (a *API) deleteChannelAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "channelAccountID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	if err := a.Inbox.DeleteAccount(r.Context(), p.Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.Record(r.Context(), p.actor(r), "channel_account.delete", "channel_account", id, nil); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) updateChannelAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "channelAccountID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Name     *string           `json:"name"`
		Settings map[string]string `json:"settings"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	acc, err := a.Inbox.UpdateAccount(r.Context(), p.inboxActor(), id, inbox.AccountChange{Name: in.Name, Settings: in.Settings})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	changed := make([]string, 0, len(in.Settings)+1)
	if in.Name != nil {
		changed = append(changed, "name")
	}
	for k := range in.Settings {
		changed = append(changed, "settings."+k)
	}
	slices.Sort(changed)
	if err := a.accounts.Record(r.Context(), p.actor(r), "channel_account.update", "channel_account", acc.ID,
		map[string]any{"channel": acc.Channel, "address": acc.Address, "changed": changed}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, acc)
}
