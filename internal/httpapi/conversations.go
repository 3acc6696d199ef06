package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/download"
	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// inboxActor is the caller as the conversation service records it.
func (p *principal) inboxActor() inbox.Actor {
	a := inbox.Actor{TenantID: p.Tenant.ID}
	if p.User != nil {
		a.UserID = p.User.ID
	} else {
		a.KeyID = p.Key.ID
	}
	return a
}

func (a *API) getConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.Inbox.Conversation(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) listMessages(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ms, err := a.Inbox.Timeline(r.Context(), caller(r).Tenant.ID, id, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(ms, limit, func(m conversation.Message) string { return m.ID }))
}

func (a *API) replyToConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in inbox.ReplyInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Inbox.Reply(r.Context(), caller(r).inboxActor(), id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (a *API) addNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Inbox.Note(r.Context(), caller(r).inboxActor(), id, in.Body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

// setTyping tells the customer's chat and other agents that the caller is typing.
func (a *API) setTyping(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		On bool `json:"on"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	name := ""
	if p.User != nil {
		name = p.User.Name
	}
	if err := a.Inbox.Typing(r.Context(), p.inboxActor(), id, name, in.On); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// markRead records that the customer's messages have been read, up to one.
func (a *API) markRead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		MessageID string `json:"message_id"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	n, err := a.Inbox.MarkRead(r.Context(), caller(r).inboxActor(), id, in.MessageID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"marked": n})
}

// conversationPatch changes some of a conversation; absent fields stay.
type conversationPatch struct {
	Status       *conversation.Status   `json:"status"`
	AssigneeID   *string                `json:"assignee_id"`
	Team         *string                `json:"team"`
	Priority     *conversation.Priority `json:"priority"`
	Tags         *[]string              `json:"tags"`
	SnoozedUntil *time.Time             `json:"snoozed_until"`
}

func (a *API) updateConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var p conversationPatch
	if err := decode(r, &p); err != nil {
		a.writeError(w, r, err)
		return
	}
	ctx, actor := r.Context(), caller(r).inboxActor()
	c, err := a.Inbox.Conversation(ctx, actor.TenantID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// Each change is its own step with its own timeline entry; a failing one
	// stops the rest and says which field.
	steps := []func() (conversation.Conversation, error){}
	if p.AssigneeID != nil {
		steps = append(steps, func() (conversation.Conversation, error) { return a.Inbox.Assign(ctx, actor, id, *p.AssigneeID) })
	}
	if p.Team != nil {
		steps = append(steps, func() (conversation.Conversation, error) { return a.Inbox.SetTeam(ctx, actor, id, *p.Team) })
	}
	if p.Priority != nil {
		steps = append(steps, func() (conversation.Conversation, error) { return a.Inbox.SetPriority(ctx, actor, id, *p.Priority) })
	}
	if p.Tags != nil {
		steps = append(steps, func() (conversation.Conversation, error) { return a.Inbox.SetTags(ctx, actor, id, *p.Tags) })
	}
	if p.SnoozedUntil != nil {
		steps = append(steps, func() (conversation.Conversation, error) { return a.Inbox.Snooze(ctx, actor, id, *p.SnoozedUntil) })
	}
	if p.Status != nil {
		steps = append(steps, func() (conversation.Conversation, error) { return a.Inbox.SetStatus(ctx, actor, id, *p.Status) })
	}
	for _, step := range steps {
		if c, err = step(); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) getAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "attachmentID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	att, data, err := a.Inbox.Attachment(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// Files come from customers: never let a browser render them in our origin.
	download.Header(w.Header(), att.ContentType, att.Name)
	w.Write(data)
}

func badParam(field, reason string) *Problem {
	p := problem(http.StatusBadRequest, "bad-parameter", field+" "+reason)
	p.Errors = []FieldIssue{{Field: field, Reason: reason}}
	return p
}
