package httpapi

import (
	"net/http"
	"strings"
)

// transferInput names where a conversation goes: an agent or a queue.
type transferInput struct {
	AgentID string `json:"agent_id"`
	QueueID string `json:"queue_id"`
	Note    string `json:"note"`
}

// transferConversation hands a conversation to an agent (an assignment, which
// the dispatcher treats as taken by hand) or to a queue (routed anew there).
// The optional note is written as an internal note once the transfer is done.
func (a *API) transferConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in transferInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if (in.AgentID == "") == (in.QueueID == "") {
		p := problem(http.StatusUnprocessableEntity, "validation", "give either agent_id or queue_id, not both")
		p.Errors = []FieldIssue{{Field: "agent_id", Reason: "give either agent_id or queue_id"}}
		a.writeError(w, r, p)
		return
	}
	if strings.TrimSpace(in.Note) != "" { // refused before anything is transferred
		if err := a.Inbox.CheckNote("note", in.Note); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	ctx, actor := r.Context(), caller(r).inboxActor()
	if _, err := a.Inbox.Conversation(ctx, actor.TenantID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.AgentID != "" {
		err = a.Dispatch.TransferToAgent(ctx, actor, id, in.AgentID)
	} else {
		err = a.Dispatch.Transfer(ctx, actor, id, in.QueueID)
	}
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if strings.TrimSpace(in.Note) != "" {
		if _, err := a.Inbox.Note(ctx, actor, id, in.Note); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	c, err := a.Inbox.Conversation(ctx, actor.TenantID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// joinConversation lets a supervisor join a conversation: a timeline item and
// an event tell the agents on it.
func (a *API) joinConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	name := ""
	if p.User != nil {
		name = p.User.Name
	}
	m, err := a.Inbox.Join(r.Context(), p.inboxActor(), id, name)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": m})
}
