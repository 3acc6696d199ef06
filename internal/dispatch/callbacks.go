package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// maxCallbackAttempts is how many calls a callback gets before it is done.
const maxCallbackAttempts = 3

// callbackWork is the id of a callback's n-th (1-based) attempt's work item:
// RecordAttempt finds the item from the callback alone.
func callbackWork(callbackID string, n int) string { return callbackID + "." + strconv.Itoa(n) }

func viewOf(r store.CallbackRecord) CallbackView {
	v := CallbackView{ID: r.ID, PersonaID: r.PersonaID, ConversationID: r.ConversationID, QueueID: r.QueueID, Phone: r.Phone,
		TimeZone: r.TimeZone, State: r.State, Outcome: r.Outcome, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Attempts: []Attempt{}}
	json.Unmarshal(r.Attempts, &v.Attempts)
	return v
}

// window reads a callback window: RFC 3339, or local wall-clock times in
// zone; both empty means the next hour; NotAfter alone starts now,
// NotBefore alone lasts an hour.
func window(now time.Time, notBefore, notAfter, zone string) (from, to time.Time, err error) {
	loc := time.UTC
	if zone != "" {
		if loc, err = time.LoadLocation(zone); err != nil || zone == "Local" {
			return from, to, field("time_zone", fmt.Sprintf("unknown time zone %q", zone))
		}
	}
	parse := func(name, s string) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				if zone == "" {
					return t, field(name, "a local time needs time_zone (or give an RFC 3339 time with its offset)")
				}
				return t, nil
			}
		}
		return time.Time{}, field(name, "must be an RFC 3339 time or a local time like 2026-11-26T14:00 with time_zone")
	}
	switch {
	case notBefore == "" && notAfter == "":
		return now, now.Add(time.Hour), nil
	case notBefore == "":
		from = now
	default:
		if from, err = parse("not_before", notBefore); err != nil {
			return
		}
	}
	if notAfter == "" {
		to = from.Add(time.Hour)
	} else if to, err = parse("not_after", notAfter); err != nil {
		return
	}
	switch {
	case !to.After(from):
		return from, to, field("not_after", "must be after not_before")
	case !to.After(now):
		return from, to, field("not_after", "the window is over already")
	case to.Sub(now) > 30*24*time.Hour:
		return from, to, field("not_after", "must be within 30 days")
	}
	if from.Before(now) {
		from = now
	}
	return from.UTC(), to.UTC(), nil
}

