package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextrank/screenpop"
)

// screenItemJSON is one screen-pop item as the desktop shows it.
type screenItemJSON struct {
	Key      string            `json:"key"`
	Source   string            `json:"source"`
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	Fields   map[string]string `json:"fields"`
	Status   string            `json:"status"`
	Amount   string            `json:"amount"`
	At       *time.Time        `json:"at"`
	Due      *time.Time        `json:"due"`
	Link     string            `json:"link"`
	Why      string            `json:"why"`
	Position int               `json:"position"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func screenOut(s screenpop.Screen) any {
	items := make([]screenItemJSON, len(s.Items))
	for i, it := range s.Items {
		fields := it.Fields
		if fields == nil {
			fields = map[string]string{}
		}
		items[i] = screenItemJSON{Key: it.ID, Source: it.Source, Type: it.Type, Title: it.Title, Fields: fields, Status: it.Status,
			Amount: it.Amount, At: timeOrNil(it.At), Due: timeOrNil(it.Due), Link: it.Link, Why: it.Why, Position: it.Position}
	}
	return struct {
		Items   []screenItemJSON         `json:"items"`
		Sources []screenpop.SourceStatus `json:"sources"`
		Final   bool                     `json:"final"`
	}{items, s.Sources, s.Final}
}

// userID is the signed-in user's id, empty for an API key.
func userID(r *http.Request) string {
	if u := caller(r).User; u != nil {
		return u.ID
	}
	return ""
}

func (a *API) conversationContext(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	limit := screenpop.MaxItems
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > screenpop.MaxItems {
			p := problem(http.StatusBadRequest, "bad-parameter", "limit must be a whole number from 1 to 10")
			p.Errors = []FieldIssue{{Field: "limit", Reason: "must be 1–10"}}
			a.writeError(w, r, p)
			return
		}
		limit = n
	}
	if strings.Contains(r.Header.Get("Accept"), screenStream) {
		a.streamScreenPop(w, r, id, limit)
		return
	}
	s, err := a.ScreenPop.For(r.Context(), caller(r).Tenant.ID, userID(r), id, limit)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, screenOut(s))
}

const screenStream = "application/x-ndjson"

// streamScreenPop answers a desk that asked for application/x-ndjson: one
// screen a line, the first as soon as it is ranked, a final second one when
// business systems still out have answered or run out of budget.
func (a *API) streamScreenPop(w http.ResponseWriter, r *http.Request, id string, limit int) {
	rc := http.NewResponseController(w)
	shown := false
	err := a.ScreenPop.Pop(r.Context(), caller(r).Tenant.ID, userID(r), id, limit, func(s screenpop.Screen) error {
		line, err := json.Marshal(screenOut(s))
		if err != nil {
			return err
		}
		if !shown {
			w.Header().Set("Content-Type", screenStream)
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			shown = true
		}
		if _, err := w.Write(append(line, '\n')); err != nil {
			return err
		}
		return rc.Flush()
	})
	switch {
	case err == nil:
	case !shown:
		a.writeError(w, r, err)
	case r.Context().Err() == nil:
		a.Log.WarnContext(r.Context(), "screen-pop's second screen", "tenant_id", caller(r).Tenant.ID, "conversation_id", id, "err", err)
	}
}

func (a *API) conversationContextFeedback(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Key  string `json:"key"`
		Kind string `json:"kind"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.ScreenPop.Feedback(r.Context(), caller(r).Tenant.ID, userID(r), id, in.Key, in.Kind); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) contextModel(w http.ResponseWriter, r *http.Request) {
	l, err := a.ScreenPop.Learned(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (a *API) resetContextModel(w http.ResponseWriter, r *http.Request) {
	tenantID := caller(r).Tenant.ID
	if err := a.ScreenPop.Reset(r.Context(), tenantID); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.audited(r, "context_model.reset", "context_model", tenantID, nil); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.contextModel(w, r)
}
