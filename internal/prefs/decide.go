package prefs

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Input is everything Decide weighs for one notice to one persona.
type Input struct {
	Type    NotificationType
	Tenant  TenantDefaults
	Persona Preferences
	// Available are the channels the persona has an address on and the
	// center runs, in no particular order.
	Available []string
	// Consent is the consent ledger's word on a channel for this notice
	// (the caller closes over the persona and the type or category); nil
	// grants every channel. A refusal removes the channel, critical or not.
	Consent func(channel string) (granted bool, why string)
	Now     time.Time
}

// Plan is what to do with one notice.
type Plan struct {
	// Channels to try, first first; the others are fallbacks. Empty when
	// Suppressed.
	Channels []string `json:"channels"`
	// SendAt is Now, or the end of quiet hours or of a momentary state
	// holding the notice.
	SendAt     time.Time `json:"send_at"`
	Suppressed bool      `json:"suppressed"`
	// Retrieval is where the customer reads the content: a channel, Web, or
	// empty for the notice itself.
	Retrieval string `json:"retrieval,omitempty"`
	// Response is the channel to answer on, set when the type expects a
	// reply: the customer's choice if it can be used, else the first channel.
	Response string `json:"response,omitempty"`
	// Reasons are every step of the decision, for the customer's and the
	// agent's eyes and for the record.
	Reasons []string `json:"reasons"`
	// BrokeQuietHours and BrokeMomentary record a critical notice sent
	// through the customer's quiet hours or momentary state.
	BrokeQuietHours bool `json:"broke_quiet_hours"`
	BrokeMomentary  bool `json:"broke_momentary"`
}

func (p *Plan) reason(format string, args ...any) {
	p.Reasons = append(p.Reasons, fmt.Sprintf(format, args...))
}

func (p *Plan) suppress(format string, args ...any) Plan {
	p.reason(format, args...)
	p.Suppressed, p.Channels, p.Response = true, nil, ""
	return *p
}

// Decide plans one notice. In order:
//
//  1. The type is off if the customer's override for the type, else for its
//     category, else the tenant's for the type, else for the category, says
//     so; an off type is suppressed. A critical type cannot be turned off by
//     the customer: their "off" is noted and ignored (the tenant's is not).
//  2. The order is the first set of: the customer's order for the type (then
//     its category), the customer's Order, the tenant's order for the type
//     (then its category), the tenant's Order, the type's own channels.
//     Orders rank; channels of the type they do not name follow.
//  3. Channels not Available, refused by the consent ledger, or switched
//     off (by the customer, else the tenant's default) are removed. For a
//     critical notice, channels only the on/off switch removed are kept as a
//     last resort when nothing else is left; consent is never overridden.
//  4. A momentary state, until it expires, keeps only its allowed channels;
//     when none is left a non-critical notice is held until the state ends,
//     and a critical one goes out on all remaining channels (BrokeMomentary).
//  5. Quiet hours in the persona's zone hold a non-critical notice until
//     they end; a critical one goes now (BrokeQuietHours).
//
// Nothing left to send on suppresses the notice. Decide never fails: a
// setting it cannot use (an unknown zone) is noted in Reasons and skipped.
func Decide(in Input) Plan {
	p := Plan{SendAt: in.Now}
	t, cust, ten := in.Type, in.Persona, in.Tenant
	critical := t.Category == Critical
	label := t.Key
	if t.Category != "" {
		label = fmt.Sprintf("%s (%s)", t.Key, t.Category)
	}

	// 1. On or off.
	on, who, said := enabled(t, cust)
	switch {
	case said && !on && !critical:
		return p.suppress("%s off for this customer", who)
	case said && !on:
		p.reason("critical: %s cannot be turned off by the customer (their off is ignored)", t.Key)
		said = false
	}
	if !said {
		if on, who, said := enabled(t, ten); said && !on {
			return p.suppress("%s off by the tenant's default", who)
		}
	}

	// 2. Order.
	order, source := t.Channels, "the type's default order"
	for _, o := range []struct {
		list []string
		from string
	}{
		{override(t, cust), "the customer's order for " + label},
		{cust.Order, "the customer's order"},
		{override(t, ten), "the tenant's order for " + label},
		{ten.Order, "the tenant's order"},
	} {
		if len(o.list) > 0 {
			order, source = o.list, o.from
			break
		}
	}
	ranked := rank(order, t.Channels, in.Available)
	p.reason("order: %s", source)

	// 3. Filters.
	var kept, switchedOff []string
	for _, ch := range ranked {
		if !slices.Contains(in.Available, ch) {
			p.reason("%s: no address for this customer or not run here", ch)
			continue
		}
		if in.Consent != nil {
			if ok, why := in.Consent(ch); !ok {
				p.reason("%s: consent refused (%s)", ch, why)
				continue
			}
		}
		if on, ok := cust.Channels[ch]; ok && !on {
			p.reason("%s off for this customer", ch)
			switchedOff = append(switchedOff, ch)
			continue
		} else if !ok {
			if on, ok := ten.Channels[ch]; ok && !on {
				p.reason("%s off by the tenant's default", ch)
				switchedOff = append(switchedOff, ch)
				continue
			}
		}
		kept = append(kept, ch)
	}
	if len(kept) == 0 && critical && len(switchedOff) > 0 {
		kept = switchedOff
		p.reason("critical: every channel is switched off; using %s as a last resort", strings.Join(kept, ", "))
	}
	if len(kept) == 0 {
		return p.suppress("no channel left to send on")
	}

	// 4. Momentary state, as it stands when the notice would go.
	m := pick(cust.Momentary, ten.Momentary)
	if m != nil && !m.Until.IsZero() && !m.Active(in.Now) {
		p.reason("%s ended at %s: no longer applies", m.State, m.Until.UTC().Format(time.RFC3339))
	}
	if m.Active(in.Now) {
		allowed := intersect(kept, m.AllowChannels)
		switch {
		case len(allowed) > 0:
			// Applied below, once quiet hours have said when the notice goes.
		case critical:
			p.BrokeMomentary = true
			p.reason("critical: breaks %q (%s) (recorded)", m.State, describe(m))
		default:
			p.reason("%s (%s): held until %s", m.State, describe(m), when(m.Until, in.Now, zoneOr(cust, ten)))
			p.SendAt = m.Until
		}
	}

	// 5. Quiet hours in the persona's zone.
	zone := pick(pick(cust.TimeZone, ten.TimeZone), "UTC")
	loc, err := LoadZone(zone)
	if err != nil {
		p.reason("time zone: %v; quiet hours read in UTC", err)
		loc, zone = time.UTC, "UTC"
	}
	if qh := pick(cust.QuietHours, ten.QuietHours); qh != nil {
		q, err := qh.compile()
		if err != nil {
			p.reason("quiet hours ignored: %v", err)
		} else if end, in := q.until(p.SendAt, loc); in {
			if critical {
				p.BrokeQuietHours = true
				p.reason("quiet hours %s %s: critical: breaks quiet hours (recorded)", q, zone)
			} else {
				p.reason("quiet hours %s %s: held until %s", q, zone, when(end, p.SendAt, loc))
				p.SendAt = end
			}
		}
	}

	// The momentary filter applies if the state still holds at SendAt.
	p.Channels = kept
	if m.Active(p.SendAt) {
		if allowed := intersect(kept, m.AllowChannels); len(allowed) > 0 {
			p.Channels = allowed
			p.reason("%s (%s): %s only", m.State, describe(m), strings.Join(allowed, ", "))
		}
	}

	p.Retrieval = pick(cust.Retrieval, ten.Retrieval)
	if t.ReplyExpected {
		p.Response = p.Channels[0]
		if r := pick(cust.Response, ten.Response); r != "" && r != p.Response {
			if slices.Contains(kept, r) {
				p.Response = r
			} else {
				p.reason("answer on %s not possible for this notice; answer on %s", r, p.Response)
			}
		}
	}
	return p
}

