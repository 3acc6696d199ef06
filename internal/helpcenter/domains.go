package helpcenter

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// ParseDomains reads the --help-domains setting: "host=workspace" pairs,
// comma-separated (help.acme.example=acme,support.other.example=other).
func ParseDomains(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		host, ws, ok := strings.Cut(pair, "=")
		host, ws = strings.ToLower(strings.TrimSpace(host)), strings.TrimSpace(ws)
		if !ok || host == "" || ws == "" || strings.ContainsAny(host, "/:@ ") {
			return nil, fmt.Errorf("help-domains: %q is not host=workspace", pair)
		}
		if _, dup := out[host]; dup {
			return nil, fmt.Errorf("help-domains: %s is given twice", host)
		}
		out[host] = ws
	}
	return out, nil
}

// fieldError is the reason of a field error, fit to show on the form; "" for
// other errors.
func fieldError(err error) string {
	var fe *tenant.FieldError
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return ""
}

// Domains serves the help centers of tenants' own host names: a request for
// such a host is the help center at its root (/ is /help/{workspace}/), and
// nothing else of the center is reachable there but the chat widget's
// script and endpoints, which "Chat with us" needs. Other hosts go to next.
func (h *Handler) Domains(next http.Handler) http.Handler {
	if len(h.cfg.Domains) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if hp, _, err := net.SplitHostPort(host); err == nil {
			host = hp
		}
		ws, ok := h.cfg.Domains[host]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		p := r.URL.Path
		if strings.HasPrefix(p, "/widget/") || strings.HasPrefix(p, "/channels/webchat/") {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(withPrefix(r.Context(), r.Host))
		r2.URL.Path = "/help/" + ws + p
		r2.URL.RawPath = ""
		next.ServeHTTP(w, r2)
	})
}
