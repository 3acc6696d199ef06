package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/operator"
	"github.com/switchboard-cx/switchboard/internal/plan"
)

// operatorCookie carries an operator's token for the console. It is sent
// only to the operator API, never readable by scripts, and ends with the
// browser session.
const operatorCookie = "sb_operator"

// operatorPrefix is where the operator API lives, apart from the tenants' /api/v1.
const operatorPrefix = "/api/operator/v1"

// operatorRoutes is the operator API: one table, like routes. Every route but
// signing in needs an operator's token; a tenant's session or API key is
// refused, whatever its role or scopes.
func (a *API) operatorRoutes() []route {
	return []route{
		{method: "POST", pattern: operatorPrefix + "/session", public: true, handler: a.operatorSignIn},
		{method: "DELETE", pattern: operatorPrefix + "/session", public: true, handler: a.operatorSignOut},
		{method: "GET", pattern: operatorPrefix + "/me", handler: a.operatorMe},
		{method: "GET", pattern: operatorPrefix + "/tenants", handler: a.operatorTenants},
		{method: "POST", pattern: operatorPrefix + "/tenants", handler: a.operatorCreateTenant},
		{method: "GET", pattern: operatorPrefix + "/tenants/{tenantID}", handler: a.operatorTenant},
		{method: "POST", pattern: operatorPrefix + "/tenants/{tenantID}/suspend", handler: a.operatorSuspend},
		{method: "POST", pattern: operatorPrefix + "/tenants/{tenantID}/resume", handler: a.operatorResume},
		{method: "PUT", pattern: operatorPrefix + "/tenants/{tenantID}/limits", handler: a.operatorSetLimits},
		{method: "GET", pattern: operatorPrefix + "/tenants/{tenantID}/usage", handler: a.operatorTenantUsage},
		{method: "GET", pattern: operatorPrefix + "/usage", handler: a.operatorUsage},
	}
}

// mountOperator adds the operator API to mux.
func (a *API) mountOperator(mux *http.ServeMux) {
	for _, rt := range a.operatorRoutes() {
		h := http.Handler(rt.handler)
		if rt.public {
			h = a.limitByIP(h)
		} else {
			h = a.operatorGuard(h)
		}
		mux.Handle(rt.method+" "+rt.pattern, h)
	}
}

type operatorKey struct{}

// theOperator returns the operator a guarded route was called by.
func theOperator(r *http.Request) operator.Operator {
	o, _ := r.Context().Value(operatorKey{}).(operator.Operator)
	return o
}

// operatorGuard admits operators only: the token in Authorization: Bearer
// sbo_… or the console's cookie. Anything else — no credential, a tenant's
// API key, a tenant's session — is 401, so the tenants' credentials never
// open a door here.
func (a *API) operatorGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := ""
		if h := r.Header.Get("Authorization"); h != "" {
			token, _ = strings.CutPrefix(h, "Bearer ")
		} else if c, err := r.Cookie(operatorCookie); err == nil {
			token = c.Value
		}
		o, err := a.Operator.Verify(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard-operator"`)
			a.writeError(w, r, err)
			return
		}
		if !a.allow(w, "operator:"+o.ID) {
			writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many requests; retry after the time in Retry-After"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), operatorKey{}, o)))
	})
}

