package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// decider turns one event into deliveries, persona by persona. It holds
// what is the same for every persona of the event, worked out once, so the
// work per persona is the pure decision and little else.
type decider struct {
	ev       notice.Event
	typ      notice.Type
	nt       prefs.NotificationType
	settings notice.Settings
	now      time.Time // when the decision is made
	from     time.Time // the earliest send time: now, or the event's send-at
	// sets are the channels per reach mask (see channelSet), limited to the
	// type's channels when it names any.
	sets [reachMasks][]string
	// noRecords answers consent, per channel, for a persona with an empty
	// ledger: the tenant's defaults, the same for everyone.
	noRecords func(channel string) (bool, string)
	cap       *notice.Cap
	best      bool
}

func (s *Service) newDecider(ev notice.Event, t notice.Type, st notice.Settings, now time.Time) *decider {
	d := &decider{ev: ev, typ: t, settings: st, now: now, from: now,
		nt:   prefs.NotificationType{Key: t.Key, Category: t.Category, Channels: t.Channels, ReplyExpected: t.ReplyExpected},
		best: t.SendTime == notice.SendBest && t.Category != prefs.Critical,
	}
	if ev.SendAt.After(now) {
		d.from = ev.SendAt
	}
	d.sets = channelSet(s.runningChannels())
	if len(t.Channels) > 0 {
		for m, set := range d.sets {
			var kept []string
			for _, ch := range set {
				for _, allowed := range t.Channels {
					if ch == allowed {
						kept = append(kept, ch)
					}
				}
			}
			d.sets[m] = kept
		}
	}
	type answer struct {
		ok  bool
		why string
	}
	answers := map[string]answer{}
	for _, ch := range reachable {
		ok, why := notice.ConsentAllows(nil, t, ch, st)
		answers[ch] = answer{ok, why}
	}
	d.noRecords = func(ch string) (bool, string) {
		if a, ok := answers[ch]; ok {
			return a.ok, a.why
		}
		return notice.ConsentAllows(nil, t, ch, st)
	}
	if c, ok := st.Caps[t.Category]; ok && c.Max > 0 && c.Window > 0 {
		d.cap = &c
	}
	return d
}

// facts are what one persona's decision weighs, loaded in bulk.
type facts struct {
	prefs   map[string]prefs.Preferences
	consent map[string][]consent.Record
	hours   map[string][notice.HoursPerWeek]int
	recent  map[string]int
}

// load reads the facts of a page of personas, one query per kind, and only
// the kinds the event needs.
func (d *decider) load(ctx context.Context, q *store.Store, tenantID string, ids []string) (facts, error) {
	var f facts
	var err error
	if f.prefs, err = q.PersonaPrefsMany(ctx, tenantID, ids); err != nil {
		return f, err
	}
	if f.consent, err = q.ConsentRecordsMany(ctx, tenantID, ids); err != nil {
		return f, err
	}
	if d.best {
		if f.hours, err = q.ResponseHours(ctx, tenantID, ids); err != nil {
			return f, err
		}
	}
	if d.cap != nil {
		since := d.now.Add(-time.Duration(d.cap.Window))
		if f.recent, err = q.CountRecent(ctx, tenantID, ids, string(d.typ.Category), since); err != nil {
			return f, err
		}
	}
	return f, nil
}

// decide makes one persona's delivery: pending with its channels and send
// time, or suppressed with the reasons why.
func (d *decider) decide(p store.NotifyPersona, f *facts) notice.Delivery {
	own := withZone(f.prefs[p.ID], p)
	consentOf := d.noRecords
	if records := f.consent[p.ID]; len(records) > 0 {
		consentOf = func(ch string) (bool, string) { return notice.ConsentAllows(records, d.typ, ch, d.settings) }
	}
	in := prefs.Input{Type: d.nt, Tenant: d.settings.Defaults, Persona: own,
		Available: d.sets[reachMask(p)], Consent: consentOf, Now: d.from}
	plan := prefs.Decide(in)
	var lead []string
	if d.from.After(d.now) {
		lead = append(lead, "send at "+d.from.UTC().Format(time.RFC3339)+" as the event asks")
	}

	if !plan.Suppressed && d.cap != nil {
		if n := f.recent[p.ID]; n >= d.cap.Max {
			plan.Reasons = append(plan.Reasons, fmt.Sprintf("cap: %d %s notices in the last %s (at most %d)",
				n, d.typ.Category, time.Duration(d.cap.Window), d.cap.Max))
			plan.Suppressed, plan.Channels, plan.Response = true, nil, ""
		}
	}
	if !plan.Suppressed && d.best {
		plan = d.bestTime(p, own, in, plan, f.hours[p.ID])
	}
	if !plan.Suppressed && !d.ev.ExpiresAt.IsZero() && !plan.SendAt.Before(d.ev.ExpiresAt) {
		plan.Reasons = append(plan.Reasons, fmt.Sprintf("held until %s, when the event has expired (%s)",
			plan.SendAt.UTC().Format(time.RFC3339), d.ev.ExpiresAt.UTC().Format(time.RFC3339)))
		plan.Suppressed, plan.Channels, plan.Response = true, nil, ""
	}

	del := notice.Delivery{TenantID: d.ev.TenantID, ID: ids.New(), EventID: d.ev.ID, PersonaID: p.ID,
		Type: d.typ.Key, Category: d.typ.Category, Channels: plan.Channels, Status: notice.StatusPending,
		DueAt: plan.SendAt, ExpiresAt: d.ev.ExpiresAt, Reasons: plan.Reasons,
		BrokeQuietHours: plan.BrokeQuietHours, Language: notice.Language(d.typ, p.Language),
		Retrieval: plan.Retrieval, Response: plan.Response, ReplyExpected: d.typ.ReplyExpected,
		CreatedAt: d.now, UpdatedAt: d.now}
	if len(lead) > 0 {
		del.Reasons = append(lead, plan.Reasons...)
	}
	if plan.Suppressed {
		del.Status, del.DueAt, del.Channels = notice.StatusSuppressed, time.Time{}, []string{}
	} else {
		del.Channel = plan.Channels[0]
	}
	return del
}

// bestTime moves a plan to the hour the persona usually responds in, and
// decides again for that moment: quiet hours or a momentary state then may
// hold it further.
func (d *decider) bestTime(p store.NotifyPersona, own prefs.Preferences, in prefs.Input, plan prefs.Plan, hours [notice.HoursPerWeek]int) prefs.Plan {
	loc := d.zone(own.TimeZone, d.settings.Defaults.TimeZone)
	at, ok := notice.BestTime(hours, plan.SendAt, loc)
	if !ok {
		plan.Reasons = append(plan.Reasons, "best time: no responses yet; sending as soon as allowed")
		return plan
	}
	if !at.After(plan.SendAt) {
		plan.Reasons = append(plan.Reasons, "best time: now is when this customer usually responds")
		return plan
	}
	in.Now = at
	later := prefs.Decide(in)
	if later.Suppressed {
		return later
	}
	later.Reasons = append([]string{fmt.Sprintf("best time: this customer usually responds on %s (%s)",
		at.In(loc).Format("Mon 15:04"), loc)}, later.Reasons...)
	return later
}

// zone resolves a persona's zone, then the tenant's, then UTC.
func (d *decider) zone(names ...string) *time.Location {
	for _, name := range names {
		if name == "" {
			continue
		}
		if loc, err := prefs.LoadZone(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
