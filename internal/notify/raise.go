package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Recipient is one persona of a batch, with data of its own over the
// event's.
type Recipient struct {
	To   notice.Target  `json:"to"`
	Data map[string]any `json:"data,omitempty"`
}

// RaiseInput is an event a business system raises: a type, whom it is for
// (exactly one of To, Recipients and All), data for the templates, and
// optionally when to send it, when it stops being worth sending, and a key
// that makes raising it twice raise it once.
type RaiseInput struct {
	Type           string         `json:"type"`
	To             *notice.Target `json:"to,omitempty"`
	Recipients     []Recipient    `json:"recipients,omitempty"`
	All            bool           `json:"all,omitempty"`
	Data           map[string]any `json:"data"`
	SendAt         time.Time      `json:"send_at,omitzero"`
	ExpiresAt      time.Time      `json:"expires_at,omitzero"`
	IdempotencyKey string         `json:"-"`
}

// MaxRecipients bounds a batch; larger audiences are raised to All or in
// several batches.
const MaxRecipients = 10000

// Result is what became of one recipient: a delivery (pending or
// suppressed, with the reasons), or a refusal saying why.
type Result struct {
	Index      int       `json:"index"`
	PersonaID  string    `json:"persona_id,omitempty"`
	DeliveryID string    `json:"delivery_id,omitempty"`
	Status     string    `json:"status"` // "pending", "suppressed" or "rejected"
	Channels   []string  `json:"channels,omitempty"`
	SendAt     time.Time `json:"send_at,omitzero"`
	Reasons    []string  `json:"reasons,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// StatusRejected is a recipient refused before any decision: no persona
// matches it, or it names one twice.
const StatusRejected = "rejected"

// Raised is the answer to Raise.
type Raised struct {
	Event notice.Event `json:"event"`
	// Results are per recipient, in the order given; nil for All.
	Results []Result `json:"results,omitempty"`
	// Counts are recipients by status.
	Counts map[string]int `json:"counts"`
	// Duplicate is true when the idempotency key was used before: the
	// answer is the first event's, and nothing was written.
	Duplicate bool `json:"duplicate"`
}

// recipientData is where an event keeps the data its recipients brought
// of their own, by persona id, for rendering at send time.
const recipientData = "_recipients"

// Raise turns an event into one decision and one delivery row per persona,
// written together. Nothing is written when the type is unknown, the event
// has expired, a template cannot be rendered with the data, or (for a
// single To) no persona matches; in a batch a recipient that matches nobody
// is a rejected Result and the others go ahead. Raising with an
// idempotency key used before returns the first answer and writes nothing.
func (s *Service) Raise(ctx context.Context, tenantID string, in RaiseInput) (Raised, error) {
	modes := 0
	for _, set := range []bool{in.To != nil, len(in.Recipients) > 0, in.All} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return Raised{}, &tenant.FieldError{Field: "to", Reason: "name exactly one of to, recipients or all"}
	}
	if len(in.Recipients) > MaxRecipients {
		return Raised{}, &tenant.FieldError{Field: "recipients", Reason: fmt.Sprintf("at most %d in one event", MaxRecipients)}
	}
	if _, ok := in.Data[recipientData]; ok {
		return Raised{}, &tenant.FieldError{Field: "data", Reason: recipientData + " is reserved"}
	}
	typ, err := s.db.NotificationType(ctx, tenantID, in.Type)
	if err != nil {
		return Raised{}, unknownType(in.Type, err)
	}
	now := s.now()
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(now) {
		return Raised{}, &tenant.FieldError{Field: "expires_at", Reason: fmt.Sprintf("expired at %s, before it was raised", in.ExpiresAt.UTC().Format(time.RFC3339))}
	}
	if !in.ExpiresAt.IsZero() && !in.SendAt.IsZero() && !in.SendAt.Before(in.ExpiresAt) {
		return Raised{}, &tenant.FieldError{Field: "send_at", Reason: "is not before expires_at"}
	}
	if in.IdempotencyKey != "" {
		first, err := s.db.NotifyEventByKey(ctx, tenantID, in.IdempotencyKey)
		if err == nil {
			return s.duplicate(ctx, first, in)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Raised{}, err
		}
	}
	// In a batch each recipient's data is checked as its notice will be
	// written: the event's may lack what every recipient brings.
	checkedShared := false
	for i, r := range in.Recipients {
		if len(r.Data) > 0 {
			if err := checkData(typ, fmt.Sprintf("recipients[%d].data", i), merged(in.Data, r.Data)); err != nil {
				return Raised{}, err
			}
		} else if !checkedShared {
			if err := checkData(typ, "data", in.Data); err != nil {
				return Raised{}, err
			}
			checkedShared = true
		}
	}
	if len(in.Recipients) == 0 {
		if err := checkData(typ, "data", in.Data); err != nil {
			return Raised{}, err
		}
	}
	st, err := s.db.NotifySettings(ctx, tenantID)
	if err != nil {
		return Raised{}, err
	}
	ev := notice.Event{TenantID: tenantID, ID: ids.New(), Type: typ.Key, Data: in.Data, IdempotencyKey: in.IdempotencyKey,
		SendAt: in.SendAt.UTC(), ExpiresAt: in.ExpiresAt.UTC(), CreatedAt: now}
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	if in.All {
		return s.raiseAll(ctx, ev, typ, st, in)
	}
	return s.raiseTo(ctx, ev, typ, st, in)
}

// raiseTo raises an event for a single target or a batch.
func (s *Service) raiseTo(ctx context.Context, ev notice.Event, typ notice.Type, st notice.Settings, in RaiseInput) (Raised, error) {
	recipients := in.Recipients
	if in.To != nil {
		recipients = []Recipient{{To: *in.To}}
	}
	res, err := s.resolve(ctx, ev.TenantID, recipients)
	if err != nil {
		return Raised{}, err
	}
	if in.To != nil && res.results[0].Status == StatusRejected {
		if res.invalid[0] {
			return Raised{}, &tenant.FieldError{Field: "to", Reason: res.results[0].Error}
		}
		return Raised{}, fmt.Errorf("%w: %s", ErrUnknownPersona, res.results[0].Error)
	}
	ev.Recipients = len(recipients)
	own := map[string]any{}
	for i, r := range recipients {
		if id := res.results[i].PersonaID; id != "" && len(r.Data) > 0 {
			own[id] = r.Data
		}
	}
	if len(own) > 0 {
		ev.Data = merged(ev.Data, map[string]any{recipientData: own})
	}

	d := s.newDecider(ev, typ, st, ev.CreatedAt)
	personaIDs := slices.Collect(maps.Keys(res.personas))
	f, err := d.load(ctx, &s.db.Store, ev.TenantID, personaIDs)
	if err != nil {
		return Raised{}, err
	}
	var ds []notice.Delivery
	for i := range res.results {
		r := &res.results[i]
		if r.Status == StatusRejected {
			continue
		}
		del := d.decide(res.personas[r.PersonaID], &f)
		ds = append(ds, del)
		fillResult(r, del)
	}
	err = s.db.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error {
		if err := tx.InsertNotifyEvent(ctx, ev); err != nil {
			return err
		}
		return tx.InsertDeliveries(ctx, ds)
	})
	if errors.Is(err, store.ErrConflict) && ev.IdempotencyKey != "" {
		// Raised at the same moment elsewhere with the same key.
		return s.duplicateByKey(ctx, ev.TenantID, in)
	}
	if err != nil {
		return Raised{}, err
	}
	if ev.Data[recipientData] != nil {
		ev.Data = withoutRecipientData(ev.Data)
	}
	return Raised{Event: ev, Results: res.results, Counts: countResults(res.results)}, nil
}

func fillResult(r *Result, del notice.Delivery) {
	r.DeliveryID, r.Status, r.Reasons = del.ID, del.Status, del.Reasons
	switch del.Status {
	case notice.StatusSuppressed:
	case notice.StatusPending:
		r.Status, r.Channels, r.SendAt = notice.StatusPending, del.Channels, del.DueAt
	default:
		// Raised earlier and since sent, read, …: it was accepted.
		r.Status, r.Channels = notice.StatusPending, del.Channels
	}
}

func countResults(results []Result) map[string]int {
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	return counts
}

// checkData renders every template of the type with data (and the
// center's variables), so an event whose data a template cannot be filled
// from is refused before anything is written.
func checkData(t notice.Type, field string, data map[string]any) error {
	vars := notice.Vars(data, "https://link", "https://preferences", "https://unsubscribe", "name")
	for _, lang := range slices.Sorted(maps.Keys(t.Templates)) {
		for _, ch := range slices.Sorted(maps.Keys(t.Templates[lang])) {
			if _, err := notice.Render(t, lang, ch, vars); err != nil {
				var fe *tenant.FieldError
				if errors.As(err, &fe) {
					return &tenant.FieldError{Field: field, Reason: fe.Reason}
				}
				return err
			}
		}
	}
	return nil
}

// merged is a over b's keys, as a new map.
func merged(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

func withoutRecipientData(data map[string]any) map[string]any {
	out := maps.Clone(data)
	delete(out, recipientData)
	return out
}

// EventData is the data a delivery's templates are filled from: the
// event's, with what its recipient brought of its own over it.
func EventData(ev notice.Event, personaID string) map[string]any {
	own, _ := ev.Data[recipientData].(map[string]any)
	mine, _ := own[personaID].(map[string]any)
	data := withoutRecipientData(ev.Data)
	maps.Copy(data, mine)
	return data
}

// Event returns one of the tenant's events as it was raised.
func (s *Service) Event(ctx context.Context, tenantID, id string) (notice.Event, error) {
	ev, err := s.db.NotifyEvent(ctx, tenantID, id)
	if err != nil {
		return ev, err
	}
	ev.Data = withoutRecipientData(ev.Data)
	return ev, nil
}

// duplicateByKey answers a raise whose key another raise took first.
func (s *Service) duplicateByKey(ctx context.Context, tenantID string, in RaiseInput) (Raised, error) {
	first, err := s.db.NotifyEventByKey(ctx, tenantID, in.IdempotencyKey)
	if err != nil {
		return Raised{}, err
	}
	return s.duplicate(ctx, first, in)
}

// duplicate answers a raise with a key used before, from what the first one
// wrote: its event and deliveries. Recipients are matched to personas again
// (reading only) to give each its result in the order given.
func (s *Service) duplicate(ctx context.Context, first notice.Event, in RaiseInput) (Raised, error) {
	out := Raised{Event: first, Duplicate: true, Counts: map[string]int{}}
	out.Event.Data = withoutRecipientData(first.Data)
	if in.All {
		return out, nil
	}
	byPersona := map[string]notice.Delivery{}
	page := store.Page{Limit: store.MaxPageSize}
	for {
		ds, err := s.db.Deliveries(ctx, first.TenantID, store.DeliveryFilter{EventID: first.ID}, page)
		if err != nil {
			return Raised{}, err
		}
		for _, d := range ds {
			byPersona[d.PersonaID] = d
		}
		if len(ds) < page.Limit {
			break
		}
		page.After = ds[len(ds)-1].ID
	}
	recipients := in.Recipients
	if in.To != nil {
		recipients = []Recipient{{To: *in.To}}
	}
	res, err := s.resolve(ctx, first.TenantID, recipients)
	if err != nil {
		return Raised{}, err
	}
	for i := range res.results {
		r := &res.results[i]
		if r.Status == StatusRejected {
			continue
		}
		del, ok := byPersona[r.PersonaID]
		if !ok {
			r.Status, r.Error, r.PersonaID = StatusRejected, "not among the recipients when this key was first used", ""
			continue
		}
		fillResult(r, del)
	}
	out.Results, out.Counts = res.results, countResults(res.results)
	return out, nil
}
