package notify

import (
	"context"
	"maps"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// PreferenceView is a persona's preferences as the settings page shows
// them: their own, the tenant's defaults, the two merged, the consent
// ledger's state, the types they may receive and the channels they can be
// reached on.
type PreferenceView struct {
	PersonaID string            `json:"persona_id"`
	Own       prefs.Preferences `json:"own"`
	Defaults  prefs.Preferences `json:"defaults"`
	Effective prefs.Preferences `json:"effective"`
	// Consent is the ledger's latest word by scope ("channel:sms": false).
	Consent map[string]bool `json:"consent"`
	// Types are the tenant's notification types, without templates.
	Types     []notice.Type `json:"types"`
	Available []string      `json:"available"`
}

// Preferences returns the persona's preference view.
func (s *Service) Preferences(ctx context.Context, tenantID, personaID string) (PreferenceView, error) {
	return s.view(ctx, &s.db.Store, tenantID, personaID)
}

func (s *Service) view(ctx context.Context, q *store.Store, tenantID, personaID string) (PreferenceView, error) {
	np, err := q.NotifyPersonasByID(ctx, tenantID, []string{personaID})
	if err != nil {
		return PreferenceView{}, err
	}
	p, ok := np[personaID]
	if !ok {
		return PreferenceView{}, store.ErrNotFound
	}
	own, err := q.PersonaPrefs(ctx, tenantID, personaID)
	if err != nil {
		return PreferenceView{}, err
	}
	st, err := q.NotifySettings(ctx, tenantID)
	if err != nil {
		return PreferenceView{}, err
	}
	chain, err := q.ConsentRecords(ctx, tenantID, personaID)
	if err != nil {
		return PreferenceView{}, err
	}
	types, err := q.NotificationTypes(ctx, tenantID)
	if err != nil {
		return PreferenceView{}, err
	}
	for i := range types {
		types[i].Templates = nil
	}
	if types == nil {
		types = []notice.Type{}
	}
	available := slices.Clone(s.available(p))
	if available == nil {
		available = []string{}
	}
	return PreferenceView{PersonaID: personaID, Own: own, Defaults: st.Defaults,
		Effective: prefs.Merge(st.Defaults, withZone(own, p)), Consent: consent.State(chain),
		Types: types, Available: available}, nil
}

// withZone fills the persona's own time zone from its record when the
// preferences name none: quiet hours are in the customer's zone.
func withZone(own prefs.Preferences, p store.NotifyPersona) prefs.Preferences {
	if own.TimeZone == "" {
		own.TimeZone = p.TimeZone
	}
	return own
}

// SetPreferences replaces the persona's own preferences. Every on/off the
// customer changes — a channel, a type, a category — is also a consent
// record in the same transaction, with who changed it and the ledger's
// previous value. Critical types and the critical category are the
// exception: the customer cannot switch them off (prefs.Decide ignores
// it), so their switch is kept but not recorded as consent, which would
// stop them.
func (s *Service) SetPreferences(ctx context.Context, tenantID, personaID string, p prefs.Preferences, who Who) (PreferenceView, error) {
	if err := p.Validate(); err != nil {
		return PreferenceView{}, err
	}
	if err := checkChannels("", p); err != nil {
		return PreferenceView{}, err
	}
	var out PreferenceView
	err := s.inTx(ctx, func(tx *store.Store) error {
		if _, err := tx.Persona(ctx, tenantID, personaID); err != nil {
			return err
		}
		old, err := tx.PersonaPrefs(ctx, tenantID, personaID)
		if err != nil {
			return err
		}
		changes, err := s.switchChanges(ctx, tx, tenantID, old, p)
		if err != nil {
			return err
		}
		if len(changes) > 0 {
			chain, err := tx.ConsentRecords(ctx, tenantID, personaID)
			if err != nil {
				return err
			}
			at := s.clock.Now()
			for _, c := range changes {
				r, err := appendConsent(ctx, tx, chain, consent.Record{TenantID: tenantID, PersonaID: personaID,
					Scope: c.scope, Granted: c.on, Source: who.Source, Actor: who.Actor, Note: c.note, At: at})
				if err != nil {
					return err
				}
				chain = append(chain, r)
			}
		}
		if err := tx.SetPersonaPrefs(ctx, tenantID, personaID, p, s.clock.Now()); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, tenantID, personaID)
		return err
	})
	return out, err
}

// switchChange is one on/off the customer changed, as a consent scope.
type switchChange struct {
	scope string
	on    bool
	note  string
}