func (s *Service) requestCallback(ctx context.Context, a Actor, r CallbackRequest) (CallbackView, error) {
	now := s.clock.Now()
	from, to, err := window(now, r.NotBefore, r.NotAfter, r.TimeZone)
	if err != nil {
		return CallbackView{}, err
	}
	var conv conversation.Conversation
	if r.ConversationID != "" {
		if conv, err = s.db.Conversation(ctx, a.TenantID, r.ConversationID); err != nil {
			return CallbackView{}, err
		}
		if r.PersonaID == "" {
			r.PersonaID = conv.PersonaID
		}
	}
	if r.PersonaID == "" && r.Phone == "" {
		return CallbackView{}, field("phone", "give a phone number, a persona_id or a conversation_id")
	}
	if r.Phone != "" {
		if r.Phone, err = persona.E164(r.Phone); err != nil {
			return CallbackView{}, field("phone", "must be a phone number in international form, e.g. +442079460958")
		}
	}
	if r.PersonaID != "" {
		p, err := s.db.Persona(ctx, a.TenantID, r.PersonaID)
		if err != nil {
			return CallbackView{}, err
		}
		if r.Phone == "" {
			for _, id := range p.Identifiers {
				if id.Kind == persona.KindPhone {
					r.Phone = id.Value
					break
				}
			}
			if r.Phone == "" {
				return CallbackView{}, field("phone", "the customer has no phone number; give one")
			}
		}
	}
	qs, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return CallbackView{}, err
	}
	if r.QueueID == "" {
		q, ok := chooseQueue(qs, conv)
		if !ok {
			return CallbackView{}, field("queue_id", "no default queue; name one")
		}
		r.QueueID = q.ID
	} else if !slices.ContainsFunc(qs, func(q QueueConfig) bool { return q.ID == r.QueueID }) {
		return CallbackView{}, field("queue_id", "no such queue")
	}
	rec := store.CallbackRecord{ID: ids.New(), TenantID: a.TenantID, PersonaID: r.PersonaID, ConversationID: r.ConversationID,
		QueueID: r.QueueID, Phone: r.Phone, TimeZone: r.TimeZone, State: CallbackWaiting, NotBefore: from, NotAfter: to,
		Attempts: json.RawMessage("[]"), CreatedAt: now, UpdatedAt: now}
	it := callbackItem(rec, 1, now)
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.InsertCallback(ctx, rec); err != nil {
			return err
		}
		if err := insertWork(ctx, tx, a.TenantID, it, now); err != nil {
			return err
		}
		if rec.ConversationID != "" {
			if err := s.inbox.Record(ctx, tx, a, rec.ConversationID, fmt.Sprintf("Callback requested to %s between %s and %s",
				rec.Phone, from.Format(time.RFC3339), to.Format(time.RFC3339))); err != nil {
				return err
			}
		}
		_, err := tx.Emit(ctx, a.TenantID, event.CallbackUpdated, viewOf(rec))
		return err
	})
	if err != nil {
		return CallbackView{}, err
	}
	s.pickUp(ctx, a.TenantID, it.ID)
	return viewOf(rec), nil
}

// callbackItem is the work of a callback's n-th attempt.
func callbackItem(r store.CallbackRecord, n int, now time.Time) *item {
	return &item{Work: routing.Work{ID: callbackWork(r.ID, n), ConversationID: r.ConversationID, Kind: routing.Callback,
		QueueID: r.QueueID, Modality: routing.Voice, Arrived: now, NotBefore: r.NotBefore, NotAfter: r.NotAfter},
		CallbackID: r.ID, state: stateWaiting}
}

// insertWork stores a new item in a transaction.
func insertWork(ctx context.Context, tx *outbox.Tx, tenantID string, it *item, now time.Time) error {
	return tx.InsertWork(ctx, store.WorkRecord{ID: it.ID, TenantID: tenantID, ConversationID: it.ConversationID,
		Kind: string(it.Kind), QueueID: it.QueueID, Modality: string(it.Modality), Priority: it.Priority, State: it.state,
		AgentID: it.agent, Data: mustJSON(it), ArrivedAt: it.Arrived, UpdatedAt: now})
}

// pickUp tells the leader to (re)read work items from SQL. They are stored
// already: a leader that does not answer finds them when it rebuilds.
func (s *Service) pickUp(ctx context.Context, tenantID string, workIDs ...string) {
	for _, id := range workIDs {
		if _, err := s.request(ctx, command{Kind: cmdWork, TenantID: tenantID, WorkID: id}); err != nil {
			s.log.Warn("hand work to the routing leader", "tenant_id", tenantID, "work_id", id, "err", err)
		}
	}
}

func (s *Service) callbacks(ctx context.Context, tenantID, state string, page store.Page) ([]CallbackView, error) {
	recs, err := s.db.Callbacks(ctx, tenantID, state, page)
	if err != nil {
		return nil, err
	}
	out := make([]CallbackView, 0, len(recs))
	for _, r := range recs {
		out = append(out, viewOf(r))
	}
	return out, nil
}

func (s *Service) callback(ctx context.Context, tenantID, id string) (CallbackView, error) {
	r, err := s.db.Callback(ctx, tenantID, id)
	if err != nil {
		return CallbackView{}, err
	}
	return viewOf(r), nil
}