// enabled reads a party's on/off for a type, the type's own override first,
// then its category's; ok is false when the party says nothing.
func enabled(t NotificationType, p Preferences) (on bool, who string, ok bool) {
	if e := p.Types[t.Key].Enabled; e != nil {
		return *e, t.Key, true
	}
	if e := p.Categories[t.Category].Enabled; e != nil {
		return *e, string(t.Category), true
	}
	return false, "", false
}

// override is a party's channel order for a type, then for its category.
func override(t NotificationType, p Preferences) []string {
	return pickSlice(p.Types[t.Key].Channels, p.Categories[t.Category].Channels)
}

// rank orders the type's channels (or, for a type open to any channel, the
// available ones) by order; those order does not name keep their place
// after it. With a type restricted to channels, order cannot add others.
func rank(order, typeChannels, available []string) []string {
	pool := typeChannels
	if len(pool) == 0 {
		pool = slices.Sorted(slices.Values(available))
	}
	var out []string
	for _, ch := range order {
		if slices.Contains(pool, ch) && !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	for _, ch := range pool {
		if !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	return out
}

// intersect keeps the channels of list that allow names, in list's order.
func intersect(list, allow []string) []string {
	var out []string
	for _, ch := range list {
		if slices.Contains(allow, ch) {
			out = append(out, ch)
		}
	}
	return out
}

func describe(m *Momentary) string {
	if len(m.AllowChannels) == 0 {
		return "nothing"
	}
	return strings.Join(m.AllowChannels, ", ") + " only"
}

// when writes an instant for a reason: the wall-clock time in loc, with the
// date when it is not within a day of now.
func when(t, now time.Time, loc *time.Location) string {
	if t.Sub(now) < 24*time.Hour {
		return t.In(loc).Format("15:04")
	}
	return t.In(loc).Format("Mon 2 Jan 15:04")
}

// zoneOr is the persona's zone for writing times, UTC if it has none or an
// unknown one.
func zoneOr(cust, ten Preferences) *time.Location {
	if loc, err := LoadZone(pick(cust.TimeZone, ten.TimeZone)); err == nil {
		return loc
	}
	return time.UTC
}
