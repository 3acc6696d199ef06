package send

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Receipt statuses a channel reports after the send.
const (
	ReceiptDelivered = "delivered"
	ReceiptRead      = "read"
	ReceiptFailed    = "failed"
)

// errUndelivered is a provider's word that a sent message did not arrive:
// the channel is given up at once.
var errUndelivered = fmt.Errorf("the provider reported the message undelivered: %w", channel.ErrPermanent)

// Receipt records what a channel's provider reported later about a message
// it sent (externalID): delivered or read move a delivery forward only,
// never back; failed moves it to its next channel, or fails it when none is
// left. Messages that are not notifications are ignored: providers report on
// every message, and conversation replies are inbox's.
func (s *Sender) Receipt(ctx context.Context, tenantID, ch, externalID, status string) error {
	d, err := s.db.DeliveryByExternalID(ctx, tenantID, ch, externalID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("receipt for %s: %w", externalID, err)
	}
	now := s.clock.Now()
	if status == ReceiptRead && s.notify != nil && (d.Status == notice.StatusSent || d.Status == notice.StatusDelivered) {
		// The service records a read with what goes with it (the response hour).
		if _, err := s.notify.MarkRead(ctx, tenantID, d.ID); err != nil {
			return fmt.Errorf("receipt for %s: %w", externalID, err)
		}
		return nil
	}
	var t notice.Type
	var set notice.Settings
	if status == ReceiptFailed || status == "undelivered" {
		tn, err := s.tenants.get(ctx, tenantID, now)
		if err != nil {
			return fmt.Errorf("receipt for %s: %w", externalID, err)
		}
		t, set = tn.types[d.Type], tn.settings
	}
	u, ok := Receipted(d, status, t, set, now)
	if !ok {
		s.log.Debug("receipt changes nothing", slog.String("tenant_id", tenantID), slog.String("delivery_id", d.ID),
			slog.String("status", status), slog.String("delivery_status", d.Status))
		return nil
	}
	if err := s.db.UpdateDeliveries(ctx, []store.DeliveryUpdate{u}); err != nil {
		return fmt.Errorf("receipt for %s: %w", externalID, err)
	}
	return nil
}

// Receipted is the update a provider's receipt makes to a delivery, if any:
// delivered after sent, read after sent or delivered, and failed (or
// undelivered) of a sent delivery moves it on as a permanent failure of its
// channel would. Anything else changes nothing — a late or repeated receipt
// never moves a delivery back.
func Receipted(d notice.Delivery, status string, t notice.Type, s notice.Settings, now time.Time) (store.DeliveryUpdate, bool) {
	u := base(d, now)
	switch status {
	case ReceiptDelivered:
		if d.Status != notice.StatusSent {
			return store.DeliveryUpdate{}, false
		}
		u.Status = notice.StatusDelivered // and no confirmation deadline any more
		return u.step(notice.StatusDelivered, d.Channel, "delivered on "+d.Channel+" (provider receipt)"), true
	case ReceiptRead:
		if d.Status != notice.StatusSent && d.Status != notice.StatusDelivered {
			return store.DeliveryUpdate{}, false
		}
		u.Status = notice.StatusRead
		return u.step(notice.StatusRead, d.Channel, "read on "+d.Channel+" (provider receipt)"), true
	case ReceiptFailed, "undelivered":
		if d.Status != notice.StatusSent {
			return store.DeliveryUpdate{}, false
		}
		return Next(d, Outcome{Err: errUndelivered}, t, s, now), true
	}
	return store.DeliveryUpdate{}, false
}
