package consent

import "strings"

// State returns each scope's current value in records, a persona's chain in
// order: the last record of a scope wins. It is the raw ledger; to decide
// whether a message may go, ask Granted, which also weighs scopes against
// each other and honours a tombstone.
func State(records []Record) map[string]bool {
	state := make(map[string]bool)
	for _, r := range records {
		state[r.Scope] = r.Granted
	}
	return state
}

// Granted decides whether a message may go, given the scopes that describe
// it (say "type:statement_ready", "category:transactional", "channel:sms" and
// "all"; the order given does not matter), and returns the record that
// decided. When no record covers any of the scopes, it returns def and a zero
// Record (Seq 0): the default is the caller's, because it depends on the
// message (a statement may go unasked, marketing may not).
//
// The rules, in order:
//  1. A tombstone (an erased persona) refuses everything.
//  2. A channel's revocation refuses everything on that channel: an SMS STOP
//     is lifted only by a grant on that channel, never by opting into a
//     category elsewhere.
//  3. Otherwise the most specific scope with a record decides: type, then
//     category, then channel, then "all"; so a customer who stopped
//     everything and later asked for statements gets statements.
//  4. But a revocation on a broader scope newer than that deciding grant
//     refuses: "no more marketing" after "yes to the newsletter" stops the
//     newsletter too.
func Granted(records []Record, def bool, scopes ...string) (bool, Record) {
	latest := make(map[string]Record)
	for _, r := range records {
		if r.Source == SourceErasure {
			return false, r
		}
		latest[r.Scope] = r
	}
	var revoked, decider *Record
	for _, s := range scopes {
		r, ok := latest[s]
		if !ok {
			continue
		}
		if !r.Granted && strings.HasPrefix(s, "channel:") {
			if revoked == nil || r.Seq > revoked.Seq {
				revoked = &r
			}
		}
		if decider == nil || scopeRank(s) < scopeRank(decider.Scope) ||
			scopeRank(s) == scopeRank(decider.Scope) && r.Seq > decider.Seq {
			decider = &r
		}
	}
	if revoked != nil {
		return false, *revoked
	}
	if decider == nil {
		return def, Record{}
	}
	if !decider.Granted {
		return false, *decider
	}
	var newer *Record
	for _, s := range scopes {
		if r, ok := latest[s]; ok && !r.Granted && r.Seq > decider.Seq && (newer == nil || r.Seq > newer.Seq) {
			newer = &r
		}
	}
	if newer != nil {
		return false, *newer
	}
	return true, *decider
}
