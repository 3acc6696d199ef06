package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/sla"
)

// How routing is configured: queues and business-hours calendars here, SLA
// policies in dispatch_sla.go, profiles and presence states in
// dispatch_agents.go. The dispatcher validates and stores; these handlers
// decode, call, audit and encode.

// audited records a routing configuration change in the audit log.
func (a *API) audited(r *http.Request, action, targetType, id string, detail map[string]any) error {
	p := caller(r)
	return a.accounts.Record(r.Context(), p.actor(r), action, targetType, id, detail)
}

// --- queues ----------------------------------------------------------------------

func (a *API) listQueues(w http.ResponseWriter, r *http.Request) {
	qs, err := a.Dispatch.Queues(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	for i := range qs {
		qs[i] = queueOut(qs[i])
	}
	writeJSON(w, http.StatusOK, list[dispatch.QueueConfig]{Items: orEmpty(qs)})
}

func (a *API) getQueue(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "queueID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q, err := a.Dispatch.Queue(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, queueOut(q))
}

func (a *API) createQueue(w http.ResponseWriter, r *http.Request) { a.saveQueue(w, r, "") }

func (a *API) replaceQueue(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "queueID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// Another tenant's queue is not found, rather than created under its id.
	if _, err := a.Dispatch.Queue(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	a.saveQueue(w, r, id)
}

// saveQueue creates (id "") or replaces a queue from the body.
func (a *API) saveQueue(w http.ResponseWriter, r *http.Request, id string) {
	var q dispatch.QueueConfig
	if err := decode(r, &q); err != nil {
		a.writeError(w, r, err)
		return
	}
	q.ID, q.CreatedAt, q.UpdatedAt = id, time.Time{}, time.Time{}
	saved, err := a.Dispatch.SaveQueue(r.Context(), caller(r).routingActor(), q)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, action("queue", id), "queue", saved.ID, map[string]any{"name": saved.Name}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, created(id), queueOut(saved))
}

func (a *API) deleteQueue(w http.ResponseWriter, r *http.Request) {
	a.deleteConfig(w, r, "queueID", "queue", a.Dispatch.DeleteQueue)
}

func queueOut(q dispatch.QueueConfig) dispatch.QueueConfig {
	q.Skills, q.Widening, q.Overflow, q.Channels = orEmpty(q.Skills), orEmpty(q.Widening), orEmpty(q.Overflow), orEmpty(q.Channels)
	return q
}

// --- calendars -------------------------------------------------------------------

func (a *API) listCalendars(w http.ResponseWriter, r *http.Request) {
	cs, err := a.Dispatch.Calendars(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	for i := range cs {
		cs[i] = calendarOut(cs[i])
	}
	writeJSON(w, http.StatusOK, list[dispatch.CalendarConfig]{Items: orEmpty(cs)})
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendarID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	c, err := a.Dispatch.Calendar(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, calendarOut(c))
}

func (a *API) createCalendar(w http.ResponseWriter, r *http.Request) { a.saveCalendar(w, r, "") }

func (a *API) replaceCalendar(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "calendarID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if _, err := a.Dispatch.Calendar(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	a.saveCalendar(w, r, id)
}

func (a *API) saveCalendar(w http.ResponseWriter, r *http.Request, id string) {
	var in struct {
		Name string `json:"name"`
		sla.Calendar
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	saved, err := a.Dispatch.SaveCalendar(r.Context(), caller(r).routingActor(), dispatch.CalendarConfig{ID: id, Name: in.Name, Calendar: in.Calendar})
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, action("calendar", id), "calendar", saved.ID, map[string]any{"name": saved.Name}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, created(id), calendarOut(saved))
}

func (a *API) deleteCalendar(w http.ResponseWriter, r *http.Request) {
	a.deleteConfig(w, r, "calendarID", "calendar", a.Dispatch.DeleteCalendar)
}

func calendarOut(c dispatch.CalendarConfig) dispatch.CalendarConfig {
	c.Calendar = hoursOut(c.Calendar)
	return c
}

// hoursOut is the calendar with every list present, so JSON shows [] and {}
// rather than null.
func hoursOut(c sla.Calendar) sla.Calendar {
	hours := make(map[string][]sla.Span, len(c.Hours))
	for day, spans := range c.Hours {
		hours[day] = orEmpty(spans)
	}
	c.Hours, c.Holidays = hours, orEmpty(c.Holidays)
	return c
}

// --- shared ----------------------------------------------------------------------

// deleteConfig deletes the record the path parameter names and audits it.
func (a *API) deleteConfig(w http.ResponseWriter, r *http.Request, param, kind string, del func(context.Context, dispatch.Actor, string) error) {
	id, err := pathID(r, param)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := del(r.Context(), caller(r).routingActor(), id); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, kind+".delete", kind, id, nil); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// action names an audited save: a create when there was no id yet.
func action(kind, id string) string {
	if id == "" {
		return kind + ".create"
	}
	return kind + ".update"
}

// created is the status of a save: 201 for a new record, 200 for a replaced one.
func created(id string) int {
	if id == "" {
		return http.StatusCreated
	}
	return http.StatusOK
}
