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
