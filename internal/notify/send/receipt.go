package send

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
//
// A receipt can beat the send's answer: the provider posts its status
// callback while the sender has not yet written the provider's id (it
// writes outcomes in batches). Such a receipt is kept (the table inbox keeps
// conversation replies' early receipts in) and applied by the sender when
// it records the id (takeEarly). The delivery is looked for again after
// keeping it, in case the sender recorded the id in between: whichever of
// the two deletes the kept row applies it, so it is applied once.
func (s *Sender) Receipt(ctx context.Context, tenantID, ch, externalID, status string) error {
	d, err := s.db.DeliveryByExternalID(ctx, tenantID, ch, externalID)
	statuses := []string{status}
	if errors.Is(err, store.ErrNotFound) {
		if err := s.db.KeepEarlyReceipt(ctx, tenantID, ch, externalID, status, s.clock.Now()); err != nil {
			return fmt.Errorf("receipt for %s: %w", externalID, err)
		}
		if d, err = s.db.DeliveryByExternalID(ctx, tenantID, ch, externalID); errors.Is(err, store.ErrNotFound) {
			s.log.Debug("receipt for a message not recorded yet: kept", slog.String("tenant_id", tenantID), slog.String("channel", ch))
			return nil
		}
		statuses = nil // the kept row is this receipt now: applied by whoever takes it
	}
	if err != nil {
		return fmt.Errorf("receipt for %s: %w", externalID, err)
	}
	// What was kept for the message: this receipt's own row (above), or a
	// copy inbox kept, not knowing the id as a conversation's.
	kept, err := s.db.TakeEarlyReceipts(ctx, tenantID, ch, externalID)
	if err != nil {
		return fmt.Errorf("receipt for %s: %w", externalID, err)
	}
	return s.applyReceipts(ctx, d, append(statuses, kept...))
}

// takeEarly applies the receipts kept for the provider ids a batch of
// updates just recorded: those that arrived before the sender heard the
// provider's answer. It runs after the batch committed, so a receipt kept
// after this takes finds the id when it looks again (Receipt). Its errors
// are logged, not returned: the batch is written and must not be written
// again over what the receipts moved.
func (s *Sender) takeEarly(ctx context.Context, ups []store.DeliveryUpdate) {
	var keys []store.EarlyReceiptKey
	for _, u := range ups {
		if u.ExternalID != "" && (u.Status == notice.StatusSent || u.Status == notice.StatusDelivered) {
			keys = append(keys, store.EarlyReceiptKey{TenantID: u.TenantID, Channel: u.Channel, ExternalID: u.ExternalID})
		}
	}
	if len(keys) == 0 {
		return
	}
	kept, err := s.db.TakeEarlyReceiptsFor(ctx, keys)
	if err != nil {
		s.log.Error("receipts that beat the sends' answers are left to the retention job", "n", len(keys), "err", err)
		return
	}
	for k, statuses := range kept {
		d, err := s.db.DeliveryByExternalID(ctx, k.TenantID, k.Channel, k.ExternalID)
		if err == nil {
			err = s.applyReceipts(ctx, d, statuses)
		}
		if err != nil {
			s.log.Error("apply a receipt that beat the send's answer", "tenant_id", k.TenantID, "channel", k.Channel,
				"statuses", statuses, "err", err)
		}
	}
}

// receiptOrder is the order several receipts about one message are applied
// in: how far each takes a delivery. Statuses not listed change nothing.
var receiptOrder = map[string]int{ReceiptDelivered: 1, ReceiptRead: 2, ReceiptFailed: 3, "undelivered": 3}

// applyReceipts applies statuses to d, each once, furthest last: a failure
// after a delivered or read changes nothing (Receipted).
func (s *Sender) applyReceipts(ctx context.Context, d notice.Delivery, statuses []string) error {
	statuses = slices.DeleteFunc(slices.Clone(statuses), func(st string) bool { return receiptOrder[st] == 0 })
	slices.SortFunc(statuses, func(a, b string) int { return receiptOrder[a] - receiptOrder[b] })
	statuses = slices.Compact(statuses)
	for i, st := range statuses {
		if i > 0 { // the one before moved it on
			var err error
			if d, err = s.db.DeliveryByExternalID(ctx, d.TenantID, d.Channel, d.ExternalID); err != nil {
				return fmt.Errorf("receipt for %s: %w", d.ExternalID, err)
			}
		}
		if err := s.applyReceipt(ctx, d, st); err != nil {
			return fmt.Errorf("receipt for %s: %w", d.ExternalID, err)
		}
	}
	return nil
}

// applyReceipt applies one provider status to the delivery it is about.
func (s *Sender) applyReceipt(ctx context.Context, d notice.Delivery, status string) error {
	tenantID, now := d.TenantID, s.clock.Now()
	if status == ReceiptRead && s.notify != nil && (d.Status == notice.StatusSent || d.Status == notice.StatusDelivered) {
		// The service records a read with what goes with it (the response hour).
		if _, err := s.notify.MarkRead(ctx, tenantID, d.ID); err != nil {
			return err
		}
		return nil
	}
	var t notice.Type
	var set notice.Settings
	if status == ReceiptFailed || status == "undelivered" {
		tn, err := s.tenants.get(ctx, tenantID, now)
		if err != nil {
			return err
		}
		t, set = tn.types[d.Type], tn.settings
	}
	u, ok := Receipted(d, status, t, set, now)
	if !ok {
		s.log.Debug("receipt changes nothing", slog.String("tenant_id", tenantID), slog.String("delivery_id", d.ID),
			slog.String("status", status), slog.String("delivery_status", d.Status))
		return nil
	}
	return s.db.UpdateDeliveries(ctx, []store.DeliveryUpdate{u})
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
