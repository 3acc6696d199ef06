package send

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// DefaultMaxAttempts is how many sends a channel gets before the next one is
// tried, when the tenant's settings do not say.
const DefaultMaxAttempts = 3

// Outcome is what came of trying to send one claimed delivery.
type Outcome struct {
	// Sent is what the channel reported, when Err is nil and nothing was held.
	Sent channel.Sent
	// Err is why the send failed; channel.ErrPermanent in its chain means
	// that retrying the same channel is pointless.
	Err error
	// Held > 0 means the tenant's rate limit for the channel held the send
	// back this long; nothing was sent and no try is counted.
	Held time.Duration
	// HeldWhy, when set, is why it was held, if not by the rate limit.
	HeldWhy string
	// Backoff is how long to wait before retrying after a failure.
	Backoff time.Duration
	// Subject and Body are what was sent, as rendered.
	Subject, Body string
	// Unconfirmed is set, with a nil Err, when the send was taken over from
	// a node that stopped while handing the message to a channel that
	// cannot tell whether it went (email): it counts as sent, and is not
	// sent again.
	Unconfirmed bool
}

// Check decides about a claimed delivery before anything is sent. A delivery
// that was sent and whose confirmation deadline passed moves to its next
// channel; one whose event expired expires; one the persona's consent no
// longer allows on its channel moves to the next channel consent allows, or
// is cancelled. refused maps each channel consent refuses to why. When Check
// returns false, nothing stands in the way: send it.
func Check(d notice.Delivery, t notice.Type, refused map[string]string, now time.Time) (store.DeliveryUpdate, bool) {
	u := base(d, now)
	if d.Status == notice.StatusSent {
		why := fmt.Sprintf("not confirmed within %s on %s", short(time.Duration(t.ConfirmWithin)), d.Channel)
		if expired(d, now) {
			return u.step(notice.StatusSent, d.Channel, why+"; the notice expired, no other channel tried"), true
		}
		if j := d.Attempt + 1; j < len(d.Channels) {
			return u.move(d, j, d.Channel, why), true
		}
		return u.step(notice.StatusSent, d.Channel, why+"; no other channel to try"), true
	}
	if expired(d, now) {
		u.Status = notice.StatusExpired
		return u.step(notice.StatusExpired, d.Channel, "the notice expired at "+d.ExpiresAt.UTC().Format(time.RFC3339)+" before it could be sent"), true
	}
	if why, no := refused[d.Channel]; no {
		for j := d.Attempt + 1; j < len(d.Channels); j++ {
			if _, no := refused[d.Channels[j]]; !no {
				return u.move(d, j, d.Channel, "consent withdrawn on "+d.Channel+" ("+why+")"), true
			}
		}
		u.Status = notice.StatusCancelled
		return u.step(notice.StatusCancelled, d.Channel, "consent withdrawn before the send: "+why), true
	}
	return store.DeliveryUpdate{}, false
}

// Next is the update that records a send's outcome: sent (with a
// confirmation deadline when the type asks for one and another channel is
// left to try), held back by the rate limit, retried with backoff up to the
// tenant's MaxAttempts, moved to the next channel, or failed when no channel
// is left.
func Next(d notice.Delivery, o Outcome, t notice.Type, s notice.Settings, now time.Time) store.DeliveryUpdate {
	u := base(d, now)
	switch {
	case o.Held > 0:
		u.Status, u.DueAt = notice.StatusPending, now.Add(o.Held)
		if o.HeldWhy != "" {
			return u.step(notice.StatusPending, d.Channel, o.HeldWhy+"; trying again at "+u.DueAt.UTC().Format(time.RFC3339Nano))
		}
		return u.step(notice.StatusPending, d.Channel, "held: rate limit on "+d.Channel+" until "+u.DueAt.UTC().Format(time.RFC3339Nano))
	case o.Err == nil:
		u.Subject, u.Body, u.ExternalID, u.Tries = o.Subject, o.Body, o.Sent.ExternalID, d.Tries+1
		if o.Sent.Status == notice.StatusDelivered {
			u.Status = notice.StatusDelivered
			return u.step(notice.StatusDelivered, d.Channel, "delivered on "+d.Channel)
		}
		u.Status = notice.StatusSent
		detail := "sent on " + d.Channel
		if o.Unconfirmed {
			detail += ", unconfirmed: the node sending it stopped while handing it over, and " + d.Channel +
				" cannot tell whether it went; not sent again"
		}
		if w := time.Duration(t.ConfirmWithin); w > 0 && d.Attempt+1 < len(d.Channels) {
			u.DueAt = now.Add(w)
			detail += fmt.Sprintf("; %s next unless confirmed within %s", d.Channels[d.Attempt+1], short(w))
		}
		return u.step(notice.StatusSent, d.Channel, detail)
	}
	tries, most := d.Tries+1, s.MaxAttempts
	if most <= 0 {
		most = DefaultMaxAttempts
	}
	u.Tries = tries
	why := fmt.Sprintf("%s failed: %v", d.Channel, o.Err)
	if !errors.Is(o.Err, channel.ErrPermanent) && tries < most {
		u.Status, u.DueAt = notice.StatusPending, now.Add(o.Backoff)
		return u.step(notice.StatusPending, d.Channel, fmt.Sprintf("%s (try %d of %d); retrying in %s", why, tries, most, short(o.Backoff)))
	}
	if !errors.Is(o.Err, channel.ErrPermanent) {
		why += fmt.Sprintf(" (try %d of %d)", tries, most)
	}
	if j := d.Attempt + 1; j < len(d.Channels) {
		return u.move(d, j, d.Channel, why)
	}
	u.Status = notice.StatusFailed
	return u.step(notice.StatusFailed, d.Channel, why+"; no other channel to try")
}

// update is a store.DeliveryUpdate being built.
type update store.DeliveryUpdate

// base is an update that changes nothing yet: the delivery's channel, tries
// and ids as they are.
func base(d notice.Delivery, now time.Time) update {
	return update{Claim: d.Claim, TenantID: d.TenantID, ID: d.ID, Status: d.Status, Channel: d.Channel, ChannelIndex: d.Attempt,
		Tries: d.Tries, ExternalID: d.ExternalID, ConversationID: d.ConversationID, At: now}
}

// step appends a step to the timeline and returns the finished update.
func (u update) step(status, ch, detail string) store.DeliveryUpdate {
	u.Steps = append(u.Steps, notice.Step{At: u.At, Status: status, Channel: ch, Detail: detail})
	return store.DeliveryUpdate(u)
}

// move hands the delivery to channel j, due at once, saying why the channel
// it leaves (from) was given up.
func (u update) move(d notice.Delivery, j int, from, why string) store.DeliveryUpdate {
	u.Status, u.Channel, u.ChannelIndex, u.Tries, u.DueAt, u.ExternalID = notice.StatusPending, d.Channels[j], j, 0, u.At, ""
	return u.step(notice.StatusPending, from, why+"; trying "+d.Channels[j])
}

func expired(d notice.Delivery, now time.Time) bool {
	return !d.ExpiresAt.IsZero() && !now.Before(d.ExpiresAt)
}

// short writes a duration as people do: "15m", "1h30m", "2s".
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
