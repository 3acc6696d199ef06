package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Deliverer is the River worker that sends queued outbound messages through
// their channel, records the outcome on the timeline, and retries with backoff.
type Deliverer struct {
	river.WorkerDefaults[DeliverArgs]
	core
	health   sendHealth
	bulkhead *channel.Bulkhead // nil: no share per channel
}

// ShareWorkers bounds each channel's sends in flight on this node, given
// the node's job workers: never more than all but a quarter of them (the
// reserve no channel takes), and half once the channel is slow (none of its
// sends finished for SlowAfter). A provider that hangs holds at most that
// many workers, and the other channels' messages and the node's other jobs
// keep going; a healthy channel's burst of replies may use the rest. Call it
// before the queue starts.
func (d *Deliverer) ShareWorkers(workers int) {
	if workers <= 0 {
		return // the queue's default, unknown here: no bound
	}
	d.bulkhead = channel.NewBulkhead(workers-max(1, workers/4), workers/2, SlowAfter)
}

// SlowAfter is how long a channel goes without a send finishing before it
// counts as slow.
const SlowAfter = 5 * time.Second

// BusyRetry is how long a message waits when its channel has reached its
// bound (ShareWorkers); it uses up no try.
const BusyRetry = 2 * time.Second

// NewDeliverer returns the delivery worker. It is registered with the job
// queue before the service (which needs the queue) exists.
func NewDeliverer(db *store.DB, out *outbox.Outbox, channels *channel.Registry, clk clock.Clock, log *slog.Logger) *Deliverer {
	return &Deliverer{core: core{db: db, out: out, channels: channels, clock: clk, log: log}}
}

// ThrottledFor is how long after a message was written a provider's "retry
// after" is still obeyed without using up a try; past it, throttled sends count
// as failures, so a provider that throttles for ever cannot hold a message for
// ever.
const ThrottledFor = 24 * time.Hour

// throttledWait is the wait a send's provider asked for (channel.RetryAfter),
// while the message is younger than ThrottledFor.
func throttledWait(err error, written, now time.Time) (time.Duration, bool) {
	wait, ok := channel.RetryAfter(err)
	if !ok || errors.Is(err, channel.ErrPermanent) || now.Sub(written) >= ThrottledFor {
		return 0, false
	}
	return wait, true
}

// HeldRetry is how long a message held back (its tenant is suspended) waits
// before it asks again: what was held leaves this soon after a resume.
const HeldRetry = 10 * time.Second

