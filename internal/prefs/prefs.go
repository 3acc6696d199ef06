// Package prefs is the customer's say over how they are contacted: per
// notification type, category and channel on or off, the order of channels
// to be notified on, where to read and how to answer, quiet hours in the
// customer's own zone, and a momentary state with an expiry ("driving: voice
// only"). Tenants set defaults, customers override them, and Decide turns
// both, the consent ledger's word and the channels at hand into a Plan with
// every step of its reasoning. It is pure: time, consent and the available
// channels come in as arguments; nothing is stored or sent.
package prefs

import (
	"fmt"
	"slices"
	"sync"
	"time"

	// Embedded so that zone names resolve the same on every machine, with or
	// without the system's zoneinfo.
	_ "time/tzdata"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Category groups notification types for preferences and for the rules
// that protect the customer.
type Category string

// The categories a notification type can belong to.
const (
	// Critical notices (fraud alerts, outages, safety) cannot be turned off
	// by the customer and may break quiet hours and a momentary state; the
	// tenant decides which types are critical, and Decide records every
	// break.
	Critical Category = "critical"
	// Transactional notices answer something the customer did or owns
	// (an order shipped, an appointment moved).
	Transactional Category = "transactional"
	// Marketing is everything the customer did not ask for.
	Marketing Category = "marketing"
)

// Categories lists the categories, most urgent first.
var Categories = []Category{Critical, Transactional, Marketing}

// Web is the mode of retrieval that sends the customer to a web page to read
// the content, whatever channel the notice came on.
const Web = "web"

// NotificationType is a kind of notice a tenant sends, as the tenant
// defines it.
type NotificationType struct {
	Key      string   `json:"key"`
	Category Category `json:"category"`
	// Channels are the channels the type may go out on, in the tenant's
	// default order; empty means any channel.
	Channels []string `json:"channels"`
	// ReplyExpected marks notices the customer is asked to answer, for which
	// the plan names a mode of response.
	ReplyExpected bool `json:"reply_expected"`
}

// TypePref is an override for one notification type or one category. A nil
// Enabled or an empty Channels says nothing and lets the next rule decide.
type TypePref struct {
	Enabled *bool `json:"enabled,omitempty"`
	// Channels reorders the type's channels; like Preferences.Order it ranks
	// and does not exclude (switch a channel off for that).
	Channels []string `json:"channels,omitempty"`
}

// Preferences are one party's settings: a persona's own, or a tenant's
// defaults. Every field may be left unset (nil, empty or zero), and an unset
// field defers to the tenant's (see Merge).
type Preferences struct {
	// Channels switches whole channels on (true) or off (false); a channel
	// absent is on.
	Channels map[string]bool `json:"channels,omitempty"`
	// Types overrides by notification type key; it wins over Categories.
	Types      map[string]TypePref   `json:"types,omitempty"`
	Categories map[Category]TypePref `json:"categories,omitempty"`
	// Order is the mode of notification: the channels to try, first first.
	// It ranks the type's channels; channels it does not name follow in the
	// type's own order.
	Order []string `json:"order,omitempty"`
	// Retrieval is where the customer reads the content: a channel, or Web
	// for a link to the page; empty reads it in the notice itself.
	Retrieval string `json:"retrieval,omitempty"`
	// Response is the channel the customer answers on when a reply is
	// expected; empty answers on the channel the notice came on.
	Response   string      `json:"response,omitempty"`
	QuietHours *QuietHours `json:"quiet_hours,omitempty"`
	// TimeZone is an IANA zone name such as "Europe/Lisbon"; quiet hours
	// are wall-clock times in it. Empty means the tenant's, then UTC.
	TimeZone  string     `json:"time_zone,omitempty"`
	Momentary *Momentary `json:"momentary,omitempty"`
}

// TenantDefaults are the Preferences a tenant sets for personas that have
// not set their own; see Merge for how the two combine.
type TenantDefaults = Preferences

// QuietHours are a nightly (or daily) stretch in which only critical notices
// are sent. From and To are "HH:MM" wall-clock times in the persona's zone;
// To at or before From ends the next day, so 22:00–07:00 spans midnight. A
// stretch is as long as the wall clock says: the night the clocks change it
// lasts an hour more or less.
type QuietHours struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Days limits quiet hours to stretches that begin on these days, "mon"
	// to "sun"; empty means every day. Friday 22:00–07:00 ends on Saturday.
	Days []string `json:"days,omitempty"`
}