// switchChanges lists the on/off switches that differ between old and p, in
// a stable order. A switch removed after "off" is a grant: the customer no
// longer refuses, and the ledger must not go on refusing for them.
func (s *Service) switchChanges(ctx context.Context, tx *store.Store, tenantID string, old, p prefs.Preferences) ([]switchChange, error) {
	var out []switchChange
	diff := func(scope string, was, now *bool) {
		switch {
		case now != nil && (was == nil || *was != *now):
			out = append(out, switchChange{scope: scope, on: *now})
		case now == nil && was != nil && !*was:
			out = append(out, switchChange{scope: scope, on: true, note: "switch cleared: follows the default"})
		}
	}
	for _, ch := range sortedKeys(old.Channels, p.Channels) {
		diff(consent.ChannelScope(ch), boolAt(old.Channels, ch), boolAt(p.Channels, ch))
	}
	for _, c := range sortedKeys(old.Categories, p.Categories) {
		if c == prefs.Critical {
			continue
		}
		diff(consent.CategoryScope(string(c)), old.Categories[c].Enabled, p.Categories[c].Enabled)
	}
	var critical map[string]bool
	for _, key := range sortedKeys(old.Types, p.Types) {
		was, now := old.Types[key].Enabled, p.Types[key].Enabled
		if was == nil && now == nil {
			continue
		}
		if critical == nil {
			types, err := tx.NotificationTypes(ctx, tenantID)
			if err != nil {
				return nil, err
			}
			critical = map[string]bool{}
			for _, t := range types {
				critical[t.Key] = t.Category == prefs.Critical
			}
		}
		if !critical[key] {
			diff(consent.TypeScope(key), was, now)
		}
	}
	return out, nil
}

func boolAt(m map[string]bool, k string) *bool {
	if v, ok := m[k]; ok {
		return &v
	}
	return nil
}

// sortedKeys are the keys of a and b together, sorted.
func sortedKeys[K ~string, V any](a, b map[K]V) []K {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// SetMomentary sets the persona's momentary state ("driving: voice only
// until 15:00"); nil clears it. It is not consent: it holds notices, it
// does not refuse them.
func (s *Service) SetMomentary(ctx context.Context, tenantID, personaID string, m *prefs.Momentary, who Who) (PreferenceView, error) {
	if m != nil {
		if !m.Until.After(s.clock.Now()) {
			return PreferenceView{}, &tenant.FieldError{Field: "momentary.until", Reason: "must be in the future"}
		}
		for i, ch := range m.AllowChannels {
			if !slices.Contains(notice.Channels, ch) {
				return PreferenceView{}, &tenant.FieldError{Field: "momentary.allow_channels", Reason: "unknown channel " + m.AllowChannels[i]}
			}
		}
	}
	var out PreferenceView
	err := s.inTx(ctx, func(tx *store.Store) error {
		if _, err := tx.Persona(ctx, tenantID, personaID); err != nil {
			return err
		}
		p, err := tx.PersonaPrefs(ctx, tenantID, personaID)
		if err != nil {
			return err
		}
		p.Momentary = m
		if err := p.Validate(); err != nil {
			return err
		}
		if err := tx.SetPersonaPrefs(ctx, tenantID, personaID, p, s.clock.Now()); err != nil {
			return err
		}
		out, err = s.view(ctx, tx, tenantID, personaID)
		return err
	})
	if err == nil {
		// The source, not the actor: a customer's actor is their address.
		s.log.Info("momentary state", "tenant_id", tenantID, "persona_id", personaID, "source", who.Source, "set", m != nil)
	}
	return out, err
}

// available are the channels a persona can be reached on that this node
// runs: an email address, a phone, a push subscription.
func (s *Service) available(p store.NotifyPersona) []string {
	return channelSet(s.runningChannels())[reachMask(p)]
}

// reachMask is the set of reachable channels a persona has an address on,
// as bits in the order of reachable.
func reachMask(p store.NotifyPersona) int {
	m := 0
	if p.Email != "" {
		m |= 1
	}
	if p.Phone != "" {
		m |= 2
	}
	if p.HasPush {
		m |= 4
	}
	if p.Telegram != "" {
		m |= 8
	}
	return m
}

// channelSet lists, for every mask, the reachable channels it names that run
// on this node: shared slices, so deciding a million personas does not make
// a million of them.
func channelSet(running []string) [reachMasks][]string {
	var sets [reachMasks][]string
	for m := range sets {
		for _, ch := range reachable {
			if m&needs[ch] != 0 && slices.Contains(running, ch) {
				sets[m] = append(sets[m], ch)
			}
		}
	}
	return sets
}
