package httpapi

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// The links in every notice: /u/{token} unsubscribes from the notice's type
// (a page that asks first; a POST does it, the one-click of RFC 8058 that mail
// providers send from their servers), /n/{token} opens the notice in the
// portal. The signed token is the credential: no session, no CSRF token.

// unsubStyle is the pages' only style; the signed pages' Content-Security-Policy
// allows it by its hash (see security.go), and nothing else inline.
const unsubStyle = `
body { font: 1.1rem/1.5 system-ui, sans-serif; margin: 0; padding: 2rem 1rem; color: #1a1a1a; background: #fafafa; }
main { max-width: 32rem; margin: 0 auto; }
button { font: inherit; padding: .6rem 1.2rem; border: 2px solid #1a1a1a; border-radius: .4rem; background: #1a1a1a; color: #fff; cursor: pointer; }
button:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
`

// unsubPage is the confirm page, the confirmation and the error page in one.
var unsubPage = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>` + unsubStyle + `</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if .Ask}}<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
<p>You can change this again later on your preferences page.</p>
{{else}}<p role="status">{{.Message}}</p>
{{end}}</main>
</body>
</html>
`))

type unsubView struct {
	Title, Message string
	Ask            bool
}

// writePage answers with the page; the token in the URL is kept out of caches
// (and out of Referer headers by the signed pages' policy in security.go).
func writePage(w http.ResponseWriter, status int, v unsubView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	unsubPage.Execute(w, v)
}

// badLink answers for a link that is forged, damaged or expired.
func badLink(w http.ResponseWriter) {
	writePage(w, http.StatusNotFound, unsubView{Title: "This link does not work",
		Message: "The link is damaged or has expired. Use the link in a more recent message, or your preferences page."})
}

// unsubscribeTarget names what the link unsubscribes from, and at which business.
func (a *API) unsubscribeTarget(ctx context.Context, token string) (what, business string, err error) {
	u, err := a.Notify.UnsubscribeInfo(ctx, token)
	if err != nil {
		return "", "", err
	}
	t, err := a.accounts.Tenant(ctx, u.TenantID)
	if err != nil {
		return "", "", err
	}
	what = u.Scope // "all"; a category or channel by its name
	if _, name, ok := strings.Cut(u.Scope, ":"); ok {
		what = name
	}
	if u.TypeName != "" {
		what = u.TypeName
	}
	return what, t.Name, nil
}

func (a *API) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	what, business, err := a.unsubscribeTarget(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, auth.ErrInvalidToken), errors.Is(err, auth.ErrExpiredToken), errors.Is(err, store.ErrNotFound):
		badLink(w)
		return
	case err != nil:
		a.writeError(w, r, err)
		return
	}
	writePage(w, http.StatusOK, unsubView{Title: "Unsubscribe from " + what + " notices from " + business + "?", Ask: true})
}

// unsubscribe records the revocation in the consent ledger. RFC 8058's body is
// List-Unsubscribe=One-Click, which the page's button sends too; any POST to
// a valid link counts, as the link itself is the proof.
func (a *API) unsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	what, business, err := a.unsubscribeTarget(r.Context(), token)
	if err == nil {
		_, err = a.Notify.Unsubscribe(r.Context(), token)
	}
	switch {
	case errors.Is(err, auth.ErrInvalidToken), errors.Is(err, auth.ErrExpiredToken), errors.Is(err, store.ErrNotFound):
		badLink(w)
		return
	case errors.Is(err, consent.ErrErased):
		writePage(w, http.StatusOK, unsubView{Title: "You are unsubscribed", Message: business + " no longer holds your details."})
		return
	case err != nil:
		a.writeError(w, r, err)
		return
	}
	writePage(w, http.StatusOK, unsubView{Title: "You are unsubscribed",
		Message: "You will get no more " + what + " notices from " + business + "."})
}

// openNotice sends a notice's read link on to the portal, which opens it
// through POST /portal/api/link.
func (a *API) openNotice(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/portal/n/"+url.PathEscape(r.PathValue("token")), http.StatusSeeOther)
}
