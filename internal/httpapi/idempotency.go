package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// idempotent makes a POST with an Idempotency-Key happen at most once per caller:
// a retry with the same key and body gets the first answer again; the same key
// with another body is refused. Server errors release the key so a retry can run.
func (a *API) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeProblem(w, r, problem(http.StatusBadRequest, "bad-parameter", "Idempotency-Key must be at most 255 characters"))
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
		tenantID, principalID := keyOwner(r)
		req := store.IdempotentRequest{TenantID: tenantID, PrincipalID: principalID, Key: key, Method: r.Method,
			Path: r.URL.Path, RequestHash: hex.EncodeToString(sum[:]), CreatedAt: a.clock.Now()}
		prev, claimed, err := a.db.ClaimIdempotencyKey(r.Context(), req)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if !claimed {
			switch {
			case prev.RequestHash != req.RequestHash:
				writeProblem(w, r, problem(http.StatusUnprocessableEntity, "idempotency-key-reused",
					"this Idempotency-Key was used for a different request"))
			case prev.StatusCode == 0:
				w.Header().Set("Retry-After", "1")
				writeProblem(w, r, problem(http.StatusConflict, "idempotency-in-progress",
					"a request with this Idempotency-Key is still being processed"))
			default:
				body, err := a.sealer.open(prev.ResponseBody)
				if err != nil {
					a.writeError(w, r, err)
					return
				}
				w.Header().Set("Content-Type", prev.ContentType)
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(prev.StatusCode)
				w.Write(body)
			}
			return
		}
		rec := &statusRecorder{ResponseWriter: w, body: &bytes.Buffer{}}
		next.ServeHTTP(rec, r)
		if rec.status >= 500 || rec.status == 0 {
			if err := a.db.ReleaseIdempotencyKey(r.Context(), req.TenantID, req.PrincipalID, key); err != nil {
				a.log.Error("release idempotency key", "err", err)
			}
			return
		}
		req.StatusCode, req.ContentType, req.ResponseBody = rec.status, rec.Header().Get("Content-Type"), a.sealer.seal(rec.body.Bytes())
		req.Refs = responseRefs(rec.body.Bytes())
		if err := a.db.CompleteIdempotencyKey(r.Context(), req); err != nil {
			a.log.Error("complete idempotency key", "err", err)
		}
	})
}

// keyOwner names whom a request's Idempotency-Key belongs to: the API caller,
// or a portal customer at the business in the path.
func keyOwner(r *http.Request) (tenantID, principalID string) {
	if p := caller(r); p != nil {
		return p.Tenant.ID, p.ID()
	}
	s := portalCaller(r)
	if s.Limited() {
		return r.PathValue("tenantID"), "persona:" + s.PersonaID
	}
	return r.PathValue("tenantID"), "customer:" + s.Identifier
}

// idPattern matches the ids records carry (UUIDs).
var idPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// responseRefs returns the distinct ids a response shows, kept in the clear
// beside the sealed body so that erasing a persona finds the responses that
// carried its data.
func responseRefs(body []byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range idPattern.FindAll(body, -1) {
		id := strings.ToLower(string(m))
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
