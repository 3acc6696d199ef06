package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// listConversations is the agents' inbox: filters, orders, and the fields a list
// row shows. A cursor carries the sort key with the id, so every order pages
// without gaps or repeats.
func (a *API) listConversations(w http.ResponseWriter, r *http.Request) {
	f, err := inboxFilter(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	f.Now = a.clock.Now()
	page, limit, err := inboxPage(r, &f)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cs, err := a.Inbox.InboxConversations(r.Context(), caller(r).Tenant.ID, f, r.URL.Query().Get("q"), page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(cs, limit, func(c store.ListedConversation) string {
		return inboxCursor(f.Sort, c)
	}))
}

func inboxFilter(r *http.Request) (store.InboxFilter, error) {
	q := r.URL.Query()
	p := caller(r)
	f := store.InboxFilter{ConversationFilter: store.ConversationFilter{Status: conversation.Status(q.Get("status")), Channel: q.Get("channel"),
		Tag: q.Get("tag"), AssigneeID: q.Get("assignee_id"), Team: q.Get("team"), PersonaID: q.Get("persona_id")},
		SLA: q.Get("sla"), QueueID: q.Get("queue_id"), Sort: store.InboxSort(q.Get("sort"))}
	if f.Status != "" && f.Status != store.StatusActive && !f.Status.Valid() {
		return f, badParam("status", "must be open, pending, snoozed, resolved, or active (open or pending)")
	}
	if f.AssigneeID == "me" && p.User != nil {
		f.AssigneeID = p.User.ID
	}
	if s := q.Get("priority"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < int(conversation.PriorityLow) || n > int(conversation.PriorityUrgent) {
			return f, badParam("priority", "must be a priority from 0 (low) to 3 (urgent)")
		}
		f.Priority = &n
	}
	if f.SLA != "" && f.SLA != "at_risk" && f.SLA != "breached" {
		return f, badParam("sla", "must be at_risk or breached")
	}
	switch m := q.Get("mentions"); {
	case m == "":
	case m == "me" && p.User != nil:
		f.MentionsUserID = p.User.ID
	case m == "me":
		return f, badParam("mentions", "me needs a signed-in user, not an API key")
	default:
		return f, badParam("mentions", "must be me")
	}
	switch q.Get("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		return f, badParam("unread", "must be true or false")
	}
	if !f.Sort.Valid() {
		return f, badParam("sort", "must be newest, waiting or sla_due")
	}
	return f, nil
}

// inboxPage reads ?limit= and a cursor made by inboxCursor for the same order.
func inboxPage(r *http.Request, f *store.InboxFilter) (store.Page, int, error) {
	c := r.URL.Query().Get("cursor")
	q := r.URL.Query()
	q.Del("cursor")
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	page, limit, err := pageParams(r2)
	if err != nil || c == "" {
		return page, limit, err
	}
	bad := badParam("cursor", "is not one this API gave out for this sort")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return page, 0, bad
	}
	if f.Sort == "" || f.Sort == store.SortNewest {
		if !ids.Valid(string(raw)) {
			return page, 0, bad
		}
		page.After = string(raw)
		return page, limit, nil
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != string(f.Sort) || !ids.Valid(parts[2]) {
		return page, 0, bad
	}
	if f.AfterKey, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return page, 0, bad
	}
	page.After = parts[2]
	return page, limit, nil
}

func inboxCursor(s store.InboxSort, c store.ListedConversation) string {
	if s == "" || s == store.SortNewest {
		return c.ID
	}
	return string(s) + ":" + strconv.FormatInt(store.SortKey(s, c), 10) + ":" + c.ID
}

// inboxCounts answers the numbers beside the inbox's views, cheap enough to ask
// after every event.
func (a *API) inboxCounts(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	userID := ""
	if p.User != nil {
		userID = p.User.ID
	}
	c, err := a.Inbox.InboxCounts(r.Context(), p.Tenant.ID, userID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
