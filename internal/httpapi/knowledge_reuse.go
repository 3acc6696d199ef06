package httpapi

import (
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// A conversation's knowledge (KCS in the desktop): suggestions, searches,
// links, dismissals, the outcome, a draft article; and the past-cases import.

func (p *principal) reuseActor() reuse.Actor {
	a := reuse.Actor{TenantID: p.Tenant.ID}
	if p.User != nil {
		a.UserID = p.User.ID
	}
	return a
}

func (a *API) conversationKnowledge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.KnowledgeReuse.Knowledge(r.Context(), caller(r).reuseActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) searchConversationKnowledge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Q string `json:"q"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	hits, err := a.KnowledgeReuse.SearchIn(r.Context(), caller(r).reuseActor(), id, in.Q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hits})
}

// articleRef is the body of a link or a dismissal.
type articleRef struct {
	ArticleID string `json:"article_id"`
}

func (a *API) linkConversationArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in articleRef
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	l, err := a.KnowledgeReuse.Link(r.Context(), caller(r).reuseActor(), id, in.ArticleID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

func (a *API) unlinkConversationArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	articleID := r.PathValue("articleID")
	if articleID == "" {
		a.writeError(w, r, store.ErrNotFound)
		return
	}
	if err := a.KnowledgeReuse.Unlink(r.Context(), caller(r).reuseActor(), id, articleID); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) dismissConversationArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in articleRef
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.KnowledgeReuse.Dismiss(r.Context(), caller(r).reuseActor(), id, in.ArticleID); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) putConversationOutcome(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Outcome knowledge.Outcome `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	o, err := a.KnowledgeReuse.SetOutcome(r.Context(), caller(r).reuseActor(), id, in.Outcome)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcome": o})
}

func (a *API) conversationDraft(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.KnowledgeReuse.Draft(r.Context(), caller(r).reuseActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (a *API) importCases(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-ndjson") {
		writeProblem(w, r, problem(http.StatusUnsupportedMediaType, "unsupported-media-type",
			"send past cases as application/x-ndjson: one JSON object a line"))
		return
	}
	res, err := a.KnowledgeReuse.ImportCases(r.Context(), caller(r).reuseActor(), r.Body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
