package webchat

import (
	"context"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// receipt says the visitor's browser got (delivered) or the visitor saw (read)
// the agents' messages of a conversation up to and including upTo.
type receipt struct {
	tenantID, conv, upTo, status string
	attempt                      int
}

// maxReceiptAttempts bounds the wait for a message's send to be recorded.
const maxReceiptAttempts = 8

// receipts records delivery receipts off the sockets' goroutines. A message can
// reach the browser (from its message.created event) before the delivery job
// has recorded it as sent; such a receipt waits and tries again, since the
// job's "sent" would otherwise overwrite it.
type receipts struct {
	ch    *Channel
	queue chan receipt
}

func newReceipts(ch *Channel) *receipts {
	return &receipts{ch: ch, queue: make(chan receipt, 1024)}
}

// add queues a receipt; when the queue is full it is dropped (receipts are
// advisory, and a later read receipt covers earlier messages).
func (r *receipts) add(rc receipt) {
	select {
	case r.queue <- rc:
	default:
		r.ch.log.Warn("webchat receipt dropped: queue full", "tenant_id", rc.tenantID)
	}
}

func (r *receipts) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case rc := <-r.queue:
			pending, err := r.record(ctx, rc)
			if err != nil {
				r.ch.log.Warn("webchat receipt not recorded", "tenant_id", rc.tenantID, "status", rc.status, "err", err)
			}
			if pending && rc.attempt < maxReceiptAttempts {
				rc.attempt++
				time.AfterFunc(25*time.Millisecond<<rc.attempt, func() { r.add(rc) })
			}
		}
	}
}

// record marks the conversation's webchat messages from agents up to rc.upTo;
// pending reports messages whose send is not recorded yet.
func (r *receipts) record(ctx context.Context, rc receipt) (pending bool, err error) {
	var marks []conversation.Message
	err = r.ch.eachMessage(ctx, Visitor{TenantID: rc.tenantID}, rc.conv, "", func(m conversation.Message) error {
		if m.ID > rc.upTo || m.Direction != conversation.Outbound || m.Channel != Name || conversation.DeliveryRank(m.Status) >= conversation.DeliveryRank(rc.status) {
			return nil
		}
		if m.Status == conversation.DeliveryQueued || m.ExternalID == "" {
			pending = true
		} else {
			marks = append(marks, m)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	for _, m := range marks {
		if err := r.ch.inbox.UpdateDelivery(ctx, rc.tenantID, Name, m.ExternalID, rc.status); err != nil {
			return pending, err
		}
	}
	return pending, nil
}
