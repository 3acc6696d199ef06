package httpapi

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/download"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Swarm rooms' files, learned expertise, and who worked on what.

// isSwarmUpload reports whether r uploads a file to a room, whose body
// limit is the attachments' (see limitBody).
func isSwarmUpload(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodPost && strings.HasPrefix(p, "/api/v1/swarm/rooms/") && strings.HasSuffix(p, "/files")
}

// uploadSwarmFile stores one file from a multipart form (a part named
// file) for a message in the room to carry.
func (a *API) uploadSwarmFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	name, data, err := a.readUpload(r, a.Swarm.MaxFile())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	f, err := a.Swarm.Upload(r.Context(), caller(r).swarmActor(), id, name, data)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.warnPlan(r)
	writeJSON(w, http.StatusCreated, f)
}

// getSwarmFile sends a room's file to a member, with the headers every
// stored file gets (never rendered as a page of ours).
func (a *API) getSwarmFile(w http.ResponseWriter, r *http.Request) {
	roomID, err := pathID(r, "roomID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	fileID, err := pathID(r, "fileID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	f, data, err := a.Swarm.File(r.Context(), caller(r).swarmActor(), roomID, fileID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	download.Header(w.Header(), f.ContentType, f.Name)
	w.Write(data)
}

func (a *API) userExpertise(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	areas, err := a.Swarm.Expertise(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": areas})
}

// zoneParam reads ?tz= (an IANA zone, UTC without it): the months of a
// person's record are calendar months there.
func zoneParam(r *http.Request) (*time.Location, error) {
	tz := r.URL.Query().Get("tz")
	if tz == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return nil, badParam("tz", "must be an IANA time zone such as Europe/Paris")
	}
	return loc, nil
}

// swarmWork is who worked on what: rooms opened in a period (?from=, ?to=
// as the knowledge measures take them) with their members' messages, links
// and minutes, as JSON or CSV (?format=csv, one row per room and person).
func (a *API) swarmWork(w http.ResponseWriter, r *http.Request) {
	p, err := a.measuresPeriod(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	asCSV, err := wantCSV(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	work, err := a.Swarm.Work(r.Context(), caller(r).Tenant.ID, p.From, p.To)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if !asCSV {
		writeJSON(w, http.StatusOK, map[string]any{"from": p.From, "to": p.To, "items": work})
		return
	}
	names := map[string]string{}
	for page := (store.Page{Limit: store.MaxPageSize}); ; {
		users, err := a.db.Users(r.Context(), caller(r).Tenant.ID, page)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		for _, u := range users {
			names[u.ID] = u.Name
		}
		if len(users) < page.Limit {
			break
		}
		page.After = users[len(users)-1].ID
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="swarm-work-`+p.From.Format("20060102")+"-"+p.To.Format("20060102")+`.csv"`)
	if err := writeSwarmWorkCSV(w, work, names); err != nil {
		a.log.WarnContext(r.Context(), "write swarm work csv", "err", err)
	}
}

func writeSwarmWorkCSV(w io.Writer, work []swarm.RoomWork, names map[string]string) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"room_id", "conversation_id", "question", "state", "opened_at", "closed_at", "user_id", "name", "status", "messages", "links", "minutes"})
	for _, rw := range work {
		closed := ""
		if !rw.Room.ClosedAt.IsZero() {
			closed = rw.Room.ClosedAt.UTC().Format(time.RFC3339)
		}
		for _, p := range rw.People {
			cw.Write([]string{rw.Room.ID, rw.Room.ConversationID, csvSafe(rw.Room.Question), string(rw.Room.State), rw.Room.CreatedAt.UTC().Format(time.RFC3339), closed,
				p.UserID, csvSafe(names[p.UserID]), p.Status, strconv.Itoa(p.Messages), strconv.Itoa(p.Links), strconv.Itoa(p.Minutes)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading people's text as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
