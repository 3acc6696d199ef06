package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// flagDocs is flags as the API shows them.
func flagDocs(fs []store.FlagRow) []knowledge.FlagDoc {
	out := make([]knowledge.FlagDoc, len(fs))
	for i, f := range fs {
		out[i] = knowledge.FlagDocOf(f.Flag, f.ArticleTitle)
	}
	return out
}

func (a *API) listArticleFlags(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	fs, err := a.Knowledge.ArticleFlags(r.Context(), caller(r).kbActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, whole(flagDocs(fs)))
}

func (a *API) flagArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "articleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	f, err := a.Knowledge.AddFlag(r.Context(), caller(r).kbActor(), id, in.Reason)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, knowledge.FlagDocOf(f.Flag, f.ArticleTitle))
}

func (a *API) listFlags(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	fs, err := a.Knowledge.Flags(r.Context(), caller(r).kbActor(), r.URL.Query().Get("status"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, whole(flagDocs(fs)))
}

func (a *API) resolveFlag(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "flagID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	f, err := a.Knowledge.ResolveFlag(r.Context(), caller(r).kbActor(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, knowledge.FlagDocOf(f.Flag, f.ArticleTitle))
}
