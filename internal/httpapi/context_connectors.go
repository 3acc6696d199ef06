package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/contextsrc/connectors"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// ContextConnectors is the context connectors' service the API calls.
type ContextConnectors interface {
	Create(ctx context.Context, tenantID string, in connectors.Input) (connectors.Connector, string, error)
	Get(ctx context.Context, tenantID, id string) (connectors.Connector, error)
	List(ctx context.Context, tenantID string) ([]connectors.Connector, error)
	Update(ctx context.Context, tenantID, id string, p connectors.Patch) (connectors.Connector, string, error)
	Delete(ctx context.Context, tenantID, id string) error
	Test(ctx context.Context, tenantID, id, personaID string) (contextsrc.Result, error)
	Stats(ctx context.Context, tenantID, id string) (connectors.Stats, error)
	ForPersona(ctx context.Context, tenantID, personaID string) ([]contextsrc.Result, error)
}

type contextConnectorJSON struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	URL             string    `json:"url"`
	BudgetMS        int64     `json:"budget_ms"`
	CacheTTLSeconds int64     `json:"cache_ttl_seconds"`
	Active          bool      `json:"active"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Secret          string    `json:"secret,omitempty"` // on create and rotation only
}

func contextConnectorOut(c connectors.Connector, secret string) contextConnectorJSON {
	return contextConnectorJSON{c.ID, c.Name, c.URL, c.Budget.Milliseconds(), int64(c.CacheTTL.Seconds()), c.Active,
		c.CreatedAt, c.UpdatedAt, secret}
}

type contextResultJSON struct {
	ConnectorID string            `json:"connector_id"`
	Name        string            `json:"name"`
	Status      contextsrc.Status `json:"status"`
	Items       []contextsrc.Item `json:"items"`
	Error       string            `json:"error,omitempty"`
	HTTPStatus  int               `json:"http_status,omitempty"`
	DurationMS  int64             `json:"duration_ms"`
}

func contextResultOut(r contextsrc.Result) contextResultJSON {
	items := r.Items
	if items == nil {
		items = []contextsrc.Item{}
	}
	return contextResultJSON{r.ConnectorID, r.Name, r.Status, items, r.Error, r.HTTPStatus, r.Duration.Milliseconds()}
}

func (a *API) listContextConnectors(w http.ResponseWriter, r *http.Request) {
	cs, err := a.ContextConnectors.List(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]contextConnectorJSON, len(cs))
	for i, c := range cs {
		out[i] = contextConnectorOut(c, "")
	}
	writeJSON(w, http.StatusOK, struct {
		Items []contextConnectorJSON `json:"items"`
	}{out})
}

type contextConnectorBody struct {
	Name            *string `json:"name"`
	URL             *string `json:"url"`
	BudgetMS        *int64  `json:"budget_ms"`
	CacheTTLSeconds *int64  `json:"cache_ttl_seconds"`
	Active          *bool   `json:"active"`
	RotateSecret    bool    `json:"rotate_secret"`
}

func (b contextConnectorBody) patch() connectors.Patch {
	p := connectors.Patch{Name: b.Name, URL: b.URL, Active: b.Active, RotateSecret: b.RotateSecret}
	if b.BudgetMS != nil {
		d := time.Duration(*b.BudgetMS) * time.Millisecond
		p.Budget = &d
	}
	if b.CacheTTLSeconds != nil {
		d := time.Duration(*b.CacheTTLSeconds) * time.Second
		p.CacheTTL = &d
	}
	return p
}

func (a *API) createContextConnector(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Name            string `json:"name"`
		URL             string `json:"url"`
		BudgetMS        *int64 `json:"budget_ms"`
		CacheTTLSeconds *int64 `json:"cache_ttl_seconds"`
	}
	if err := decode(r, &b); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := contextConnectorBody{BudgetMS: b.BudgetMS, CacheTTLSeconds: b.CacheTTLSeconds}.patch()
	in := connectors.Input{Name: b.Name, URL: b.URL, CacheTTL: p.CacheTTL}
	if p.Budget != nil {
		in.Budget = *p.Budget
		if in.Budget == 0 {
			in.Budget = -1 // refused by the service, rather than read as "the default"
		}
	}
	c, secret, err := a.ContextConnectors.Create(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "context_connector.create", c.ID, map[string]any{"name": c.Name, "url": c.URL})
	writeJSON(w, http.StatusCreated, contextConnectorOut(c, secret))
}

func (a *API) getContextConnector(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "connectorID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.ContextConnectors.Get(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, contextConnectorOut(c, ""))
}

func (a *API) updateContextConnector(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "connectorID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var b contextConnectorBody
	if err := decode(r, &b); err != nil {
		a.writeError(w, r, err)
		return
	}
	c, secret, err := a.ContextConnectors.Update(r.Context(), caller(r).Tenant.ID, id, b.patch())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "context_connector.update", c.ID, map[string]any{"name": c.Name, "url": c.URL, "active": c.Active, "rotated_secret": b.RotateSecret})
	writeJSON(w, http.StatusOK, contextConnectorOut(c, secret))
}

func (a *API) deleteContextConnector(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "connectorID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.ContextConnectors.Delete(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "context_connector.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) testContextConnector(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "connectorID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var b struct {
		PersonaID string `json:"persona_id"`
	}
	if err := decode(r, &b); err != nil {
		a.writeError(w, r, err)
		return
	}
	if !ids.Valid(b.PersonaID) {
		a.writeError(w, r, &tenant.FieldError{Field: "persona_id", Reason: "is required: the customer to ask the system about"})
		return
	}
	// The connector is the path's (404 when not the caller's); the persona
	// is the body's, so one not found is a bad field, another tenant's too.
	if _, err := a.ContextConnectors.Get(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	res, err := a.ContextConnectors.Test(r.Context(), caller(r).Tenant.ID, id, b.PersonaID)
	if errors.Is(err, store.ErrNotFound) {
		err = &tenant.FieldError{Field: "persona_id", Reason: "names no customer of this workspace"}
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, contextResultOut(res))
}

func (a *API) contextConnectorStats(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "connectorID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	st, err := a.ContextConnectors.Stats(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		WindowHours int                     `json:"window_hours"`
		Calls       int                     `json:"calls"`
		Errors      int                     `json:"errors"`
		ByStatus    map[string]int          `json:"by_status"`
		P50MS       int64                   `json:"p50_ms"`
		P95MS       int64                   `json:"p95_ms"`
		LastCallAt  time.Time               `json:"last_call_at,omitzero"`
		LastError   string                  `json:"last_error"`
		Breaker     contextsrc.BreakerState `json:"breaker"`
	}{int(connectors.StatsWindow.Hours()), st.Calls, st.Errors, st.ByStatus, st.P50.Milliseconds(), st.P95.Milliseconds(),
		st.LastCall, st.LastError, st.Breaker})
}

func (a *API) personaContext(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "personaID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	start := a.clock.Now()
	rs, err := a.ContextConnectors.ForPersona(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]contextResultJSON, len(rs))
	for i, res := range rs {
		out[i] = contextResultOut(res)
	}
	writeJSON(w, http.StatusOK, struct {
		PersonaID string              `json:"persona_id"`
		Sources   []contextResultJSON `json:"sources"`
		TookMS    int64               `json:"took_ms"`
	}{id, out, a.clock.Now().Sub(start).Milliseconds()})
}
