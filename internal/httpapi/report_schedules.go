package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
)

// ReportSchedules keeps report schedules and sends them: *schedule.Service.
type ReportSchedules interface {
	List(ctx context.Context, tenantID string) ([]schedule.Schedule, error)
	Get(ctx context.Context, tenantID, id string) (schedule.Schedule, error)
	Create(ctx context.Context, tenantID, createdBy string, in schedule.Input) (schedule.Schedule, error)
	Update(ctx context.Context, tenantID, id string, in schedule.Input) (schedule.Schedule, error)
	Delete(ctx context.Context, tenantID, id string) error
	Runs(ctx context.Context, tenantID, id string) ([]schedule.Run, error)
	SendNow(ctx context.Context, tenantID, id string) (schedule.Run, error)
}

// reportSchedulesReady answers 503 on a node built without them.
func (a *API) reportSchedulesReady(w http.ResponseWriter, r *http.Request) bool {
	if a.ReportSchedules == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "report-schedules-unavailable", "this node does not keep report schedules"))
		return false
	}
	return true
}

// scheduleError maps the schedule service's own errors; others go to writeError.
func (a *API) scheduleError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, schedule.ErrNoMail):
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "no-mail", err.Error()))
	case errors.Is(err, schedule.ErrTooSoon):
		w.Header().Set("Retry-After", strconv.Itoa(int(schedule.SendNowEvery.Seconds())))
		writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", err.Error()))
	case errors.Is(err, schedule.ErrNoRecipients):
		writeProblem(w, r, problem(http.StatusConflict, "no-recipients", err.Error()))
	default:
		a.writeError(w, r, err)
	}
}

func (a *API) auditSchedule(r *http.Request, action, id string, detail map[string]any) {
	if err := a.audited(r, action, "report_schedule", id, detail); err != nil {
		a.log.ErrorContext(r.Context(), "audit report schedule change", "action", action, "err", err, "request_id", requestID(r.Context()))
	}
}

// createdBy is the user (or API key) that makes a schedule.
func createdBy(r *http.Request) string {
	p := caller(r)
	if p.User != nil {
		return p.User.ID
	}
	return "key:" + p.Key.ID
}

func (a *API) listReportSchedules(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	items, err := a.ReportSchedules.List(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []schedule.Schedule `json:"items"`
	}{items})
}

func (a *API) createReportSchedule(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	var in schedule.Input
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	sc, err := a.ReportSchedules.Create(r.Context(), caller(r).Tenant.ID, createdBy(r), in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditSchedule(r, "report_schedule.create", sc.ID, map[string]any{"name": sc.Name, "recipients": len(sc.Recipients) + len(sc.ExtraEmails)})
	writeJSON(w, http.StatusCreated, sc)
}

func (a *API) getReportSchedule(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	id, err := pathID(r, "scheduleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	sc, err := a.ReportSchedules.Get(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

func (a *API) updateReportSchedule(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	id, err := pathID(r, "scheduleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in schedule.Input
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	sc, err := a.ReportSchedules.Update(r.Context(), caller(r).Tenant.ID, id, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditSchedule(r, "report_schedule.update", sc.ID, map[string]any{"name": sc.Name, "enabled": sc.Enabled})
	writeJSON(w, http.StatusOK, sc)
}

func (a *API) deleteReportSchedule(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	id, err := pathID(r, "scheduleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.ReportSchedules.Delete(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditSchedule(r, "report_schedule.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listReportScheduleRuns(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	id, err := pathID(r, "scheduleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	runs, err := a.ReportSchedules.Runs(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []schedule.Run `json:"items"`
	}{runs})
}

// sendReportSchedule sends a schedule now, as a test, while the caller
// waits: 200 with the run once every recipient has it, or the problem that
// stopped it (the run, recorded as failed, shows in the runs).
func (a *API) sendReportSchedule(w http.ResponseWriter, r *http.Request) {
	if !a.reportSchedulesReady(w, r) {
		return
	}
	id, err := pathID(r, "scheduleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	run, err := a.ReportSchedules.SendNow(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		if run.ID != "" && !errors.Is(err, schedule.ErrNoRecipients) {
			writeProblem(w, r, problem(http.StatusBadGateway, "send-failed", "the mail relay did not take the report: "+run.Error))
			return
		}
		a.scheduleError(w, r, err)
		return
	}
	a.auditSchedule(r, "report_schedule.send_now", id, map[string]any{"run_id": run.ID, "recipients": run.SentTo})
	writeJSON(w, http.StatusOK, run)
}
