package webchat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// maxJSONBody bounds the JSON bodies of the session, message and offline calls.
const maxJSONBody = 64 << 10

// Mount registers the widget's routes. They are outside the API's session
// auth and CSRF: the widget key finds the widget, the visitor token the visitor.
func (c *Channel) Mount(mux *http.ServeMux) {
	const base = "/channels/webchat/{key}/"
	routes := []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{"POST", "session", c.handleSession},
		{"GET", "socket", c.handleSocket},
		{"POST", "messages", c.handleMessage},
		{"GET", "history", c.handleHistory},
		{"POST", "uploads", c.handleUpload},
		{"GET", "attachments/{id}", c.handleAttachment},
		{"POST", "offline", c.handleOffline},
	}
	for _, r := range routes {
		mux.HandleFunc(r.method+" "+base+r.path, r.h)
		if r.path != "socket" {
			mux.HandleFunc("OPTIONS "+base+r.path, c.handlePreflight)
		}
	}
}

// widget finds the widget named in the path and applies its origin policy —
// CORS headers for allowed origins, 403 for others — and, to POSTs, the limit
// of calls per address (429 over it). It answers the request itself when it
// returns false.
func (c *Channel) widget(w http.ResponseWriter, r *http.Request) (Widget, bool) {
	acc, err := c.db.ChannelAccountByAddress(r.Context(), Name, r.PathValue("key"))
	if err != nil {
		c.fail(w, r, err)
		return Widget{}, false
	}
	wd := Widget{Account: acc}
	// A suspended workspace's widget takes no chats nobody may answer; one
	// whose deletion is pending is gone (tenant.ExposureOf).
	exp, err := c.db.Exposure(r.Context(), acc.TenantID)
	if err != nil {
		c.fail(w, r, err)
		return Widget{}, false
	}
	if !exp.Serves() {
		writeProblem(w, r, problem(exp.Status(), "unavailable", "this chat is not available"))
		return Widget{}, false
	}
	origin := r.Header.Get("Origin")
	if !wd.AllowsOrigin(origin) {
		writeProblem(w, r, problem(http.StatusForbidden, "origin", "this widget is not enabled on "+origin))
		return wd, false
	}
	if origin != "" {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	}
	if r.Method == http.MethodPost && !c.callers.allow(r, acc.Address, c.clock.Now()) {
		w.Header().Set("Retry-After", "1")
		writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many requests from this address; try again in a moment"))
		return wd, false
	}
	return wd, true
}

// handlePreflight answers CORS preflights: allowed origins may POST JSON or
// multipart and send a bearer token; others get 403 and no CORS headers.
func (c *Channel) handlePreflight(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.widget(w, r); !ok {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// visitor checks the token of a call (the token query parameter, or a bearer
// token) against the widget.
func (c *Channel) visitor(w http.ResponseWriter, r *http.Request, wd Widget) (Visitor, string, bool) {
	token := r.URL.Query().Get("token")
	if token == "" {
		token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	v, err := c.checkToken(wd, token)
	if err != nil {
		c.fail(w, r, err)
		return v, "", false
	}
	return v, token, true
}

// checkToken verifies a token and that it was issued for this widget: a token
// of another widget (or tenant) is refused like a forged one.
func (c *Channel) checkToken(wd Widget, token string) (Visitor, error) {
	v, err := parseToken(c.key, token, c.clock.Now())
	if err != nil {
		return v, err
	}
	if v.TenantID != wd.TenantID || v.AccountID != wd.ID {
		return Visitor{}, ErrTokenInvalid
	}
	return v, nil
}

// handleSocket upgrades to the chat WebSocket.
func (c *Channel) handleSocket(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	v, token, ok := c.visitor(w, r, wd)
	if !ok {
		return
	}
	c.serveSocket(w, r, wd, v, token)
}

type messageRequest struct {
	ClientID string         `json:"client_id"`
	Body     string         `json:"body"`
	Context  map[string]any `json:"context"`
	// NewConversation starts a new conversation rather than continuing the
	// visitor's latest (after it ended).
	NewConversation bool `json:"new_conversation"`
}

// handleMessage is the HTTP way to send a message, for clients that cannot
// hold a WebSocket: POST {client_id, body, context?} → 201 {message}.
func (c *Channel) handleMessage(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	v, token, ok := c.visitor(w, r, wd)
	if !ok {
		return
	}
	var req messageRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.ClientID == "" || len(req.ClientID) > 100 {
		c.fail(w, r, &tenant.FieldError{Field: "client_id", Reason: "1–100 characters, unique per message"})
		return
	}
	conv, _, err := c.currentConversation(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	res, err := c.post(r.Context(), v, conv, "", req.ClientID, req.Body, req.Context, nil, req.NewConversation)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	m := view(res.Message, "", wd.Address, token)
	writeJSON(w, http.StatusCreated, map[string]any{"message": m})
}

// handleHistory pages back through the visitor's conversation:
// ?before=MESSAGE_ID&limit=50 → {messages}, oldest first.
func (c *Channel) handleHistory(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	v, token, ok := c.visitor(w, r, wd)
	if !ok {
		return
	}
	q := r.URL.Query()
	before := q.Get("before")
	if before != "" && !ids.Valid(before) {
		c.fail(w, r, &tenant.FieldError{Field: "before", Reason: "not a message id"})
		return
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := parsePositive(s)
		if err != nil || n > store.MaxPageSize {
			c.fail(w, r, &tenant.FieldError{Field: "limit", Reason: "a number from 1 to 200"})
			return
		}
		limit = n
	}
	conv, _, err := c.currentConversation(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	msgs, err := c.history(r.Context(), v, conv, before, limit)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, view(m, c.authorName(r.Context(), m), wd.Address, token))
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// history returns up to limit visible messages before the cursor ("" for the
// latest), oldest first. The store pages forward only, so it reads the
// conversation from the start; chats are short enough for that.
func (c *Channel) history(ctx context.Context, v Visitor, conv, before string, limit int) ([]conversation.Message, error) {
	if conv == "" {
		return nil, nil
	}
	var ring []conversation.Message
	errStop := errors.New("stop")
	err := c.eachMessage(ctx, v, conv, "", func(m conversation.Message) error {
		if before != "" && m.ID >= before {
			return errStop
		}
		ring = append(ring, m)
		if len(ring) > limit {
			ring = ring[1:]
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return ring, nil
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(w, r, problem(http.StatusRequestEntityTooLarge, "too-large", "the request body is larger than 64 KiB"))
		} else if typ := (*json.UnmarshalTypeError)(nil); errors.As(err, &typ) && typ.Field != "" {
			// Named in JSON's words: the widget's author never sees a Go type.
			writeProblem(w, r, problem(http.StatusBadRequest, "bad-json", fmt.Sprintf("field %q has the wrong kind of value", typ.Field)))
		} else {
			writeProblem(w, r, problem(http.StatusBadRequest, "bad-json", "the body is not the JSON object expected"))
		}
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func parsePositive(s string) (int, error) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1<<20 {
			return 0, errors.New("not a positive number")
		}
		n = n*10 + int(r-'0')
	}
	if n == 0 {
		return 0, errors.New("not a positive number")
	}
	return n, nil
}
