// Package consent keeps the consent ledger: every grant, change and revocation
// of a persona's permission to be contacted, as an append-only chain of
// records in which each record hashes its predecessor, so that an edited,
// removed or reordered record is detected by Verify. It is pure: the caller
// loads a persona's chain, asks Append for the next record and stores it;
// time, ids and storage come from outside.
//
// A record holds no personal data beyond ids: the tenant, the persona and the
// actor are opaque ids, the scope and source are vocabulary. The one free-text
// field, Note, is not hashed itself: the chain commits to a salted digest of
// it (NoteDigest), so erasing a persona blanks its notes and salts (Redact)
// and appends a Tombstone while every hash still recomputes.
package consent

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Record is one entry of a persona's consent ledger. Records of one persona
// form a chain: Seq counts from 1 and PrevHash is the Hash of the record
// before. Times are UTC with microsecond precision, which both SQL engines
// keep exactly, so a stored record hashes the same when read back.
type Record struct {
	TenantID  string `json:"tenant_id"`
	PersonaID string `json:"persona_id"`
	Seq       int64  `json:"seq"`
	// Scope is what the permission covers: "all", "channel:<name>",
	// "category:<name>" or "type:<name>".
	Scope   string `json:"scope"`
	Granted bool   `json:"granted"`
	// Previous is the scope's value before this record, nil if it had none.
	Previous *bool `json:"previous"`
	// Source is how the decision arrived; see the Source constants.
	Source string `json:"source"`
	// Actor is who recorded it: a user id, "persona" for the customer
	// themselves, an API key id, or "system".
	Actor string `json:"actor"`
	// Note is free text (what the customer said on the phone). It may hold
	// personal data, so the chain hashes NoteDigest instead and erasure
	// blanks Note and NoteSalt.
	Note       string    `json:"note,omitempty"`
	NoteSalt   string    `json:"note_salt,omitempty"`
	NoteDigest string    `json:"note_digest,omitempty"`
	At         time.Time `json:"at"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Sources: how a decision reached the ledger.
const (
	SourceCustomer    = "customer"     // the customer, in the portal or widget
	SourceAgent       = "agent"        // an agent, on the customer's word
	SourceStopKeyword = "stop_keyword" // an SMS STOP (or START) keyword
	SourceUnsubscribe = "unsubscribe"  // a one-click unsubscribe link or header
	SourceAPI         = "api"          // a tenant's system, through the API
	SourceImport      = "import"       // a bulk import of consent held elsewhere
	// SourceAnnouncement: the customer was told ("this call is recorded")
	// and went on; written by call recording (internal/voice/recording).
	SourceAnnouncement = "announcement"
	SourceErasure      = "erasure" // the persona was erased; only Tombstone writes it
)

// ScopeAll covers every message on every channel.
const ScopeAll = "all"

// Scope kinds, from the most specific to the broadest; see Granted.
var scopeKinds = []string{"type", "category", "channel"}

// ErrErased is returned by Append for a persona whose chain ends in a
// tombstone: an erased persona takes no further records.
var ErrErased = errors.New("consent: persona erased")

// TypeScope names one type of notification, such as "statement_ready".
func TypeScope(name string) string { return "type:" + name }

// CategoryScope names a category of messages, such as "marketing".
func CategoryScope(name string) string { return "category:" + name }

// ChannelScope names a channel, such as "sms".
func ChannelScope(name string) string { return "channel:" + name }

// ValidScope reports whether s is "all" or "<kind>:<name>" with a known kind
// and a non-empty name without spaces.
func ValidScope(s string) bool {
	if s == ScopeAll {
		return true
	}
	kind, name, ok := strings.Cut(s, ":")
	return ok && rank(kind) < len(scopeKinds) && name != "" && !strings.ContainsAny(name, " \t\r\n")
}

// rank orders scope kinds for Granted: type 0, category 1, channel 2, all 3.
func rank(kind string) int {
	if i := slices.Index(scopeKinds, kind); i >= 0 {
		return i
	}
	return len(scopeKinds)
}

func scopeRank(scope string) int {
	kind, _, _ := strings.Cut(scope, ":")
	return rank(kind)
}

var sources = []string{SourceCustomer, SourceAgent, SourceStopKeyword, SourceUnsubscribe, SourceAPI, SourceImport, SourceAnnouncement}

// Append returns next completed as the record to store after chain, a
// persona's records in order (empty for the first): Seq, PrevHash, Previous
// (the scope's value in chain), the note's salt and digest, and Hash are set;
// At is cut to UTC microseconds. next must carry TenantID, PersonaID, Scope,
// Source, Actor and At; bad input is a *tenant.FieldError naming the field.
//
// Append checks only that chain's last record is of the same persona, not the
// whole chain: a damaged ledger must still accept a revocation. Two appends
// racing on one persona get the same Seq; the store's unique key on
// (tenant, persona, seq) turns the loser away to reload and retry.
func Append(chain []Record, next Record) (Record, error) {
	if next.Source == SourceErasure {
		return Record{}, &tenant.FieldError{Field: "source", Reason: `"erasure" is recorded only by erasing the persona`}
	}
	if !slices.Contains(sources, next.Source) {
		return Record{}, &tenant.FieldError{Field: "source", Reason: fmt.Sprintf("unknown source %q; use one of %s", next.Source, strings.Join(sources, ", "))}
	}
	if next.Note != "" {
		next.NoteSalt = rand.Text()
	}
	return appendRecord(chain, next)
}

// Tombstone returns the record that closes an erased persona's chain: scope
// "all" revoked, source "erasure", no note. actor is who erased the persona.
// Store it together with Redact of the earlier records, and delete the
// persona's other data; the chain keeps verifying and proves that the
// persona was erased, and when, without saying who they were.
func Tombstone(chain []Record, tenantID, personaID string, at time.Time, actor string) (Record, error) {
	return appendRecord(chain, Record{
		TenantID:  tenantID,
		PersonaID: personaID,
		Scope:     ScopeAll,
		Granted:   false,
		Source:    SourceErasure,
		Actor:     actor,
		At:        at,
	})
}

// Redact returns copies of records with Note and NoteSalt blanked; the
// digests stay, so Verify still holds. Verify accepts a blanked note only in
// a chain that ends in a tombstone.
func Redact(records []Record) []Record {
	out := make([]Record, len(records))
	for i, r := range records {
		r.Note, r.NoteSalt = "", ""
		out[i] = r
	}
	return out
}

func appendRecord(chain []Record, next Record) (Record, error) {
	switch {
	case next.TenantID == "":
		return Record{}, &tenant.FieldError{Field: "tenant_id", Reason: "required"}
	case next.PersonaID == "":
		return Record{}, &tenant.FieldError{Field: "persona_id", Reason: "required"}
	case !ValidScope(next.Scope):
		return Record{}, &tenant.FieldError{Field: "scope", Reason: fmt.Sprintf(`%q is not "all", "type:<name>", "category:<name>" or "channel:<name>"`, next.Scope)}
	case next.Actor == "":
		return Record{}, &tenant.FieldError{Field: "actor", Reason: "required: who recorded the decision"}
	case next.At.IsZero():
		return Record{}, &tenant.FieldError{Field: "at", Reason: "required"}
	}
	next.Seq, next.PrevHash, next.Previous = 1, "", nil
	if n := len(chain); n > 0 {
		last := chain[n-1]
		if last.TenantID != next.TenantID || last.PersonaID != next.PersonaID {
			return Record{}, fmt.Errorf("consent: append to persona %s: chain belongs to persona %s", next.PersonaID, last.PersonaID)
		}
		if last.Source == SourceErasure {
			return Record{}, fmt.Errorf("append to persona %s: %w", next.PersonaID, ErrErased)
		}
		next.Seq, next.PrevHash = last.Seq+1, last.Hash
		if v, ok := State(chain)[next.Scope]; ok {
			next.Previous = &v
		}
	}
	next.At = next.At.UTC().Truncate(time.Microsecond)
	next.NoteDigest = ""
	if next.Note != "" {
		next.NoteDigest = NoteDigest(next.NoteSalt, next.Note)
	} else {
		next.NoteSalt = ""
	}
	next.Hash = Sum(next)
	return next, nil
}
