package send

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// HeldRetry is how long a notice held back (its tenant is suspended) waits
// before it is tried again.
const HeldRetry = 10 * time.Second

// BusyRetry is how long a notice waits when its channel is slow (none of its
// sends finished for SlowAfter) and has its share of the sends in flight
// (half of Concurrency): a provider that hangs holds no more, and notices on
// the other channels keep going. A healthy channel may use the whole pool.
// The wait uses up no try.
const BusyRetry = 2 * time.Second

// SlowAfter is how long a channel goes without a send finishing before it
// counts as slow.
const SlowAfter = 5 * time.Second

// process handles one claimed delivery and returns the update recording
// what happened. Once ctx is done, a delivery not yet started goes back to
// the queue untouched; one already sending finishes.
func (s *Sender) process(ctx context.Context, j job) store.DeliveryUpdate {
	d, now := j.d, s.clock.Now()
	if ctx.Err() != nil {
		return release(d, now)
	}
	if j.problem != "" {
		u := base(d, now)
		u.Status = notice.StatusFailed
		return u.step(notice.StatusFailed, d.Channel, j.problem)
	}
	if d.HandedOver && d.Status == notice.StatusSending {
		// The node that held it died or stalled while handing it to a
		// channel that cannot say whether it went: not sent again.
		s.limits.forget(d.ID)
		return Next(d, Outcome{Unconfirmed: true, Sent: channel.Sent{Status: notice.StatusSent}}, j.t, j.tenant.settings, now)
	}
	if u, done := Check(d, j.t, j.refused, now); done {
		s.limits.forget(d.ID)
		return u
	}
	if held := s.limits.hold(d.TenantID, d.Channel, d.ID, j.tenant.settings.RateLimits[d.Channel], now); held > 0 {
		return Next(d, Outcome{Held: held}, j.t, j.tenant.settings, now)
	}
	if !s.bulkhead.Enter(d.Channel, now) { // the channel is slow or down: leave the pool to the others
		return Next(d, Outcome{Held: BusyRetry, HeldWhy: "held: " + d.Channel + " has its share of the sends in flight"}, j.t, j.tenant.settings, now)
	}
	o := s.send(context.WithoutCancel(ctx), j)
	s.bulkhead.Leave(d.Channel, s.clock.Now())
	if errors.Is(o.Err, channel.ErrHeld) { // the tenant is suspended: no try is counted
		return Next(d, Outcome{Held: HeldRetry, HeldWhy: "held: the workspace is suspended"}, j.t, j.tenant.settings, s.clock.Now())
	}
	if o.Err != nil {
		o.Backoff = s.cfg.Backoff(d.Tries + 1)
		if wait, ok := channel.RetryAfter(o.Err); ok && wait > o.Backoff { // the provider said when
			o.Backoff = wait
		}
		s.log.Warn("notification send failed", "tenant_id", d.TenantID, "delivery_id", d.ID, "channel", d.Channel,
			"try", d.Tries+1, "err", o.Err)
	}
	return Next(d, o, j.t, j.tenant.settings, s.clock.Now())
}

// send renders the notice for its channel and hands it over.
func (s *Sender) send(ctx context.Context, j job) Outcome {
	d := j.d
	ch, ok := s.channels.Get(d.Channel)
	if !ok {
		return Outcome{Err: fmt.Errorf("channel %q is not running on this node: %w", d.Channel, channel.ErrPermanent)}
	}
	out, err := s.outbound(j, ch)
	if err != nil {
		return Outcome{Err: err}
	}
	o := Outcome{Subject: out.Subject, Body: out.Body}
	mark := store.HandOverMark{TenantID: d.TenantID, ID: d.ID, Claim: d.Claim}
	out.HandOver = func(ctx context.Context) error { return s.marks.mark(ctx, mark) }
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	defer cancel()
	if d.Channel == webpush.Name {
		o.Sent, o.Err = s.push(ctx, j, ch, out)
	} else {
		o.Sent, o.Err = ch.Send(ctx, out)
	}
	return o
}