// Work sends one message.
func (d *Deliverer) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s, args := &d.core, job.Args
	m, err := s.db.Message(ctx, args.TenantID, args.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("message %s is gone", args.MessageID))
	}
	if err != nil {
		return err
	}
	if m.Status != conversation.DeliveryQueued && m.Status != conversation.DeliveryFailed {
		return nil // sent already: a retry after the send succeeded but the job did not complete
	}
	if !d.bulkhead.Enter(m.Channel, s.clock.Now()) {
		return river.JobSnooze(BusyRetry) // the channel has its share in flight: leave the workers to the others
	}
	defer func() { d.bulkhead.Leave(m.Channel, s.clock.Now()) }()
	if job.Attempt > 1 {
		// An earlier try of this job that began handing the message to a
		// channel without idempotency (email) and never recorded how it
		// went (its node died mid-send; the job was rescued): it may have
		// gone, and cannot be asked. Sent, not sent again.
		try, err := s.db.MessageHandedOver(ctx, m.TenantID, m.ID)
		if err != nil {
			return err
		}
		if earlierTry(try, job.ID, job.Attempt) {
			s.log.Warn("message delivery taken over after its try began handing it over: recorded as sent, unconfirmed, not sent again",
				"tenant_id", m.TenantID, "message_id", m.ID, "channel", m.Channel, "attempt", job.Attempt, "try", try)
			return s.recordDelivery(ctx, m, conversation.DeliverySent, "", "")
		}
	}
	out, ch, err := s.outbound(ctx, m)
	out.Resend, out.Written = job.Attempt > 1, m.CreatedAt // a try before may have reached the provider
	marked := false
	out.HandOver = func(ctx context.Context) error {
		marked = true
		return s.db.MarkMessageHandedOver(ctx, m.TenantID, m.ID, handOverTry(job.ID, job.Attempt))
	}
	if err == nil {
		var sent channel.Sent
		sent, err = ch.Send(ctx, out)
		if err != nil && marked {
			// The channel answered: the try failed after the mark, and the
			// next one sends again as before. The mark is cleared, or the
			// next try would take this failure for a send.
			if cerr := s.db.MarkMessageHandedOver(context.WithoutCancel(ctx), m.TenantID, m.ID, ""); cerr != nil && !errors.Is(cerr, store.ErrNotFound) {
				return fmt.Errorf("%w (and clearing its hand-over mark: %w)", err, cerr)
			}
		}
		if !errors.Is(err, channel.ErrHeld) { // a held send never reached the channel: no news of its health
			d.health.record(ctx, s.db, s.log, m.TenantID, m.Channel, err, s.clock.Now())
		}
		if err == nil {
			if sent.Status == "" {
				sent.Status = conversation.DeliverySent
			}
			return s.recordDelivery(ctx, m, sent.Status, sent.ExternalID, "")
		}
	}
	if errors.Is(err, channel.ErrHeld) { // the tenant is suspended: keep it, without using up a try
		s.log.Info("message delivery held", "tenant_id", m.TenantID, "message_id", m.ID, "channel", m.Channel, "retry_in", HeldRetry)
		return river.JobSnooze(HeldRetry)
	}
	if wait, ok := throttledWait(err, m.CreatedAt, s.clock.Now()); ok {
		s.log.Info("message delivery throttled by the provider", "tenant_id", m.TenantID, "message_id", m.ID,
			"channel", m.Channel, "retry_in", wait, "err", err)
		return river.JobSnooze(wait)
	}
	final := errors.Is(err, channel.ErrPermanent) || job.Attempt >= job.MaxAttempts
	s.log.Warn("message delivery failed", "tenant_id", m.TenantID, "message_id", m.ID, "channel", m.Channel,
		"attempt", job.Attempt, "final", final, "err", err)
	if final {
		if rerr := s.recordDelivery(ctx, m, conversation.DeliveryFailed, "", failureReason(err)); rerr != nil {
			return rerr
		}
		return river.JobCancel(err)
	}
	return err
}

// handOverTry names a delivery job's try in a message's hand-over mark.
func handOverTry(jobID int64, attempt int) string {
	return strconv.FormatInt(jobID, 10) + "." + strconv.Itoa(attempt)
}

// earlierTry reports whether the mark try was made by an earlier attempt of
// the same job than attempt; a mark of another job (an agent's Retry after
// a failure) is not.
func earlierTry(try string, jobID int64, attempt int) bool {
	id, n, ok := strings.Cut(try, ".")
	if !ok || id != strconv.FormatInt(jobID, 10) {
		return false
	}
	a, err := strconv.Atoi(n)
	return err == nil && a < attempt
}

// outbound assembles what the channel needs to send m.
func (s *core) outbound(ctx context.Context, m conversation.Message) (channel.Outbound, channel.Channel, error) {
	ch, ok := s.channels.Get(m.Channel)
	if !ok {
		return channel.Outbound{}, nil, fmt.Errorf("channel %q is not running on this node: %w", m.Channel, channel.ErrPermanent)
	}
	c, err := s.db.Conversation(ctx, m.TenantID, m.ConversationID)
	if err != nil {
		return channel.Outbound{}, nil, err
	}
	p, err := s.db.Persona(ctx, m.TenantID, c.PersonaID)
	if err != nil {
		return channel.Outbound{}, nil, err
	}
	to, ok := addressOn(p, ch.Capabilities().Identifier)
	if !ok {
		return channel.Outbound{}, nil, fmt.Errorf("customer has no %s address: %w", ch.Capabilities().Identifier, channel.ErrPermanent)
	}
	out := channel.Outbound{TenantID: m.TenantID, MessageID: m.ID, ConversationID: c.ID, To: to.Value, ToName: p.Name,
		Subject: c.Subject, Body: m.Body, BodyHTML: m.BodyHTML}
	var meta replyMeta
	if len(m.Meta) > 0 && json.Unmarshal(m.Meta, &meta) == nil {
		if meta.Subject != "" {
			out.Subject = meta.Subject
		}
		out.Template = meta.Template
		out.QuickReplies = meta.QuickReplies
	}
	accs, err := s.db.ChannelAccounts(ctx, m.TenantID, m.Channel)
	if err != nil {
		return out, nil, err
	}
	if out.Account, err = s.replyAccount(ctx, m, accs); err != nil {
		return out, nil, err
	}
	if ch.Capabilities().Threading {
		out.ReplyToken = ReplyToken(c.ID)
		if out.ThreadRefs, err = s.db.ExternalIDs(ctx, m.TenantID, c.ID, m.Channel, 20); err != nil {
			return out, nil, err
		}
	}
	for _, a := range m.Attachments {
		att, data, err := s.db.Attachment(ctx, m.TenantID, a.ID)
		if err != nil {
			return out, nil, err
		}
		out.Attachments = append(out.Attachments, channel.File{ID: att.ID, Name: att.Name, ContentType: att.ContentType, ContentID: att.ContentID, Data: data})
	}
	return out, ch, nil
}