// Momentary is a state the customer is in for a while: "driving" with
// AllowChannels voice, "meeting" with sms and email, or "do not disturb"
// with none. Until it expires only the allowed channels are used; a state
// that allows none holds every non-critical notice until it ends.
type Momentary struct {
	State         string    `json:"state"`
	AllowChannels []string  `json:"allow_channels,omitempty"`
	Until         time.Time `json:"until"`
}

// Active tells whether the state still holds at now.
func (m *Momentary) Active(now time.Time) bool {
	return m != nil && now.Before(m.Until)
}

// Merge returns the preferences in force for a persona: field by field the
// persona's set fields win and unset ones fall back to the tenant's. Maps
// merge by key (a customer who switches SMS off keeps the tenant's marketing
// default), and within a type or category override Enabled and Channels
// fall back separately. A tenant's Momentary is used only when the persona
// has none, like any other field.
//
// Merge is the view of settings in force, for the customer's settings page
// and the agent's screen. Decide does not work from it: there any on/off or
// order the customer set beats any the tenant set, even when the customer
// set a category and the tenant the type, which one merged value cannot say.
func Merge(tenantDefaults, persona Preferences) Preferences {
	t, p := tenantDefaults, persona
	return Preferences{
		Channels:   mergeMap(t.Channels, p.Channels, func(_, b bool) bool { return b }),
		Types:      mergeMap(t.Types, p.Types, mergeTypePref),
		Categories: mergeMap(t.Categories, p.Categories, mergeTypePref),
		Order:      pickSlice(p.Order, t.Order),
		Retrieval:  pick(p.Retrieval, t.Retrieval),
		Response:   pick(p.Response, t.Response),
		QuietHours: pick(p.QuietHours, t.QuietHours),
		TimeZone:   pick(p.TimeZone, t.TimeZone),
		Momentary:  pick(p.Momentary, t.Momentary),
	}
}

func mergeTypePref(t, p TypePref) TypePref {
	return TypePref{Enabled: pick(p.Enabled, t.Enabled), Channels: pickSlice(p.Channels, t.Channels)}
}

// mergeMap overlays b on a, combining keys both hold with both.
func mergeMap[K comparable, V any](a, b map[K]V, both func(a, b V) V) map[K]V {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make(map[K]V, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if old, ok := out[k]; ok {
			v = both(old, v)
		}
		out[k] = v
	}
	return out
}

// pick returns a if it is set, else b.
func pick[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// pickSlice returns a if it has elements, else b.
func pickSlice(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}

// Validate reports the first thing wrong with the preferences as a
// *tenant.FieldError naming the field: an unknown zone, category or day, a
// malformed or empty quiet-hours stretch, or a momentary state without an
// expiry. Channel names are not checked here: the center knows which it
// runs.
func (p *Preferences) Validate() error {
	if p.TimeZone != "" {
		if _, err := LoadZone(p.TimeZone); err != nil {
			return &tenant.FieldError{Field: "time_zone", Reason: err.Error()}
		}
	}
	for c := range p.Categories {
		if !slices.Contains(Categories, c) {
			return &tenant.FieldError{Field: "categories." + string(c), Reason: "unknown category; use critical, transactional or marketing"}
		}
	}
	if q := p.QuietHours; q != nil {
		if _, err := q.compile(); err != nil {
			return err
		}
	}
	if m := p.Momentary; m != nil {
		if m.State == "" {
			return &tenant.FieldError{Field: "momentary.state", Reason: "name the state, such as driving or meeting"}
		}
		if m.Until.IsZero() {
			return &tenant.FieldError{Field: "momentary.until", Reason: "a momentary state needs an expiry"}
		}
	}
	return nil
}

// LoadZone resolves an IANA zone name, once per name; "" is UTC and "Local"
// is refused (it would depend on the server).
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "Local" {
		return nil, fmt.Errorf(`"Local" depends on the server; name a zone such as "Europe/Lisbon"`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// zones caches loaded time zones: loading one parses tzdata, which a
// broadcast to a million customers would otherwise do a million times.
var zones sync.Map
