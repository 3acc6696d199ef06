package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"
)

type requestIDKey struct{}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an id (the caller's X-Request-Id if sane),
// echoes it, and puts it in the context for logs and problem bodies.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// statusRecorder remembers the status a handler wrote, and optionally the body.
type statusRecorder struct {
	http.ResponseWriter
	status int
	body   *bytes.Buffer
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	if s.body != nil {
		s.body.Write(b)
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (and the WebSocket upgrade) reach the
// underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe logs each request and counts it in the metrics, by route pattern so
// that ids in paths do not explode the label space.
func (a *API) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				a.log.Error("panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()), "request_id", requestID(r.Context()))
				if rec.status == 0 {
					writeProblem(rec, r, problem(http.StatusInternalServerError, "internal", "something went wrong on our side"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			a.metrics.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			a.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
			a.log.Debug("request", "method", r.Method, "route", route, "status", rec.status,
				"duration_ms", d.Milliseconds(), "request_id", requestID(r.Context()))
		}()
		next.ServeHTTP(rec, r)
	})
}

// limitBody caps request bodies; decode turns the overflow into a 413.
func (a *API) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := a.cfg.MaxBodyBytes
		if r.Method == http.MethodPost && r.URL.Path == uploadPath || isSwarmUpload(r) {
			limit = max(limit, a.uploadBodyLimit())
		}
		if r.Method == http.MethodPost && r.URL.Path == articleImportPath {
			limit = max(limit, articleImportLimit)
		}
		if r.ContentLength > limit {
			writeProblem(w, r, problem(http.StatusRequestEntityTooLarge, "too-large",
				fmt.Sprintf("the request body is larger than %d bytes", limit)))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address (proxies are not trusted unless configured).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