// recordDelivery stores a message's delivery state and tells the desktops.
func (s *core) recordDelivery(ctx context.Context, m conversation.Message, status, externalID, failure string) error {
	return s.out.Do(ctx, func(tx *outbox.Tx) error {
		if externalID != "" {
			// Receipts that arrived before this answer (UpdateDelivery kept
			// them): the furthest one is where the message stands.
			early, err := tx.TakeEarlyReceipts(ctx, m.TenantID, m.Channel, externalID)
			if err != nil {
				return err
			}
			for _, st := range early {
				if conversation.DeliveryRank(st) > conversation.DeliveryRank(status) {
					status = st
				}
			}
		}
		if err := tx.SetMessageDelivery(ctx, m.TenantID, m.ID, status, externalID, s.clock.Now()); err != nil {
			return err
		}
		if status == conversation.DeliveryFailed && failure != "" {
			// What failed, why and when stays on the message, for the banner
			// the agent reads and acts on (Retry).
			m.Meta = withFailure(m.Meta, Failure{Reason: failure, At: s.clock.Now()})
			if err := tx.SetMessageMeta(ctx, m.TenantID, m.ID, m.Meta); err != nil {
				return err
			}
		}
		if externalID != "" { // replies quoting our message thread back to its conversation
			if err := tx.AddThreadKey(ctx, m.TenantID, m.Channel, externalID, m.ConversationID); err != nil {
				return err
			}
		}
		m.Status = status
		if externalID != "" {
			m.ExternalID = externalID
		}
		c, err := tx.Conversation(ctx, m.TenantID, m.ConversationID)
		if err != nil {
			return err
		}
		data := struct {
			messageEvent
			Error string `json:"error,omitempty"`
		}{messageEvent{Message: m, Conversation: c}, failure}
		_, err = tx.Emit(ctx, m.TenantID, event.MessageUpdated, data)
		return err
	})
}

// UpdateDelivery records a delivery receipt a channel got later (a provider's
// status callback): delivered, read or failed. A receipt for an id no message
// has yet is kept for a day: the send that created it may not have recorded
// the provider's answer yet (the send applies it then), or another system sent
// it (the retention job forgets it).
func (s *Service) UpdateDelivery(ctx context.Context, tenantID, ch, externalID, status string) error {
	m, err := s.db.MessageByExternalID(ctx, tenantID, ch, externalID)
	if errors.Is(err, store.ErrNotFound) {
		// The receipt may have beaten the send's answer (the send records the
		// provider's id after it hears back): kept for the send to apply.
		// Looked for again after keeping it, in case the send recorded the id
		// in between and took the kept receipts before this one was kept.
		if err := s.db.KeepEarlyReceipt(ctx, tenantID, ch, externalID, status, s.clock.Now()); err != nil {
			return err
		}
		if m, err = s.db.MessageByExternalID(ctx, tenantID, ch, externalID); errors.Is(err, store.ErrNotFound) {
			s.log.Debug("delivery receipt for a message not known yet: kept", slog.String("tenant_id", tenantID), slog.String("channel", ch))
			return nil
		}
		if err == nil {
			if _, err = s.db.TakeEarlyReceipts(ctx, tenantID, ch, externalID); err != nil {
				return err
			}
		}
	}
	if err != nil {
		return err
	}
	if conversation.DeliveryRank(status) <= conversation.DeliveryRank(m.Status) { // receipts arrive out of order; never go back
		return nil
	}
	return s.recordDelivery(ctx, m, status, "", "")
}