// outbound is the message for the delivery's channel: rendered in the
// delivery's language with the notice's links, addressed to the persona,
// from the tenant's first account on the channel. Email that is not critical
// carries List-Unsubscribe for one-click unsubscribing (RFC 8058).
func (s *Sender) outbound(j job, ch channel.Channel) (channel.Outbound, error) {
	d, p := j.d, j.persona
	links := s.links.At(d.CreatedAt) // the same text on every try: a resend finds the earlier one by it
	unsubscribe := links.Unsubscribe(d.TenantID, d.PersonaID, "type:"+d.Type, d.ID)
	read := links.Read(d.TenantID, d.ID)
	vars := notice.Vars(j.data, read, links.Preferences(d.TenantID, d.PersonaID), unsubscribe, p.Name)
	r, err := notice.Render(j.t, d.Language, d.Channel, vars)
	if err != nil {
		return channel.Outbound{}, fmt.Errorf("render: %v: %w", err, channel.ErrPermanent)
	}
	out := channel.Outbound{TenantID: d.TenantID, MessageID: fmt.Sprintf("%s.%d", d.ID, d.Attempt), ToName: p.Name,
		Subject: r.Subject, Body: r.Body, Account: j.tenant.accounts[d.Channel],
		// A failed try on this channel may have reached the provider (its
		// answer lost): the channel looks for it before sending again.
		Resend: d.Tries > 0, Written: d.CreatedAt}
	if d.Channel == "sms" || d.Channel == notice.Voice || d.Channel == notice.WhatsApp {
		out.Body = r.Short // Render falls back to the body
	}
	if d.Channel == notice.WhatsApp {
		// Outside the customer's 24-hour window only an approved template
		// may go: the type's, in the delivery's language.
		name, values, ok, err := j.t.WhatsAppFallback(d.Language, vars)
		if err != nil {
			return out, fmt.Errorf("render: %v: %w", err, channel.ErrPermanent)
		}
		if ok {
			out.Template = &channel.Template{Name: name, Language: d.Language, Variables: values, OutsideWindowOnly: true}
		}
	}
	switch kind := ch.Capabilities().Identifier; kind {
	case "email":
		out.To = p.Email
	case "phone":
		out.To = p.Phone
	case "telegram":
		out.To = p.Telegram
	case "":
		out.To = d.PersonaID // the channel addresses the persona itself
	case webpush.Name:
		// push addresses each subscription in turn
	default:
		return out, fmt.Errorf("%s addresses %s identifiers, which notifications do not look up: %w", d.Channel, kind, channel.ErrPermanent)
	}
	if out.To == "" && d.Channel != webpush.Name {
		return out, fmt.Errorf("the persona has no %s address: %w", ch.Capabilities().Identifier, channel.ErrPermanent)
	}
	switch {
	case d.Channel == "email" && j.t.Category != prefs.Critical:
		out.Headers = map[string]string{
			"List-Unsubscribe":      "<" + unsubscribe + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
	case d.Channel == notice.Voice:
		keypad, _ := json.Marshal(j.t.Keypad(d.Language))
		out.Headers = map[string]string{notice.HeaderDelivery: d.ID, notice.HeaderLanguage: d.Language,
			notice.HeaderKeypad: string(keypad)}
	case d.Channel == webpush.Name:
		out.Headers = map[string]string{webpush.LinkHeader: read}
		if j.t.Category == prefs.Critical {
			out.Headers[webpush.UrgencyHeader] = "high"
		}
	}
	return out, nil
}

// push sends to every browser the persona subscribed, as loaded with the
// batch. It is sent when one took it; subscriptions the push service
// reports gone are deleted; it fails for good when every one refused it for
// good.
func (s *Sender) push(ctx context.Context, j job, ch channel.Channel, out channel.Outbound) (channel.Sent, error) {
	var subs []store.PushSubscription
	if j.push != nil {
		subs = j.push.of(j.d.PersonaID)
	}
	var sent channel.Sent
	var errs []error
	delivered, retry := false, false
	for _, sub := range subs {
		b, _ := json.Marshal(webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}})
		out.To = string(b)
		got, err := ch.Send(ctx, out)
		switch {
		case err == nil:
			if !delivered {
				sent, delivered = got, true
			}
		case errors.Is(err, channel.ErrPermanent):
			if gone(err) {
				j.push.forget(j.d.PersonaID, sub.ID)
				// Not found: another notice or node deleted it first.
				if derr := s.db.DeletePushSubscription(ctx, j.d.TenantID, sub.ID); derr != nil && !errors.Is(derr, store.ErrNotFound) {
					errs = append(errs, derr)
				}
			}
			errs = append(errs, err)
		default:
			errs, retry = append(errs, err), true
		}
	}
	switch {
	case delivered:
		return sent, nil
	case len(subs) == 0:
		return sent, fmt.Errorf("the persona has no push subscription: %w", channel.ErrPermanent)
	case retry: // worth another try while one subscription may still take it
		return sent, errors.New(errors.Join(errs...).Error())
	}
	return sent, errors.Join(errs...)
}

// gone reports whether the push service said the subscription no longer
// exists (404, 410): only then is it deleted, not when the service refused
// this one message. The webpush channel marks it in the text alone.
func gone(err error) bool {
	return strings.Contains(err.Error(), "the subscription is gone")
}