func (s *Service) recordAttempt(ctx context.Context, a Actor, id, outcome, note string) (CallbackView, error) {
	if !slices.Contains(Outcomes, outcome) {
		return CallbackView{}, field("outcome", "must be answered, no_answer, busy, voicemail or wrong_number")
	}
	if len(note) > 2000 {
		return CallbackView{}, field("note", "at most 2000 characters")
	}
	now := s.clock.Now()
	var rec store.CallbackRecord
	var next *item
	var ended string
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if rec, err = tx.Callback(ctx, a.TenantID, id); err != nil {
			return err
		}
		if rec.State != CallbackInProgress && rec.State != CallbackOffered && rec.State != CallbackWaiting {
			return field("outcome", "the callback is "+rec.State+" already")
		}
		v := viewOf(rec)
		n := len(v.Attempts) + 1
		ended = callbackWork(rec.ID, n)
		if err := tx.MoveWork(ctx, a.TenantID, ended, []string{stateAssigned, stateOffered, stateWaiting}, stateFinished,
			a.UserID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		v.Attempts = append(v.Attempts, Attempt{At: now, AgentID: a.UserID, Outcome: outcome, Note: note})
		rec.Attempts, rec.UpdatedAt = mustJSON(v.Attempts), now
		switch {
		case outcome == "answered" || outcome == "wrong_number":
			rec.State, rec.Outcome = CallbackDone, outcome
		case n >= maxCallbackAttempts || !now.Before(rec.NotAfter):
			rec.State, rec.Outcome = CallbackDone, outcome
		default:
			rec.State = CallbackWaiting
			next = callbackItem(rec, n+1, now)
			next.NotBefore = now
			if err := insertWork(ctx, tx, a.TenantID, next, now); err != nil {
				return err
			}
		}
		if err := tx.UpdateCallback(ctx, rec); err != nil {
			return err
		}
		if rec.ConversationID != "" {
			if err := s.inbox.Record(ctx, tx, a, rec.ConversationID, "Callback attempt: "+outcome); err != nil {
				return err
			}
		}
		_, err = tx.Emit(ctx, a.TenantID, event.CallbackUpdated, viewOf(rec))
		return err
	})
	if err != nil {
		return CallbackView{}, err
	}
	ids := []string{ended}
	if next != nil {
		ids = append(ids, next.ID)
	}
	s.pickUp(ctx, a.TenantID, ids...)
	return viewOf(rec), nil
}

// callbackState moves a callback along with its work item, in the item's
// transaction.
func (l *leader) callbackState(ctx context.Context, tx *outbox.Tx, ts *tenantState, it *item, state, outcome string) error {
	if it == nil || it.CallbackID == "" {
		return nil
	}
	rec, err := tx.Callback(ctx, ts.id, it.CallbackID)
	if err != nil {
		return err
	}
	if rec.State == state || rec.State == CallbackDone || rec.State == CallbackExpired {
		return nil
	}
	rec.State, rec.UpdatedAt = state, l.s.clock.Now()
	if outcome != "" {
		rec.Outcome = outcome
	}
	if err := tx.UpdateCallback(ctx, rec); err != nil {
		return err
	}
	_, err = tx.Emit(ctx, ts.id, event.CallbackUpdated, viewOf(rec))
	return err
}

// chooseQueue picks a conversation's queue among a tenant's: the one named
// after its team, else one listing its channel, else the default.
func chooseQueue(qs []QueueConfig, c conversation.Conversation) (QueueConfig, bool) {
	var byChannel, def *QueueConfig
	for i := range qs {
		q := &qs[i]
		if c.Team != "" && q.Name == c.Team {
			return *q, true
		}
		if c.Channel != "" && slices.Contains(q.Channels, c.Channel) && (byChannel == nil || q.Name < byChannel.Name) {
			byChannel = q
		}
		if q.Default {
			def = q
		}
	}
	if byChannel != nil {
		return *byChannel, true
	}
	if def != nil {
		return *def, true
	}
	return QueueConfig{}, false
}

