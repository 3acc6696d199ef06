package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// PublishEvent sends ev on its tenant's subject, where every node's realtime hub
// and webhook dispatcher hear it.
func (b *Bus) PublishEvent(ctx context.Context, ev event.Event) error {
	if err := validTenantToken(ev.TenantID); err != nil {
		return fmt.Errorf("publish event %s: %w", ev.ID, err)
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("publish event %s: %w", ev.ID, err)
	}
	return b.Publish(ctx, event.Subject(ev.TenantID), data)
}

// SubscribeEvents calls handler with every tenant's events, in the order this
// node receives them. A message whose body names a different tenant than its
// subject is dropped: the subject is what routing trusts, and a mismatch would let
// one tenant's event reach another's clients.
func (b *Bus) SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error) {
	prefix := strings.TrimSuffix(event.SubjectAll, "*")
	return b.Subscribe(event.SubjectAll, func(subject string, data []byte) {
		ev, err := b.decoded.decode(data)
		if err != nil {
			b.log.Warn("dropping undecodable event", "subject", subject, "err", err)
			return
		}
		if tenant := strings.TrimPrefix(subject, prefix); tenant != ev.TenantID {
			b.log.Error("dropping event whose tenant does not match its subject",
				"tenant_id", tenant, "event_id", ev.ID)
			return
		}
		handler(ev)
	})
}

// validTenantToken refuses tenant ids that would change the subject's shape
// ("a.b" would be two tokens, "*" and ">" are wildcards).
func validTenantToken(id string) error {
	if id == "" {
		return errors.New("empty tenant id")
	}
	if strings.ContainsAny(id, ".*> \t\r\n") {
		return fmt.Errorf("tenant id %q is not a valid subject token", id)
	}
	return nil
}
