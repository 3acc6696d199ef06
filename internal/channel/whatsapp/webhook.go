package whatsapp

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/meta"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// maxWebhookBytes bounds a webhook's body: Meta batches up to 1000 updates.
const maxWebhookBytes = 4 << 20

// Meta keys the channel records on inbound messages.
const (
	MetaTimestamp = "whatsapp_timestamp" // the message's Unix time at WhatsApp
	MetaReplyTo   = "reply_to_message_id"
)

// Mount registers the webhook of each number, /channels/whatsapp/{phone_number_id}/webhook:
// GET is Meta's set-up handshake, POST its notifications, each signed.
func (c *Channel) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /channels/whatsapp/{number}/webhook", c.handleChallenge)
	mux.HandleFunc("POST /channels/whatsapp/{number}/webhook", c.handleNotification)
}

// webhookError is a refused webhook: its status and what to tell the caller.
type webhookError struct {
	status int
	kind   string
	err    error
}

func (e *webhookError) Error() string { return e.err.Error() }

func refuse(status int, kind string, err error) *webhookError {
	return &webhookError{status: status, kind: kind, err: err}
}

// account is the channel account of a phone number id; it is not scoped by
// tenant, since the number is what tells the tenant.
func (c *Channel) account(ctx context.Context, number string) (channel.Account, error) {
	acct, err := c.db.ChannelAccountByAddress(ctx, Name, number)
	if errors.Is(err, store.ErrNotFound) {
		return acct, refuse(http.StatusNotFound, "not-found", fmt.Errorf("no workspace has the WhatsApp number %q", number))
	}
	if err != nil {
		return acct, err
	}
	return c.opened(acct)
}

func (c *Channel) handleChallenge(w http.ResponseWriter, r *http.Request) {
	acct, err := c.account(r.Context(), r.PathValue("number"))
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	challenge, err := meta.Challenge(r.URL.Query(), func(token string) bool {
		want := acct.Settings[SettingVerifyToken]
		return want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
	})
	if err != nil {
		c.log.Warn("whatsapp webhook handshake refused", "tenant_id", acct.TenantID, "account_id", acct.ID, "err", err)
		c.writeError(w, r, refuse(http.StatusForbidden, "forbidden", err))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, challenge)
}