func (s *Service) escalate(ctx context.Context, a Actor, conversationID string, m routing.Modality) error {
	_, err := s.escalateWork(ctx, a, conversationID, m, "", "")
	return err
}

// escalateWork stores and routes a voice or video item for the conversation:
// in queueID when given (else the conversation's), preferring agentID when
// given (else the conversation's assignee). It returns the item's id.
func (s *Service) escalateWork(ctx context.Context, a Actor, conversationID string, m routing.Modality, agentID, queueID string) (string, error) {
	if m != routing.Voice && m != routing.Video {
		return "", field("modality", "must be voice or video")
	}
	c, err := s.db.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return "", err
	}
	if c.Status != conversation.StatusOpen {
		return "", field("conversation_id", "the conversation is "+string(c.Status)+"; reopen it first")
	}
	active, err := s.db.ActiveWorkFor(ctx, a.TenantID, c.ID)
	if err != nil {
		return "", err
	}
	given := queueID
	for _, w := range active {
		if w.Kind == string(routing.Escalation) && w.Modality == string(m) {
			return "", fmt.Errorf("a %s session is already being routed for this conversation: %w", m, store.ErrConflict)
		}
		if w.Kind == string(routing.Conversation) && queueID == "" {
			queueID = w.QueueID
		}
	}
	qs, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return "", err
	}
	var q QueueConfig
	for _, x := range qs {
		if x.ID == queueID {
			q = x
		}
	}
	if q.ID == "" && given != "" {
		return "", field("queue_id", "no such queue")
	}
	if q.ID == "" {
		var ok bool
		if q, ok = chooseQueue(qs, c); !ok {
			return "", field("conversation_id", "no queue routes this conversation")
		}
	}
	now := s.clock.Now()
	it := &item{Work: routing.Work{ID: ids.New(), ConversationID: c.ID, Kind: routing.Escalation, QueueID: q.ID, Modality: m,
		Priority: int(c.Priority), Arrived: now, Preferred: c.AssigneeID, PreferredFor: q.lastAgent()}, state: stateWaiting}
	if agentID != "" {
		it.Preferred = agentID
	}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := insertWork(ctx, tx, a.TenantID, it, now); err != nil {
			return err
		}
		return s.inbox.Record(ctx, tx, a, c.ID, fmt.Sprintf("Escalation to %s requested", m))
	})
	if err != nil {
		return "", err
	}
	s.pickUp(ctx, a.TenantID, it.ID)
	return it.ID, nil
}

// pickUpWork (the leader) reads an item from SQL: a new one is routed, a
// known one resynchronised.
func (l *leader) pickUpWork(ctx context.Context, c command) error {
	ts := l.tenants[c.TenantID]
	if ts == nil {
		return nil // not this database's tenant (command() has read every other)
	}
	if it := ts.work[c.WorkID]; it != nil {
		l.resync(ctx, ts, it)
		return nil
	}
	w, err := l.s.db.Work(ctx, c.TenantID, c.WorkID)
	if err != nil {
		return err
	}
	l.restore(ctx, w, map[string]store.OfferRecord{})
	return nil
}

// CallbackHolder returns the agent who holds a callback's current attempt
// (its work item assigned to her), or ErrNotFound when nobody does: the
// agent who may dial it.
func (s *Service) CallbackHolder(ctx context.Context, tenantID, id string) (string, error) {
	r, err := s.db.Callback(ctx, tenantID, id)
	if err != nil {
		return "", err
	}
	w, err := s.db.Work(ctx, tenantID, callbackWork(r.ID, len(viewOf(r).Attempts)+1))
	if err != nil {
		return "", err
	}
	if w.State != stateAssigned || w.AgentID == "" {
		return "", fmt.Errorf("callback %s is not held by an agent: %w", id, store.ErrNotFound)
	}
	return w.AgentID, nil
}
