package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// pathID reads an id from the path; a malformed one is simply not found.
func pathID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if !ids.Valid(id) {
		return "", store.ErrNotFound
	}
	return id, nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	users, err := a.accounts.Users(r.Context(), caller(r).Tenant.ID, page)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(users, limit, func(u tenant.User) string { return u.ID }))
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	var in accounts.NewUser
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Operator.Check(r.Context(), caller(r).Tenant.ID, plan.Agents, 1); err != nil {
		a.writeError(w, r, err)
		return
	}
	u, err := a.accounts.CreateUser(r.Context(), caller(r).actor(r), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.warnPlan(r)
	writeJSON(w, http.StatusCreated, u)
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	u, err := a.accounts.User(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in accounts.UserPatch
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.Disabled != nil && !*in.Disabled { // enabling a disabled user takes a seat
		was, err := a.accounts.User(r.Context(), caller(r).Tenant.ID, id)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if was.Disabled {
			if err := a.Operator.Check(r.Context(), caller(r).Tenant.ID, plan.Agents, 1); err != nil {
				a.writeError(w, r, err)
				return
			}
			defer a.warnPlan(r)
		}
	}
	u, err := a.accounts.UpdateUser(r.Context(), caller(r).actor(r), id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// A user disabled or given a narrower role keeps no webhook receiving what
	// they may no longer read.
	var now *access.Grant
	if !u.Disabled {
		g := access.ForUser(u)
		now = &g
	}
	if err := a.creatorChanged(r, "user:"+u.ID, now); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (a *API) userResetLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	link, exp, err := a.accounts.AdminResetLink(r.Context(), caller(r).actor(r), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}{link, exp})
}
