package notify

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Who recorded a consent decision: how (a consent.Source*) and who
// ("user:<id>", "customer:<identifier>", "apikey:<id>", "sms:<number>").
type Who struct {
	Source string `json:"source"`
	Actor  string `json:"actor"`
}

// appendRetries bounds how often an append is retried after losing a race
// for the next seq to another writer (PostgreSQL; SQLite has one writer).
const appendRetries = 5

// RecordConsent appends a grant or revocation to the persona's consent
// ledger. The persona must exist (an erased one does not).
func (s *Service) RecordConsent(ctx context.Context, tenantID, personaID, scope string, granted bool, who Who, note string) (consent.Record, error) {
	if err := textfield.Line("note", note, textfield.MaxLine); err != nil {
		return consent.Record{}, err
	}
	return s.recordConsent(ctx, tenantID, personaID, scope, granted, who, note, false)
}

// recordConsent appends a record in a transaction of its own; with
// onlyChange it records nothing when the ledger already says granted for
// scope, and returns the zero Record.
func (s *Service) recordConsent(ctx context.Context, tenantID, personaID, scope string, granted bool, who Who, note string, onlyChange bool) (consent.Record, error) {
	var rec consent.Record
	err := s.inTx(ctx, func(tx *store.Store) error {
		if _, err := tx.Persona(ctx, tenantID, personaID); err != nil {
			return err
		}
		chain, err := tx.ConsentRecords(ctx, tenantID, personaID)
		if err != nil {
			return err
		}
		if v, ok := consent.State(chain)[scope]; onlyChange && ok && v == granted {
			rec = consent.Record{}
			return nil
		}
		rec, err = appendConsent(ctx, tx, chain, consent.Record{TenantID: tenantID, PersonaID: personaID, Scope: scope,
			Granted: granted, Source: who.Source, Actor: who.Actor, Note: note, At: s.clock.Now()})
		return err
	})
	return rec, err
}

// appendConsent appends next to chain (the persona's ledger read in tx) and
// stores it.
func appendConsent(ctx context.Context, tx *store.Store, chain []consent.Record, next consent.Record) (consent.Record, error) {
	r, err := consent.Append(chain, next)
	if err != nil {
		return r, err
	}
	if err := tx.AppendConsent(ctx, r); err != nil {
		return r, err
	}
	if r.Granted || r.Source == consent.SourceErasure { // an erasure is not a customer's choice
		return r, nil
	}
	return r, tx.EmitEvent(ctx, r.TenantID, event.NoticeOptedOut, OptOutOf(r.Scope, r.Source), r.At)
}

// OptedOut is the data of an event.NoticeOptedOut: a revocation, with the
// notification type or channel its scope names, if any.
type OptedOut struct {
	Scope   string `json:"scope"`
	Type    string `json:"type,omitempty"`
	Channel string `json:"channel,omitempty"`
	Source  string `json:"source"`
}

// OptOutOf is the opt-out a revocation of scope is.
func OptOutOf(scope, source string) OptedOut {
	o := OptedOut{Scope: scope, Source: source}
	if t, ok := strings.CutPrefix(scope, "type:"); ok {
		o.Type = t
	} else if ch, ok := strings.CutPrefix(scope, "channel:"); ok {
		o.Channel = ch
	}
	return o
}

// inTx runs fn in a transaction, again when it lost a race for a consent
// record's seq (store.ErrConflict).
func (s *Service) inTx(ctx context.Context, fn func(tx *store.Store) error) error {
	var err error
	for range appendRetries {
		err = s.db.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error { return fn(tx) })
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return err
}

// Consent returns the persona's consent ledger, oldest first, notes
// included: agents see why a decision was recorded. An erased persona's
// ledger remains, notes blanked.
func (s *Service) Consent(ctx context.Context, tenantID, personaID string) ([]consent.Record, error) {
	return s.db.ConsentRecords(ctx, tenantID, personaID)
}

// ExportConsent returns the persona's ledger as JSON (consent.Export), with
// whether its chain verifies and, if not, which record breaks it.
func (s *Service) ExportConsent(ctx context.Context, tenantID, personaID string) ([]byte, error) {
	records, err := s.db.ConsentRecords(ctx, tenantID, personaID)
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		// An empty ledger of a persona that never existed is a 404, not an
		// empty export: ids are not probed.
		if _, err := s.db.Persona(ctx, tenantID, personaID); err != nil {
			return nil, err
		}
	}
	return consent.Export(records)
}

// now is the service's clock, cut to what the store keeps.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }
