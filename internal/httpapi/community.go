package httpapi

import (
	"errors"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community/practices"
)

// The knowledge community (ADR 0031): an admin opts the workspace in or out,
// publishers share published customer-facing articles, members browse the
// catalogue and adopt a practice as a work-in-progress article.

func (p *principal) communityActor() practices.Actor {
	a := practices.Actor{TenantID: p.Tenant.ID, Publisher: p.can(permPublishKnowledge)}
	if p.User != nil {
		a.UserID = p.User.ID
	} else {
		a.KeyID = p.Key.ID
	}
	return a
}

// communityError turns the community's errors into answers; others pass.
func communityError(err error) error {
	var inv *community.InvalidError
	switch {
	case errors.As(err, &inv):
		p := problem(http.StatusUnprocessableEntity, "validation", inv.Error())
		p.Errors = []FieldIssue{{Field: inv.Field, Reason: inv.Reason}}
		return p
	case errors.Is(err, community.ErrNameTaken):
		p := problem(http.StatusConflict, "conflict", err.Error())
		p.Errors = []FieldIssue{{Field: "display_name", Reason: "is used by another workspace in the community"}}
		return p
	case errors.Is(err, community.ErrNotMember):
		// Sharing from a workspace that has not joined conflicts with its
		// state (an admin can change it), not with the caller's permissions.
		return problem(http.StatusConflict, "not-a-member", err.Error()+"; an admin opts in under Admin → Community")
	case errors.Is(err, community.ErrNotShareable):
		p := problem(http.StatusConflict, "not-shareable", community.ErrNotShareable.Error())
		p.Errors = []FieldIssue{{Field: "state", Reason: "must be published, with audience customers or both"}}
		return p
	case errors.Is(err, community.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such resource")
	}
	return err
}

func (a *API) getCommunity(w http.ResponseWriter, r *http.Request) {
	m, err := a.Community.Membership(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (a *API) joinCommunity(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DisplayName string `json:"display_name"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.Community.Join(r.Context(), caller(r).communityActor(), in.DisplayName)
	if err != nil {
		a.writeError(w, r, communityError(err))
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (a *API) leaveCommunity(w http.ResponseWriter, r *http.Request) {
	if err := a.Community.Leave(r.Context(), caller(r).communityActor()); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) communityCatalog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		a.writeError(w, r, badParam("q", "must be at most 200 bytes"))
		return
	}
	vs, err := a.Community.Catalog(r.Context(), caller(r).Tenant.ID, q)
	if errors.Is(err, community.ErrNotMember) {
		a.writeError(w, r, problem(http.StatusForbidden, "not-a-member", err.Error()+"; an admin opts in under Admin → Community"))
		return
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": vs})
}

func (a *API) getCommunityPractice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "practiceID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Community.Practice(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, communityError(err))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) adoptCommunityPractice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "practiceID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	art, ad, err := a.Community.Adopt(r.Context(), caller(r).communityActor(), id)
	if err != nil {
		a.writeError(w, r, communityError(err))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"article": knowledge.RenderDoc(art), "adoption": ad})
}

func (a *API) listCommunityShares(w http.ResponseWriter, r *http.Request) {
	ss, err := a.Community.Shares(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ss})
}

func (a *API) getCommunityShare(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.Community.ShareOf(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, communityError(err))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *API) shareArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.Community.Share(r.Context(), caller(r).communityActor(), id)
	if err != nil {
		a.writeError(w, r, communityError(err))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *API) unshareArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Community.Unshare(r.Context(), caller(r).communityActor(), id); err != nil {
		a.writeError(w, r, communityError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listCommunityAdoptions(w http.ResponseWriter, r *http.Request) {
	articleID := r.URL.Query().Get("article_id")
	if articleID != "" {
		if !ids.Valid(articleID) {
			a.writeError(w, r, badParam("article_id", "is not an article id"))
			return
		}
	}
	as, err := a.Community.Adoptions(r.Context(), caller(r).Tenant.ID, articleID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": as})
}
