package contextsrc

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// The connector's side, for Go programs that answer context requests (the
// demo's own connector, tests, the bench): read a request checking its
// signature, and write a signed answer.

// maxRequestBytes bounds a request body a connector reads.
const maxRequestBytes = 64 << 10

// ReadRequest reads a context request, verifying its signature with secret at
// now before parsing it. Errors wrap webhook.ErrSignature when the signature
// is what is wrong.
func ReadRequest(r *http.Request, secret string, now time.Time) (Request, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		return Request{}, fmt.Errorf("read context request: %w", err)
	}
	if err := webhook.Verify(secret, r.Header.Get(HeaderSignature), body, now, 0); err != nil {
		return Request{}, fmt.Errorf("context request: %w", err)
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		return Request{}, fmt.Errorf("context request: %w", err)
	}
	return req, nil
}

// WriteAnswer answers req with items, signed with secret at now.
func WriteAnswer(w http.ResponseWriter, secret string, now time.Time, req Request, items []Item) {
	if items == nil {
		items = []Item{}
	}
	body, _ := json.Marshal(Answer{RequestID: req.RequestID, Items: items}) // plain structs: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(HeaderSignature, webhook.Sign(secret, now, body))
	w.Write(body)
}
