package survey

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// PagePath is where the survey page lives; the token follows.
const PagePath = "/csat/"

// Mount adds the survey page to mux: GET shows the question (with the
// rating a mail's link chose, if any), POST records the answer. The link's
// token is the only credential; no sign-in.
func (s *Service) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PagePath+"{token}", s.Page)
	mux.HandleFunc("POST "+PagePath+"{token}", s.AnswerPage)
}

type pageData struct {
	Question, CommentPrompt, Thanks, Problem, Comment string
	Rating                                            int
	Ratings                                           []int
	Answered, Closed                                  bool
}

var pageTmpl = template.Must(template.New("csat").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>How did we do?</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2933}
fieldset{border:0;padding:0;display:flex;gap:.5rem}label.r{display:inline-flex;flex-direction:column;align-items:center;border:1px solid #9aa5b1;border-radius:.5rem;padding:.5rem .9rem;cursor:pointer}
textarea{width:100%;min-height:5rem;font:inherit}button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem}.problem{color:#b42318}</style></head>
<body><main>
{{if .Answered}}<h1>{{.Thanks}}</h1><p>You rated us {{.Rating}} out of 5.</p>
{{else if .Closed}}<h1>This survey is closed</h1><p>Thank you all the same.</p>
{{else}}<h1>How did we do?</h1>
<form method="post"><p id="q">{{.Question}}</p>
{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{end}}
<fieldset aria-labelledby="q">{{range .Ratings}}<label class="r"><input type="radio" name="rating" value="{{.}}" {{if eq . $.Rating}}checked{{end}} required>{{.}}</label>{{end}}</fieldset>
<p><label for="comment">{{.CommentPrompt}}</label><br><textarea id="comment" name="comment" maxlength="1000">{{.Comment}}</textarea></p>
<button type="submit">Send</button></form>{{end}}
</main></body></html>`))

func (s *Service) render(w http.ResponseWriter, status int, d pageData) {
	d.Ratings = []int{1, 2, 3, 4, 5}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	pageTmpl.Execute(w, d)
}

// survey finds the page's survey and its tenant's wording.
func (s *Service) pageSurvey(ctx context.Context, token string) (csat.Survey, csat.Settings, error) {
	v, err := s.db.SurveyByToken(ctx, tokenHash(token))
	if err != nil {
		return v, csat.Settings{}, err
	}
	st, err := s.Settings(ctx, v.TenantID)
	return v, st, err
}

// Page shows the survey of the path's {token}.
func (s *Service) Page(w http.ResponseWriter, r *http.Request) {
	v, st, err := s.pageSurvey(r.Context(), r.PathValue("token"))
	if err != nil {
		s.pageError(w, err)
		return
	}
	d := pageData{Question: st.Question, CommentPrompt: st.CommentPrompt, Thanks: st.Thanks, Rating: v.Rating}
	switch {
	case v.State == csat.Answered:
		d.Answered = true
	case !v.Open(s.clock.Now()):
		d.Closed = true
	default:
		if n, err := strconv.Atoi(r.URL.Query().Get("rating")); err == nil && n >= 1 && n <= 5 {
			d.Rating = n
		}
	}
	s.render(w, http.StatusOK, d)
}

// AnswerPage records the answer posted from the survey page of {token}.
func (s *Service) AnswerPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	v, st, err := s.pageSurvey(r.Context(), r.PathValue("token"))
	if err != nil {
		s.pageError(w, err)
		return
	}
	d := pageData{Question: st.Question, CommentPrompt: st.CommentPrompt, Thanks: st.Thanks}
	if err := r.ParseForm(); err != nil {
		d.Problem = "The form could not be read; please send it again."
		s.render(w, http.StatusBadRequest, d)
		return
	}
	rating, _ := strconv.Atoi(r.PostForm.Get("rating"))
	d.Rating, d.Comment = rating, r.PostForm.Get("comment")
	v, err = s.Answer(r.Context(), v, csat.Answer{Rating: rating, Comment: d.Comment}, "")
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &fe):
		d.Problem = "Please choose a rating from 1 to 5."
		if fe.Field == "comment" {
			d.Problem = "The comment is too long (at most 1,000 characters)."
		}
		s.render(w, http.StatusUnprocessableEntity, d)
	case errors.Is(err, csat.ErrClosed):
		if cur, err := s.db.Survey(r.Context(), v.TenantID, v.ID); err == nil && cur.State == csat.Answered {
			d.Answered, d.Rating = true, cur.Rating
			s.render(w, http.StatusOK, d)
			return
		}
		d.Closed = true
		s.render(w, http.StatusConflict, d)
	case err != nil:
		s.log.Error("survey answer not stored", "tenant_id", v.TenantID, "err", err)
		d.Problem = "Your answer was not stored; please send it again."
		s.render(w, http.StatusInternalServerError, d)
	default:
		d.Answered, d.Rating = true, v.Rating
		s.render(w, http.StatusOK, d)
	}
}

func (s *Service) pageError(w http.ResponseWriter, err error) {
	if errors.Is(err, store.ErrNotFound) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("This survey link is not valid.\n"))
		return
	}
	s.log.Error("survey page", "err", err)
	http.Error(w, "Something went wrong; please try again.", http.StatusInternalServerError)
}