func (a *API) operatorSignIn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token string `json:"token"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	o, err := a.Operator.Verify(r.Context(), strings.TrimSpace(in.Token))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: operatorCookie, Value: strings.TrimSpace(in.Token), Path: operatorPrefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: a.cfg.SecureCookies || r.TLS != nil})
	writeJSON(w, http.StatusOK, o)
}

func (a *API) operatorSignOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: operatorCookie, Value: "", Path: operatorPrefix, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) operatorMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, theOperator(r))
}

func (a *API) operatorTenants(w http.ResponseWriter, r *http.Request) {
	ts, err := a.Operator.Tenants(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[operator.TenantView]{Items: ts})
}

func (a *API) operatorTenant(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "tenantID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Operator.Tenant(r.Context(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) operatorCreateTenant(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Slug       string `json:"slug"`
		Name       string `json:"name"`
		AdminEmail string `json:"admin_email"`
		AdminName  string `json:"admin_name"`
		Live       bool   `json:"live"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	ws, err := a.Operator.CreateTenant(r.Context(), theOperator(r), clientIP(r),
		accounts.NewWorkspace{Slug: in.Slug, Name: in.Name, AdminEmail: in.AdminEmail, AdminName: in.AdminName, Live: in.Live})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Operator.Tenant(r.Context(), ws.Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		operator.TenantView
		AdminEmail  string `json:"admin_email"`
		SignInLink  string `json:"sign_in_link"`
		LinkExpires string `json:"link_expires"`
	}{v, ws.Admin.Email, ws.Link, ws.Expires.UTC().Format("2006-01-02T15:04:05Z")})
}

// reasonBody is the body of suspend and resume.
type reasonBody struct {
	Reason string `json:"reason"`
}

func (a *API) operatorSuspend(w http.ResponseWriter, r *http.Request) {
	a.operatorChangeState(w, r, a.Operator.Suspend)
}

func (a *API) operatorResume(w http.ResponseWriter, r *http.Request) {
	a.operatorChangeState(w, r, a.Operator.Resume)
}

func (a *API) operatorChangeState(w http.ResponseWriter, r *http.Request,
	change func(context.Context, operator.Operator, string, string, string) (operator.TenantView, error)) {
	id, err := pathID(r, "tenantID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in reasonBody
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := change(r.Context(), theOperator(r), clientIP(r), id, in.Reason)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) operatorSetLimits(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "tenantID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in plan.Limits
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Operator.SetLimits(r.Context(), theOperator(r), clientIP(r), id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// usageMonth reads ?month=YYYY-MM, this month by default.
func (a *API) usageMonth(r *http.Request) (plan.Month, error) {
	m := r.URL.Query().Get("month")
	if m == "" {
		return plan.MonthOf(a.clock.Now()), nil
	}
	month, err := plan.ParseMonth(m)
	if err != nil {
		return month, badParam("month", "must be a month as YYYY-MM, such as 2026-12")
	}
	return month, nil
}

// wantCSV reports whether the caller asked for CSV (?format=csv), else JSON.
func wantCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, badParam("format", "must be json or csv")
}

func (a *API) operatorTenantUsage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "tenantID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	m, err := a.usageMonth(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	u, err := a.Operator.Usage(r.Context(), id, m)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeUsage(w, r, "usage-"+u.Slug+"-"+m.String(), []plan.Usage{u}, false)
}

func (a *API) operatorUsage(w http.ResponseWriter, r *http.Request) {
	m, err := a.usageMonth(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	us, err := a.Operator.AllUsage(r.Context(), m)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeUsage(w, r, "usage-"+m.String(), us, true)
}

// writeUsage answers with usages as JSON (one object, or a list when many)
// or as a CSV download named name.csv.
func (a *API) writeUsage(w http.ResponseWriter, r *http.Request, name string, us []plan.Usage, many bool) {
	csv, err := wantCSV(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	switch {
	case csv:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		if err := plan.WriteCSV(w, us); err != nil {
			a.log.WarnContext(r.Context(), "write usage csv", "err", err)
		}
	case many:
		writeJSON(w, http.StatusOK, list[plan.Usage]{Items: us})
	default:
		writeJSON(w, http.StatusOK, us[0])
	}
}

// plan shows the caller's workspace its plan: limits, this month's usage and
// the limits it used 80 % of.
func (a *API) plan(w http.ResponseWriter, r *http.Request) {
	p, err := a.Operator.Plan(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// warnPlan gives the caller's workspace the 80 % warnings its last change
// earned. The change is done, so a failure here is logged, not answered.
func (a *API) warnPlan(r *http.Request) {
	if err := a.Operator.Warn(r.Context(), caller(r).Tenant.ID); err != nil {
		a.log.WarnContext(r.Context(), "plan warning", "tenant_id", caller(r).Tenant.ID, "err", err)
	}
}
