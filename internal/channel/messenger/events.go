package messenger

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// windowStep is how far behind the stored window may lag: a customer's
// messages within a minute of the last one stored cost no write, and the
// window is at most a minute shorter than Meta's.
const windowStep = time.Minute

// maxWatermarkMessages bounds how many messages one delivery or read
// watermark moves forward.
const maxWatermarkMessages = 200

// handle acts on one messaging event of acct's.
func (c *Channel) handle(ctx context.Context, acct channel.Account, ev event) error {
	switch {
	case ev.Message != nil && ev.Message.IsEcho:
		return c.echo(ctx, acct, ev)
	case ev.Message != nil:
		return c.receive(ctx, acct, ev)
	case ev.Postback != nil:
		return c.postback(ctx, acct, ev)
	case ev.Delivery != nil:
		return c.delivered(ctx, acct, ev)
	case ev.Read != nil:
		return c.read(ctx, acct, ev)
	}
	return nil // reactions, referrals, opt-ins: not kept
}

// customer is the event's customer as a proven identifier: the webhook's
// signature verified, so the id is Meta's word.
func (c *Channel) customer(id string) (persona.Identifier, error) {
	p, err := persona.Normalize(c.platform.identifier(), id)
	if err != nil {
		return p, refuse(http.StatusBadRequest, "malformed", fmt.Errorf("sender: %w", err))
	}
	return p.Proven(persona.MethodMetaSender, c.clock.Now()), nil
}

// sentAt is when Meta says the event happened, never later than now.
func (c *Channel) sentAt(ms int64) time.Time {
	now := c.clock.Now()
	if ms <= 0 {
		return now
	}
	if t := time.UnixMilli(ms); t.Before(now) {
		return t
	}
	return now
}