func (c *Channel) handleNotification(w http.ResponseWriter, r *http.Request) {
	if err := c.notification(r); err != nil {
		c.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// notification verifies a POST with the number's app secret, then stores
// every message and status it carries. Nothing is read from the body before
// the signature verified. An error leaves the webhook unacknowledged, so
// Meta delivers it again; what was stored already is recognised by its id.
func (c *Channel) notification(r *http.Request) error {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxWebhookBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return refuse(http.StatusRequestEntityTooLarge, "too-large", fmt.Errorf("webhook larger than %d bytes", maxWebhookBytes))
	}
	if err != nil {
		return refuse(http.StatusBadRequest, "malformed", fmt.Errorf("read webhook: %w", err))
	}
	acct, err := c.account(ctx, r.PathValue("number"))
	if err != nil {
		return err
	}
	if err := meta.Verify(acct.Settings[SettingAppSecret], body, r.Header.Get(meta.SignatureHeader)); err != nil {
		c.log.Warn("whatsapp webhook refused", "tenant_id", acct.TenantID, "account_id", acct.ID, "err", err)
		return refuse(http.StatusForbidden, "bad-signature", err)
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return refuse(http.StatusBadRequest, "malformed", fmt.Errorf("webhook body: %w", err))
	}
	if p.Object != "whatsapp_business_account" {
		return refuse(http.StatusBadRequest, "malformed", fmt.Errorf("webhook object %q is not whatsapp_business_account", p.Object))
	}
	for _, e := range p.Entry {
		for _, ch := range e.Changes {
			if ch.Field != "messages" {
				continue // template reviews, account updates: nothing the center keeps
			}
			if err := c.change(ctx, acct, ch.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

// change handles one change: its number must be the signing account's or
// another of the same tenant's (one Meta app signs for all of a business's
// numbers); a number of another tenant is refused.
func (c *Channel) change(ctx context.Context, signer channel.Account, v value) error {
	acct := signer
	if id := v.Metadata.PhoneNumberID; id != "" && id != signer.Address {
		other, err := c.account(ctx, id)
		if err != nil {
			return err
		}
		if other.TenantID != signer.TenantID {
			return refuse(http.StatusForbidden, "bad-signature", fmt.Errorf("the number %s is not signed for by this webhook", id))
		}
		acct = other
	}
	names := map[string]string{}
	for _, ct := range v.Contacts {
		names[ct.WaID] = ct.Profile.Name
	}
	for _, m := range v.Messages {
		if err := c.receive(ctx, acct, m, names[m.From]); err != nil {
			return err
		}
	}
	for _, s := range v.Statuses {
		if err := c.status(ctx, acct, s); err != nil {
			return err
		}
	}
	return nil
}

// receive stores one inbound message. A redelivered one is recognised by its
// wamid before its media is fetched again.
func (c *Channel) receive(ctx context.Context, acct channel.Account, m message, name string) error {
	if m.ID == "" || m.From == "" {
		return refuse(http.StatusBadRequest, "malformed", errors.New("a message needs its id and from"))
	}
	from, err := persona.Normalize(persona.KindPhone, "+"+strings.TrimPrefix(m.From, "+"))
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "validation", fmt.Errorf("from %q: %w", m.From, err))
	}
	if _, err := c.db.MessageByExternalID(ctx, acct.TenantID, Name, m.ID); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	it := read(m)
	it.Meta[inbox.MetaAccount] = acct.ID
	if at := m.sentAt(); !at.IsZero() {
		it.Meta[MetaTimestamp] = at.Unix()
	}
	for _, k := range []string{"reply_to_external_id", "reaction_to_external_id"} {
		if ext, _ := it.Meta[k].(string); ext != "" {
			if prev, err := c.db.MessageByExternalID(ctx, acct.TenantID, Name, ext); err == nil {
				it.Meta[strings.TrimSuffix(k, "_external_id")+"_message_id"] = prev.ID
			}
		}
	}
	from.Verified, from.VerifiedBy = true, persona.MethodWhatsAppFromNumber // the app secret's signature verified
	in := inbox.Inbound{TenantID: acct.TenantID, Channel: Name, From: from, FromName: name, ExternalID: m.ID,
		Body: it.Body, Meta: it.Meta, Unrefusable: true}
	if it.Media != nil {
		fctx, cancel := context.WithTimeout(ctx, mediaTimeout)
		f, err := c.graph.download(fctx, acct, *it.Media)
		cancel()
		if err != nil {
			// The message is kept without its file rather than lost; the agent
			// sees that the media could not be fetched.
			c.log.Warn("whatsapp media not fetched", "tenant_id", acct.TenantID, "account_id", acct.ID, "err", err)
			it.Meta["media_not_fetched"] = it.Media.ID
			if strings.TrimSpace(in.Body) == "" {
				in.Body = fmt.Sprintf("(%s message: the media could not be retrieved)", it.Media.Kind)
			}
		} else {
			in.Attachments = []inbox.File{{Name: f.Name, ContentType: f.ContentType, Data: f.Data}}
		}
	}
	res, err := c.inbox.Ingest(ctx, in)
	if err != nil {
		return err
	}
	c.log.Info("whatsapp received", "tenant_id", acct.TenantID, "message_id", res.Message.ID,
		"conversation_id", res.Message.ConversationID, "duplicate", res.Duplicate, "type", m.Type)
	return nil
}

// openWindow is the inbox hook that records, in the message's own
// transaction, when the customer wrote: the window opens from the time
// WhatsApp gives the message (a message Meta redelivers days later opens
// no window), or from when it was stored if that is earlier.
func (c *Channel) openWindow(ctx context.Context, tx *outbox.Tx, in inbox.Inbound, res inbox.Ingested) error {
	if in.Channel != Name {
		return nil
	}
	acctID, _ := in.Meta[inbox.MetaAccount].(string)
	at := res.Message.CreatedAt
	if ts, ok := in.Meta[MetaTimestamp].(int64); ok && ts > 0 {
		if sent := time.Unix(ts, 0); sent.Before(at) {
			at = sent
		}
	}
	return tx.TouchWhatsAppWindow(ctx, in.TenantID, acctID, in.From.Value, at)
}

// status records Meta's report on a message sent from acct; the inbox never
// moves a message backwards (read, then a late delivered, stays read).
func (c *Channel) status(ctx context.Context, acct channel.Account, s status) error {
	st, ok := deliveryStatuses[s.Status]
	if !ok || s.ID == "" {
		return nil // deleted, warning: nothing the timeline shows
	}
	if st == "failed" && len(s.Errors) > 0 {
		c.log.Info("whatsapp message failed", "tenant_id", acct.TenantID, "code", s.Errors[0].Code, "title", s.Errors[0].Title)
	}
	if err := c.inbox.UpdateDelivery(ctx, acct.TenantID, Name, s.ID, st); err != nil {
		return err
	}
	// "sent" is what Send already said; the hook hears what comes after.
	if c.receipts != nil && st != "sent" {
		return c.receipts.Receipt(ctx, acct.TenantID, Name, s.ID, st)
	}
	return nil
}

// writeError answers a refused webhook with an RFC 9457 problem. Store errors
// become 500, so Meta delivers again later; the cause is logged, not shown.
func (c *Channel) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var we *webhookError
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &we):
	case errors.As(err, &fe):
		we = refuse(http.StatusUnprocessableEntity, "validation", err)
	default:
		c.log.ErrorContext(r.Context(), "whatsapp webhook failed", "route", r.Pattern, "err", err)
		we = refuse(http.StatusInternalServerError, "internal", errors.New("the notification could not be stored; deliver it again later"))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(we.status)
	json.NewEncoder(w).Encode(map[string]any{"type": "urn:switchboard:problem:" + we.kind, "title": http.StatusText(we.status),
		"status": we.status, "detail": we.err.Error()})
}
