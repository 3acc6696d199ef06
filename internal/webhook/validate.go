package webhook

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// AllEvents subscribes an endpoint to every event type, present and future.
const AllEvents = "*"

const (
	maxURLLength         = 2048
	maxDescriptionLength = 500
)

// ValidateURL checks an endpoint URL: absolute http or https with a host, no
// credentials (they would sit in our database and logs; use the signature) and
// no fragment (it is never sent). It returns the URL as parsed and re-encoded.
func ValidateURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", &tenant.FieldError{Field: "url", Reason: "is required"}
	}
	if len(raw) > maxURLLength {
		return "", &tenant.FieldError{Field: "url", Reason: fmt.Sprintf("is longer than %d characters", maxURLLength)}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", &tenant.FieldError{Field: "url", Reason: "is not a valid URL"}
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", &tenant.FieldError{Field: "url", Reason: "must start with http:// or https://"}
	case u.Host == "" || u.Hostname() == "":
		return "", &tenant.FieldError{Field: "url", Reason: "must name a host"}
	case u.User != nil:
		return "", &tenant.FieldError{Field: "url", Reason: "must not carry credentials; verify the signature instead"}
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", &tenant.FieldError{Field: "url", Reason: "must not have a #fragment"}
	}
	return u.String(), nil
}

// ValidateEventTypes checks a subscription made by a caller holding g: at least
// one type, each one of event.Types or "*", and each one g may read (see
// access.EventPerm), because an endpoint is a way to read the tenant's events
// and must not reach further than its maker. "*" stays "*" for a caller who may
// read every type (an admin: present and future types); for anyone else it
// stands for the types they may read now, listed. It returns the types without
// duplicates, in given order.
func ValidateEventTypes(types []string, g access.Grant) ([]string, error) {
	if len(types) == 0 {
		return nil, &tenant.FieldError{Field: "event_types", Reason: `name at least one event type, or "*" for all you may read`}
	}
	out := make([]string, 0, len(types))
	add := func(t string) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, t := range types {
		switch {
		case t == AllEvents && g.ReadsAll():
			add(t)
		case t == AllEvents:
			for _, r := range g.Readable() {
				add(r)
			}
		case !slices.Contains(event.Types, t):
			return nil, &tenant.FieldError{Field: "event_types", Reason: fmt.Sprintf("unknown event type %q", t)}
		case !g.CanRead(t):
			return nil, unreadable(t)
		default:
			add(t)
		}
	}
	if len(out) == 0 {
		return nil, &tenant.FieldError{Field: "event_types", Reason: "you may read none of these event types"}
	}
	return out, nil
}

// CheckReadable reports, as a FieldError on event_types, the first of an
// endpoint's types g may not read. Changing an endpoint (its URL above all)
// decides where its events go, so only a caller who may read them all may.
func CheckReadable(types []string, g access.Grant) error {
	for _, t := range types {
		if t == AllEvents && !g.ReadsAll() {
			return &tenant.FieldError{Field: "event_types", Reason: `the endpoint receives every event type ("*") and you may not read them all`}
		}
		if t != AllEvents && !g.CanRead(t) {
			return unreadable(t)
		}
	}
	return nil
}

func unreadable(t string) error {
	p, _ := access.EventPerm(t)
	return &tenant.FieldError{Field: "event_types", Reason: fmt.Sprintf("reading %q takes the %q permission, which you do not hold", t, p)}
}

func validateDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if len(d) > maxDescriptionLength {
		return "", &tenant.FieldError{Field: "description", Reason: fmt.Sprintf("is longer than %d characters", maxDescriptionLength)}
	}
	return d, nil
}

// Subscribed reports whether an endpoint with these event types wants eventType.
func Subscribed(types []string, eventType string) bool {
	return slices.Contains(types, AllEvents) || slices.Contains(types, eventType)
}

// validateURL is ValidateURL and the outbound guard's early answer: a URL
// that names, or now resolves to, an address deliveries may not reach is
// refused when saved, rather than failing every delivery later. The guard
// judges every delivery again when it connects.
func (s *Service) validateURL(ctx context.Context, raw string) (string, error) {
	u, err := ValidateURL(raw)
	if err != nil {
		return "", err
	}
	if err := s.cfg.Guard.CheckURL(ctx, u); err != nil {
		return "", &tenant.FieldError{Field: "url", Reason: "must reach a public address: " + err.Error()}
	}
	return u, nil
}
