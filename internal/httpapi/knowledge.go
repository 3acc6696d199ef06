package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Knowledge articles: anyone who converses writes and improves them, a
// knowledge publisher validates and publishes (see knowledge.Move).

const permPublishKnowledge = access.PublishKnowledge

// kbActor is the caller as the articles service sees it.
func (p *principal) kbActor() articles.Actor {
	a := articles.Actor{TenantID: p.Tenant.ID, Publisher: p.can(permPublishKnowledge)}
	if p.User != nil {
		a.UserID = p.User.ID
	} else {
		a.KeyID = p.Key.ID
	}
	return a
}

// knowledgeProblem maps the knowledge domain's errors to answers.
func knowledgeProblem(err error) *Problem {
	switch {
	case errors.Is(err, knowledge.ErrTooLarge):
		p := problem(http.StatusRequestEntityTooLarge, "too-large", err.Error())
		p.Errors = []FieldIssue{{Field: "resolution", Reason: "the article's text is over 200 KiB"}}
		return p
	case errors.Is(err, knowledge.ErrStale):
		p := problem(http.StatusConflict, "stale-version", "the article was changed by someone else meanwhile; reload it and edit the current version")
		p.Errors = []FieldIssue{{Field: "version", Reason: "is not the current version"}}
		return p
	case errors.Is(err, knowledge.ErrForbidden):
		return problem(http.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, knowledge.ErrTransition):
		p := problem(http.StatusConflict, "bad-transition", err.Error())
		p.Errors = []FieldIssue{{Field: "state", Reason: "not reachable from the article's state"}}
		return p
	case errors.Is(err, knowledge.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such resource")
	}
	return nil
}

func (a *API) listArticles(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.ArticleFilter{State: knowledge.State(q.Get("state")), Audience: knowledge.Audience(q.Get("audience")),
		Locale: q.Get("locale"), Tag: q.Get("tag"), Category: q.Get("category"), OwnerID: q.Get("owner_id")}
	switch {
	case f.State != "" && !f.State.Valid():
		a.writeError(w, r, badParam("state", "must be wip, not_validated, validated, published or archived"))
		return
	case f.Audience != "" && !f.Audience.Valid():
		a.writeError(w, r, badParam("audience", "must be agents, customers or both"))
		return
	}
	switch q.Get("flagged") {
	case "":
	case "open":
		f.Flagged = true
	default:
		a.writeError(w, r, badParam("flagged", "must be open"))
		return
	}
	as, err := a.Knowledge.List(r.Context(), caller(r).Tenant.ID, f, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	docs := make([]knowledge.Doc, len(as))
	for i, art := range as {
		docs[i] = knowledge.DocOf(art)
	}
	writeJSON(w, http.StatusOK, paginate(docs, limit, func(d knowledge.Doc) string { return d.ID }))
}

func (a *API) createArticle(w http.ResponseWriter, r *http.Request) {
	var in articles.NewArticle
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	art, err := a.Knowledge.Create(r.Context(), caller(r).kbActor(), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, knowledge.RenderDoc(art))
}

func (a *API) getArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	art, err := a.Knowledge.Article(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, knowledge.RenderDoc(art))
}

func (a *API) updateArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		knowledge.Content
		Version int    `json:"version"`
		Note    string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.Version < 1 {
		a.writeError(w, r, fieldProblem("version", "must be the version the edit was made from"))
		return
	}
	art, err := a.Knowledge.Update(r.Context(), caller(r).kbActor(), id, in.Content, in.Version, in.Note)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, knowledge.RenderDoc(art))
}

// fieldProblem is a 422 naming the field.
func fieldProblem(field, reason string) *Problem {
	p := problem(http.StatusUnprocessableEntity, "validation", field+" "+reason)
	p.Errors = []FieldIssue{{Field: field, Reason: reason}}
	return p
}

func (a *API) moveArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		State knowledge.State `json:"state"`
		Note  string          `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	art, err := a.Knowledge.Move(r.Context(), caller(r).kbActor(), id, in.State, in.Note)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, knowledge.RenderDoc(art))
}

type transitionJSON struct {
	From knowledge.State `json:"from"`
	To   knowledge.State `json:"to"`
	ByID string          `json:"by_id"`
	Note string          `json:"note"`
	At   time.Time       `json:"at"`
}

func (a *API) articleHistory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	trs, err := a.Knowledge.History(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]transitionJSON, len(trs))
	for i, tr := range trs {
		out[i] = transitionJSON{From: tr.From, To: tr.To, ByID: tr.ByID, Note: tr.Note, At: tr.At}
	}
	writeJSON(w, http.StatusOK, whole(out))
}

type versionJSON struct {
	Version   int                `json:"version"`
	AuthorID  string             `json:"author_id"`
	Note      string             `json:"note"`
	CreatedAt time.Time          `json:"created_at"`
	Content   *knowledge.Content `json:"content,omitempty"`
}

func (a *API) listArticleVersions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	vs, err := a.Knowledge.Versions(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]versionJSON, len(vs))
	for i, v := range vs {
		out[i] = versionJSON{Version: v.Version, AuthorID: v.AuthorID, Note: v.Note, CreatedAt: v.CreatedAt}
	}
	writeJSON(w, http.StatusOK, whole(out))
}

// pathVersion reads {version}: a whole number from 1; anything else is not found.
func pathVersion(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return 0, store.ErrNotFound
	}
	return n, nil
}

func (a *API) getArticleVersion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	n, err := pathVersion(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Knowledge.Version(r.Context(), caller(r).Tenant.ID, id, n)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c := v.Content
	c.Tags, c.QueueIDs, c.Products = orEmptyList(c.Tags), orEmptyList(c.QueueIDs), orEmptyList(c.Products)
	writeJSON(w, http.StatusOK, versionJSON{Version: v.Version, AuthorID: v.AuthorID, Note: v.Note, CreatedAt: v.CreatedAt, Content: &c})
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func (a *API) diffArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := checkQuery(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	var nums [2]int
	for i, name := range []string{"from", "to"} {
		s := r.URL.Query().Get(name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			a.writeError(w, r, badParam(name, "must be a version number from 1"))
			return
		}
		nums[i] = n
	}
	from, to, fields, err := a.Knowledge.Diff(r.Context(), caller(r).Tenant.ID, id, nums[0], nums[1])
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		From   int                   `json:"from"`
		To     int                   `json:"to"`
		Fields []knowledge.FieldDiff `json:"fields"`
	}{from, to, fields})
}

func (a *API) restoreArticleVersion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	n, err := pathVersion(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	art, err := a.Knowledge.Restore(r.Context(), caller(r).kbActor(), id, n)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, knowledge.RenderDoc(art))
}
