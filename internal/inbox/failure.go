package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Failure is why an outbound message was given up on, kept in its meta
// (meta.delivery_failure) so the agent's banner can say what failed, why and
// when, and offer Retry.
type Failure struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// metaFailureKey is where a message's meta keeps its Failure.
const metaFailureKey = "delivery_failure"

// maxReason bounds a failure's reason as stored: a provider's answer can be long.
const maxReason = 500

// failureReason is the error a send ended with, as agents and admins read it.
func failureReason(err error) string {
	return truncate(err.Error(), maxReason)
}

// withFailure returns meta with f set; meta that is not a JSON object is replaced.
func withFailure(meta json.RawMessage, f Failure) json.RawMessage {
	m := map[string]any{}
	if len(meta) > 0 && json.Unmarshal(meta, &m) != nil {
		m = map[string]any{}
	}
	m[metaFailureKey] = f
	b, _ := json.Marshal(m) // strings and times always encode
	return b
}

// withoutFailure returns meta without its Failure, keeping the rest.
func withoutFailure(meta json.RawMessage) json.RawMessage {
	m := map[string]any{}
	if len(meta) == 0 || json.Unmarshal(meta, &m) != nil {
		return meta
	}
	delete(m, metaFailureKey)
	b, _ := json.Marshal(m)
	return b
}

// ErrNotRetryable is a retry of a message that is not an outbound message
// to the customer (an inbound one, a note, a system line).
var ErrNotRetryable = errors.New("only a message to the customer can be sent again")

// RetryDelivery sends a failed outbound message again: it goes back to
// queued, its failure is cleared, and a delivery job is enqueued in the same
// transaction. A message that is not failed (sent meanwhile, or already
// retried) is returned as it is, with retried false: a double click sends
// once. Another tenant's message is store.ErrNotFound.
func (s *Service) RetryDelivery(ctx context.Context, a Actor, messageID string) (m conversation.Message, retried bool, err error) {
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if m, err = tx.Message(ctx, a.TenantID, messageID); err != nil {
			return err
		}
		if m.Kind != conversation.KindMessage || m.Direction != conversation.Outbound {
			return &tenant.FieldError{Field: "message", Reason: ErrNotRetryable.Error()}
		}
		if m.Status != conversation.DeliveryFailed {
			return nil
		}
		meta := withoutFailure(m.Meta)
		if retried, err = tx.RequeueFailedMessage(ctx, a.TenantID, m.ID, meta, s.clock.Now()); err != nil || !retried {
			return err
		}
		m.Status, m.Meta, m.UpdatedAt = conversation.DeliveryQueued, meta, s.clock.Now()
		if err := s.queue.InsertTx(ctx, tx.SQL, DeliverArgs{TenantID: a.TenantID, MessageID: m.ID}, &river.InsertOpts{MaxAttempts: 10}); err != nil {
			return fmt.Errorf("enqueue delivery: %w", err)
		}
		c, err := tx.Conversation(ctx, a.TenantID, m.ConversationID)
		if err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.MessageUpdated, messageEvent{Message: m, Conversation: c})
		return err
	})
	return m, retried, err
}

// sendHealth records each delivery attempt's outcome (store.RecordSend) for
// the channel health the admin and the desktop show. A success right after
// another one is not written again for a while: a busy channel costs one
// write per healthRefresh, not one per message; every failure is written.
type sendHealth struct {
	mu   sync.Mutex
	okAt map[string]time.Time // tenant/channel → when a success was last written
}

const healthRefresh = 30 * time.Second

func (h *sendHealth) record(ctx context.Context, db *store.DB, log *slog.Logger, tenantID, ch string, sendErr error, now time.Time) {
	key := tenantID + "/" + ch
	h.mu.Lock()
	if h.okAt == nil {
		h.okAt = map[string]time.Time{}
	}
	last, wrote := h.okAt[key]
	if sendErr != nil {
		delete(h.okAt, key)
	}
	h.mu.Unlock()
	if sendErr == nil && wrote && now.Sub(last) < healthRefresh {
		return
	}
	reason := ""
	if sendErr != nil {
		reason = failureReason(sendErr)
	}
	if err := db.RecordSend(ctx, tenantID, ch, sendErr == nil, reason, now); err != nil {
		log.Warn("record channel health", "tenant_id", tenantID, "channel", ch, "err", err)
		return
	}
	if sendErr == nil {
		h.mu.Lock()
		h.okAt[key] = now
		h.mu.Unlock()
	}
}
