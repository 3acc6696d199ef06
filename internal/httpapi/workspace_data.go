package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// permManageWorkspace exports the workspace and asks for its deletion.
const permManageWorkspace = access.ManageWorkspace

// exportView is an export and how far it got.
type exportView struct {
	ID          string     `json:"id"`
	State       string     `json:"state"`
	Percent     int        `json:"percent"`
	TablesDone  int        `json:"tables_done"`
	TablesTotal int        `json:"tables_total"`
	RowsDone    int64      `json:"rows_done"`
	RowsTotal   int64      `json:"rows_total"`
	Bytes       int64      `json:"bytes"`
	Error       string     `json:"error,omitempty"`
	RequestedBy string     `json:"requested_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	DownloadURL string     `json:"download_url"`
}

func viewExport(e store.TenantExport) exportView {
	v := exportView{ID: e.ID, State: e.State, TablesDone: e.TablesDone, TablesTotal: e.TablesTotal, RowsDone: e.RowsDone,
		RowsTotal: e.RowsTotal, Bytes: e.Bytes, Error: e.Error, RequestedBy: e.RequestedBy, CreatedAt: e.CreatedAt,
		UpdatedAt: e.UpdatedAt, DownloadURL: "/api/v1/workspace/exports/" + e.ID + "/download"}
	if !e.FinishedAt.IsZero() {
		v.FinishedAt = &e.FinishedAt
	}
	switch {
	case e.State == store.ExportDone:
		v.Percent = 100
	case e.RowsTotal > 0:
		v.Percent = min(99, int(e.RowsDone*100/e.RowsTotal)) // 100 is for done
	}
	return v
}

func actorName(r *http.Request) string {
	a := caller(r).actor(r)
	return a.Type + ":" + a.ID
}

func (a *API) createExport(w http.ResponseWriter, r *http.Request) {
	e, err := a.TenantData.NewExport(r.Context(), caller(r).Tenant.ID, actorName(r))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditWorkspace(r, "workspace.export", "export", e.ID, nil)
	writeJSON(w, http.StatusCreated, viewExport(e))
}

func (a *API) listExports(w http.ResponseWriter, r *http.Request) {
	es, err := a.TenantData.Exports(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := list[exportView]{Items: []exportView{}}
	for _, e := range es {
		out.Items = append(out.Items, viewExport(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getExport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "exportID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	e, err := a.TenantData.Export(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewExport(e))
}

// downloadExport streams the export as a zip while it is read; its progress
// is readable meanwhile at getExport. Each export is downloaded once.
func (a *API) downloadExport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "exportID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	d, err := a.TenantData.Start(r.Context(), p.Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	name := "switchboard-" + p.Tenant.Slug + "-" + a.clock.Now().Format("20060102-1504") + ".zip"
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := d.Write(r.Context(), w); err != nil {
		// The status is sent; a cut stream is how the client learns, and the
		// export's record says failed.
		a.log.WarnContext(r.Context(), "export download", "tenant_id", p.Tenant.ID, "export_id", id, "err", err, "request_id", requestID(r.Context()))
	}
}

// deletionView is the workspace's pending deletion, if any.
type deletionView struct {
	Pending      bool       `json:"pending"`
	RequestedBy  string     `json:"requested_by,omitempty"`
	RequestedAt  *time.Time `json:"requested_at,omitempty"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	GraceSeconds int64      `json:"grace_seconds"`
}

func (a *API) deletionView(d *store.TenantDeletion) deletionView {
	v := deletionView{GraceSeconds: int64(a.TenantData.Grace() / time.Second)}
	if d != nil {
		v.Pending, v.RequestedBy, v.RequestedAt, v.DueAt = true, d.RequestedBy, &d.RequestedAt, &d.DueAt
	}
	return v
}

// getDeletion tells every signed-in user whether the workspace is about to be
// deleted, so the app can warn them.
func (a *API) getDeletion(w http.ResponseWriter, r *http.Request) {
	d, err := a.TenantData.Deletion(r.Context(), caller(r).Tenant.ID)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusOK, a.deletionView(nil))
		return
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.deletionView(&d))
}

func (a *API) requestDeletion(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Confirm string `json:"confirm"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	d, err := a.TenantData.RequestDeletion(r.Context(), caller(r).Tenant.ID, actorName(r), in.Confirm)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditWorkspace(r, "workspace.deletion_request", "tenant", caller(r).Tenant.ID, map[string]any{"due_at": d.DueAt})
	writeJSON(w, http.StatusCreated, a.deletionView(&d))
}

func (a *API) cancelDeletion(w http.ResponseWriter, r *http.Request) {
	if err := a.TenantData.CancelDeletion(r.Context(), caller(r).Tenant.ID); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditWorkspace(r, "workspace.deletion_cancel", "tenant", caller(r).Tenant.ID, nil)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) auditWorkspace(r *http.Request, action, kind, id string, detail map[string]any) {
	if err := a.accounts.Record(r.Context(), caller(r).actor(r), action, kind, id, detail); err != nil {
		a.log.ErrorContext(r.Context(), "audit workspace change", "action", action, "err", err, "request_id", requestID(r.Context()))
	}
}