// receive stores a customer's message, opening (or extending) the messaging
// window. A redelivered message is acknowledged again without fetching its
// media again.
func (c *Channel) receive(ctx context.Context, acct channel.Account, ev event) error {
	m := ev.Message
	if m.Mid == "" {
		return refuse(http.StatusBadRequest, "malformed", errors.New("message without a mid"))
	}
	from, err := c.customer(ev.Sender.ID)
	if err != nil {
		return err
	}
	first, err := c.db.TouchMessengerWindow(ctx, acct.TenantID, acct.ID, from.Value, c.sentAt(ev.Timestamp), windowStep)
	if err != nil {
		return err
	}
	if _, err := c.db.MessageByExternalID(ctx, acct.TenantID, c.Name(), m.Mid); err == nil {
		return nil // a redelivery
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if m.IsDeleted { // Instagram's unsend of a message the center never stored
		return nil
	}
	in := c.inbound(ctx, acct, m)
	in.From = from
	if first {
		in.FromName = c.profileName(ctx, acct, from.Value)
	}
	res, err := c.inbox.Ingest(ctx, in)
	if err != nil {
		return err
	}
	c.log.Info("message received", "tenant_id", acct.TenantID, "message_id", res.Message.ID,
		"conversation_id", res.Conversation.ID, "duplicate", res.Duplicate)
	return nil
}

// inbound is a customer's message in the inbox's terms: its text, its media
// fetched, and what Instagram stories it mentions or answers, shown as such.
func (c *Channel) inbound(ctx context.Context, acct channel.Account, m *message) inbox.Inbound {
	md := map[string]any{inbox.MetaAccount: acct.ID, c.Name() + "_account": acct.Address}
	in := inbox.Inbound{TenantID: acct.TenantID, Channel: c.Name(), ExternalID: m.Mid, ThreadKey: m.Mid, Meta: md, Unrefusable: true}
	var lines []string
	if t := strings.TrimSpace(m.Text); t != "" {
		lines = append(lines, m.Text)
	}
	if m.QuickReply != nil && m.QuickReply.Payload != "" {
		md["quick_reply_payload"] = m.QuickReply.Payload
	}
	if rt := m.ReplyTo; rt != nil {
		if rt.Story != nil {
			// A story disappears after a day: its URL is kept, never its media.
			md["story_reply"] = map[string]string{"id": rt.Story.ID, "url": rt.Story.URL}
			lines = append([]string{"↩ Replied to your story"}, lines...)
		}
		if rt.Mid != "" {
			md["reply_to"] = rt.Mid
			in.ThreadKeys = []string{rt.Mid}
		}
	}
	files, missed, notes := c.attachments(ctx, acct, m.Attachments, md)
	in.Attachments = files
	lines = append(lines, notes...)
	if len(missed) > 0 {
		md["media_not_fetched"] = missed
	}
	if m.IsUnsupported {
		lines = append(lines, "(a message of a kind Meta does not pass on to business apps: ask the customer to send it another way)")
	}
	in.Body = strings.Join(lines, "\n")
	if strings.TrimSpace(in.Body) == "" && len(in.Attachments) == 0 {
		in.Body = "(an empty message)"
	}
	return in
}

// attachments fetches a message's media (images, video, audio, files)
// through the guard and describes the rest: a story mention keeps the
// story's URL in meta (Meta forbids storing a story's media), a share or a
// reel its link, a location its coordinates. It returns the files, the URLs
// that could not be fetched, and lines for the body.
func (c *Channel) attachments(ctx context.Context, acct channel.Account, atts []attachment, md map[string]any) ([]inbox.File, []string, []string) {
	var files []inbox.File
	var missed, notes []string
	for _, a := range atts {
		u := a.Payload.URL
		if u == "" {
			u = a.URL
		}
		switch a.Type {
		case "image", "video", "audio", "file":
			if a.Payload.StickerID != "" {
				notes = append(notes, "(sent a sticker)")
			}
			f, err := c.fetch(ctx, u)
			if err != nil {
				c.log.Warn("attachment not fetched", "tenant_id", acct.TenantID, "type", a.Type, "err", err)
				missed = append(missed, u)
				notes = append(notes, fmt.Sprintf("(sent a %s that could not be retrieved)", a.Type))
				continue
			}
			files = append(files, f)
		case "story_mention":
			md["story_mention"] = map[string]string{"url": u}
			notes = append(notes, "📣 Mentioned you in their story")
		case "location":
			if co := a.Payload.Coordinates; co != nil {
				notes = append(notes, fmt.Sprintf("📍 Shared a location: %.6f, %.6f", co.Lat, co.Long))
			} else {
				notes = append(notes, "📍 Shared a location")
			}
		default: // share, ig_reel, reel, template, fallback, …
			title := a.Payload.Title
			if title == "" {
				title = a.Title
			}
			shared := fmt.Sprintf("🔗 Shared a %s", strings.ReplaceAll(a.Type, "_", " "))
			if title != "" {
				shared += ": " + title
			}
			if u != "" {
				shared += " " + u
			}
			notes = append(notes, shared)
		}
	}
	return files, missed, notes
}

// postback is a button the customer tapped: stored as their message, its
// title as the text and its payload in meta.
func (c *Channel) postback(ctx context.Context, acct channel.Account, ev event) error {
	from, err := c.customer(ev.Sender.ID)
	if err != nil {
		return err
	}
	if _, err := c.db.TouchMessengerWindow(ctx, acct.TenantID, acct.ID, from.Value, c.sentAt(ev.Timestamp), windowStep); err != nil {
		return err
	}
	pb := ev.Postback
	id := pb.Mid
	if id == "" { // older postbacks carry no mid: the tap's own time names it
		id = fmt.Sprintf("postback:%s:%d", from.Value, ev.Timestamp)
	}
	body := strings.TrimSpace(pb.Title)
	if body == "" {
		body = pb.Payload
	}
	_, err = c.inbox.Ingest(ctx, inbox.Inbound{TenantID: acct.TenantID, Channel: c.Name(), From: from, ExternalID: id,
		Body: body, Unrefusable: true,
		Meta: map[string]any{inbox.MetaAccount: acct.ID, c.Name() + "_account": acct.Address, "postback_payload": pb.Payload}})
	return err
}

// echo records a message the business sent from elsewhere (Meta Business
// Suite, another app) on the customer's conversation as the business's. The
// echoes of the center's own sends are known by their metadata, by the app
// id, or by a message id already recorded, and are not stored again.
func (c *Channel) echo(ctx context.Context, acct channel.Account, ev event) error {
	m := ev.Message
	if strings.HasPrefix(m.Metadata, metadataPrefix) {
		return nil
	}
	if app := acct.Settings[SettingAppID]; app != "" && string(m.AppID) == app {
		return nil
	}
	if m.Mid == "" {
		return refuse(http.StatusBadRequest, "malformed", errors.New("echo without a mid"))
	}
	if _, err := c.db.MessageByExternalID(ctx, acct.TenantID, c.Name(), m.Mid); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	to, err := c.customer(ev.Recipient.ID)
	if err != nil {
		return err
	}
	in := c.inbound(ctx, acct, m)
	in.Meta["echo_app_id"] = string(m.AppID)
	res, err := c.inbox.RecordEcho(ctx, inbox.Echo{TenantID: acct.TenantID, Channel: c.Name(), To: to, ExternalID: m.Mid,
		Sender: string(m.AppID), Body: in.Body, Attachments: in.Attachments, Meta: in.Meta})
	if err != nil {
		return err
	}
	c.log.Info("echo recorded", "tenant_id", acct.TenantID, "message_id", res.Message.ID, "duplicate", res.Duplicate)
	return nil
}

// delivered moves the named messages, and every message sent to the
// customer up to the watermark, to delivered. Receipts only move forward, so
// a delivery arriving after the read changes nothing.
func (c *Channel) delivered(ctx context.Context, acct channel.Account, ev event) error {
	d := ev.Delivery
	for _, mid := range d.Mids {
		if err := c.receipt(ctx, acct, mid, conversation.DeliveryDelivered); err != nil {
			return err
		}
	}
	return c.watermark(ctx, acct, ev.Sender.ID, d.Watermark, conversation.DeliveryDelivered)
}

// read moves every message sent to the customer up to the watermark
// (Messenger), or up to the message named (Instagram), to read.
func (c *Channel) read(ctx context.Context, acct channel.Account, ev event) error {
	rd := ev.Read
	if rd.Mid != "" {
		m, err := c.db.MessageByExternalID(ctx, acct.TenantID, c.Name(), rd.Mid)
		if errors.Is(err, store.ErrNotFound) {
			return nil // sent by another app
		}
		if err != nil {
			return err
		}
		if err := c.receipt(ctx, acct, rd.Mid, conversation.DeliveryRead); err != nil {
			return err
		}
		return c.watermarkAt(ctx, acct, ev.Sender.ID, m.CreatedAt, conversation.DeliveryRead)
	}
	return c.watermark(ctx, acct, ev.Sender.ID, rd.Watermark, conversation.DeliveryRead)
}

func (c *Channel) watermark(ctx context.Context, acct channel.Account, user string, ms int64, status string) error {
	if ms <= 0 {
		return nil
	}
	return c.watermarkAt(ctx, acct, user, time.UnixMilli(ms), status)
}

// watermarkAt moves the customer's messages sent up to at to status.
func (c *Channel) watermarkAt(ctx context.Context, acct channel.Account, user string, at time.Time, status string) error {
	who, err := c.customer(user)
	if err != nil {
		return err
	}
	pid, err := c.db.PersonaIDByIdentifier(ctx, acct.TenantID, who)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	mids, err := c.db.SentBefore(ctx, acct.TenantID, pid, c.Name(), at, maxWatermarkMessages)
	if err != nil {
		return err
	}
	for _, mid := range mids {
		if err := c.receipt(ctx, acct, mid, status); err != nil {
			return err
		}
	}
	return nil
}

// receipt records one message's delivery state, and tells the hook.
func (c *Channel) receipt(ctx context.Context, acct channel.Account, mid, status string) error {
	if err := c.inbox.UpdateDelivery(ctx, acct.TenantID, c.Name(), mid, status); err != nil {
		return err
	}
	if c.receipts != nil {
		return c.receipts.Receipt(ctx, acct.TenantID, c.Name(), mid, status)
	}
	return nil
}
