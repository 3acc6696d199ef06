package notice

import (
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/prefs"
)

// ConsentAllows reads a persona's consent ledger for a notice of type t on
// channel: the most specific record wins (type, category, channel, all), a
// channel revoked (STOP) stays revoked, and an erased persona is never
// contacted. Without a record, critical and transactional notices are
// allowed and marketing only where the tenant's defaults switch marketing on.
// why says which record decided, for the delivery's reasons.
func ConsentAllows(records []consent.Record, t Type, channel string, s Settings) (ok bool, why string) {
	def := t.Category != prefs.Marketing
	if !def {
		if e := s.Defaults.Categories[prefs.Marketing].Enabled; e != nil && *e {
			def = true
		}
	}
	if len(records) == 0 {
		return def, defaultWhy(t.Category, def)
	}
	ok, r := consent.Granted(records, def,
		consent.TypeScope(t.Key), consent.CategoryScope(string(t.Category)), consent.ChannelScope(channel), consent.ScopeAll)
	if r.Seq == 0 {
		return ok, defaultWhy(t.Category, ok)
	}
	if r.Source == consent.SourceErasure {
		return false, "persona erased"
	}
	verb := "granted"
	if !r.Granted {
		verb = "revoked"
	}
	return ok, fmt.Sprintf("%s %s by %s on %s (record %d)", r.Scope, verb, r.Source, r.At.UTC().Format("2006-01-02"), r.Seq)
}

func defaultWhy(c prefs.Category, ok bool) string {
	if ok {
		return fmt.Sprintf("no record; %s allowed by default", c)
	}
	return fmt.Sprintf("no record; %s needs consent", c)
}
