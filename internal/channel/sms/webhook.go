package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// maxWebhookBytes bounds a provider's webhook body; a 1600-character SMS with
// its parameters is a few kilobytes.
const maxWebhookBytes = 256 << 10

// mediaTimeout bounds the fetch of one MMS item.
const mediaTimeout = 20 * time.Second

// Mount registers each provider's webhooks: POST /channels/sms/{provider}/inbound
// for messages and /channels/sms/{provider}/status for delivery reports. The
// provider's signature is their authentication.
func (c *Channel) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /channels/sms/{provider}/inbound", c.handleInbound)
	mux.HandleFunc("POST /channels/sms/{provider}/status", c.handleStatus)
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

// verified reads a webhook, finds the account of the business number it names
// and checks the provider's signature with that account's secret. parse
// returns the business number the request is for.
func (c *Channel) verified(r *http.Request, parse func(Provider, Webhook) (string, error)) (Provider, channel.Account, error) {
	p, ok := c.providers[r.PathValue("provider")]
	if !ok {
		return nil, channel.Account{}, refuse(http.StatusNotFound, "not-found", fmt.Errorf("no SMS provider %q on this center", r.PathValue("provider")))
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxWebhookBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, channel.Account{}, refuse(http.StatusRequestEntityTooLarge, "too-large", fmt.Errorf("webhook larger than %d bytes", maxWebhookBytes))
	}
	if err != nil {
		return nil, channel.Account{}, refuse(http.StatusBadRequest, "malformed", fmt.Errorf("read webhook: %w", err))
	}
	wh := Webhook{URL: c.requestURL(r), Header: r.Header, Body: body}
	number, err := parse(p, wh)
	if err != nil {
		return nil, channel.Account{}, refuse(http.StatusBadRequest, "malformed", err)
	}
	acct, err := c.account(r, number)
	if err != nil {
		return nil, acct, err
	}
	if ap, err := c.provider(acct); err != nil || ap.Name() != p.Name() {
		return nil, acct, refuse(http.StatusNotFound, "not-found", fmt.Errorf("the SMS number %s is not configured for %s", acct.Address, p.Name()))
	}
	if err := p.Verify(wh, acct); err != nil {
		c.log.Warn("sms webhook refused", "tenant_id", acct.TenantID, "provider", p.Name(), "err", err)
		if errors.Is(err, ErrMalformed) {
			return nil, acct, refuse(http.StatusBadRequest, "malformed", err)
		}
		return nil, acct, refuse(http.StatusForbidden, "bad-signature", err)
	}
	return p, acct, nil
}

// account finds the channel account a webhook is for: the one its URL names
// (our status callbacks carry it, since a Messaging Service may send from a
// number of its pool that is no account of ours), else the one whose number
// the webhook names. The URL is signed, so naming an account proves nothing
// until the signature verified with that account's secret.
func (c *Channel) account(r *http.Request, number string) (channel.Account, error) {
	q := r.URL.Query()
	if tenantID, id := q.Get("tenant"), q.Get("account"); tenantID != "" || id != "" {
		acct, err := c.db.ChannelAccount(r.Context(), tenantID, id)
		if err == nil && acct.Channel != Name {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			return acct, refuse(http.StatusNotFound, "not-found", errors.New("no such SMS account"))
		}
		return acct, err
	}
	id, err := persona.Normalize(persona.KindPhone, number)
	if err != nil {
		return channel.Account{}, refuse(http.StatusBadRequest, "malformed", fmt.Errorf("business number %q: %w", number, err))
	}
	acct, err := c.db.ChannelAccountByAddress(r.Context(), Name, id.Value)
	if errors.Is(err, store.ErrNotFound) {
		return acct, refuse(http.StatusNotFound, "not-found", fmt.Errorf("no tenant has the SMS number %s", id.Value))
	}
	return acct, err
}

// requestURL is the URL the provider requested, as it signed it.
func (c *Channel) requestURL(r *http.Request) string {
	if c.publicURL != "" {
		return c.publicURL + r.URL.RequestURI()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

func (c *Channel) handleInbound(w http.ResponseWriter, r *http.Request) {
	var in InboundSMS
	p, acct, err := c.verified(r, func(p Provider, wh Webhook) (string, error) {
		var err error
		in, err = p.ParseInbound(wh)
		return in.To, err
	})
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	reply, err := c.receive(r.Context(), p, acct, in)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	ct, body := p.Respond(reply)
	w.Header().Set("Content-Type", ct)
	w.Write(body)
}

// receive stores an inbound message, records a keyword's consent change, and
// returns the text to answer the customer with, if any.
func (c *Channel) receive(ctx context.Context, p Provider, acct channel.Account, in InboundSMS) (string, error) {
	from, err := persona.Normalize(persona.KindPhone, in.From)
	if err != nil {
		return "", refuse(http.StatusUnprocessableEntity, "validation", fmt.Errorf("From %q: %w", in.From, err))
	}
	kw, word := ParseKeyword(in.Body)
	if c.surveys != nil && kw == KeywordNone && len(in.Media) == 0 {
		taken, err := c.surveys.SMSReply(ctx, acct.TenantID, from, in.Body, in.MessageID)
		if err != nil {
			return "", err
		}
		if taken {
			c.log.Info("sms answered a survey", "tenant_id", acct.TenantID)
			return "", nil
		}
	}
	// A provider's retry of a message already stored is answered again without
	// fetching its media again.
	m, err := c.db.MessageByExternalID(ctx, acct.TenantID, Name, in.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		var res inbox.Ingested
		res, err = c.inbox.Ingest(ctx, c.inbound(ctx, p, acct, in, from, kw))
		m = res.Message
		if err == nil {
			c.log.Info("sms received", "tenant_id", acct.TenantID, "message_id", m.ID, "conversation_id", m.ConversationID,
				"duplicate", res.Duplicate, "keyword", string(kw))
		}
	}
	if err != nil {
		return "", err
	}
	switch kw {
	case KeywordStop, KeywordStart:
		// Stamped with the message's own time, so a late retry of an older
		// keyword cannot undo a newer one.
		err := c.db.SetSMSOptOut(ctx, store.SMSOptOut{TenantID: acct.TenantID, BusinessNumber: acct.Address, CustomerNumber: from.Value,
			OptedOut: kw == KeywordStop, Keyword: word, ChangedAt: m.CreatedAt})
		if err == nil && c.keywords != nil {
			err = c.tellKeyword(ctx, acct, from.Value, kw == KeywordStop, word, m.CreatedAt)
		}
		return "", err
	case KeywordHelp:
		return c.helpText(ctx, acct), nil
	}
	return "", nil
}

// providerOptOut records what a provider's refusal says: the customer opted
// out of this number (they replied STOP to the carrier, or to another number
// of the provider's pool), as a STOP from them would. It is stamped with the
// refused message's time, so it cannot undo a START the customer sent after
// it; the consent hook hears it as the keyword "error <code>".
func (c *Channel) providerOptOut(ctx context.Context, acct channel.Account, rep StatusReport) error {
	to, err := persona.Normalize(persona.KindPhone, rep.To)
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "validation", fmt.Errorf("To %q: %w", rep.To, err))
	}
	at := c.clock.Now()
	if m, err := c.db.MessageByExternalID(ctx, acct.TenantID, Name, rep.MessageID); err == nil {
		at = m.CreatedAt
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	word := "error " + rep.ErrorCode
	if err := c.db.SetSMSOptOut(ctx, store.SMSOptOut{TenantID: acct.TenantID, BusinessNumber: acct.Address, CustomerNumber: to.Value,
		OptedOut: true, Keyword: word, ChangedAt: at}); err != nil {
		return err
	}
	c.log.Info("sms recipient opted out, says the provider", "tenant_id", acct.TenantID, "error_code", rep.ErrorCode)
	if c.keywords == nil {
		return nil
	}
	return c.tellKeyword(ctx, acct, to.Value, true, word, at)
}

// tellKeyword passes a keyword on to the hook while it is the customer's
// latest at that number: a provider's late retry of an older STOP must not
// reach the consent ledger after a newer START.
func (c *Channel) tellKeyword(ctx context.Context, acct channel.Account, customer string, optedOut bool, word string, at time.Time) error {
	o, err := c.db.SMSOptOutState(ctx, acct.TenantID, acct.Address, customer)
	if err != nil {
		return err
	}
	if o.ChangedAt.UnixMicro() != at.UnixMicro() || o.OptedOut != optedOut {
		return nil
	}
	if err := c.keywords.Keyword(ctx, acct.TenantID, customer, optedOut, word); err != nil {
		return fmt.Errorf("sms keyword %s: %w", word, err)
	}
	return nil
}

// inbound is the message in the inbox's terms, with its media fetched; media
// that cannot be fetched is noted in Meta rather than losing the message.
func (c *Channel) inbound(ctx context.Context, p Provider, acct channel.Account, in InboundSMS, from persona.Identifier, kw Keyword) inbox.Inbound {
	meta := map[string]any{"sms_provider": p.Name(), "sms_to": acct.Address, inbox.MetaAccount: acct.ID}
	for k, v := range in.Meta {
		meta[k] = v
	}
	if kw != KeywordNone {
		meta["sms_keyword"] = string(kw)
	}
	from.Verified, from.VerifiedBy = true, persona.MethodSMSFromNumber // the provider's signature verified
	ib := inbox.Inbound{TenantID: acct.TenantID, Channel: Name, From: from, ExternalID: in.MessageID, Body: in.Body, Meta: meta, Unrefusable: true}
	var missed []string
	for _, m := range in.Media {
		fctx, cancel := context.WithTimeout(ctx, mediaTimeout)
		f, err := p.FetchMedia(fctx, acct, m, maxMediaBytes)
		cancel()
		if err != nil {
			c.log.Warn("sms media not fetched", "tenant_id", acct.TenantID, "provider", p.Name(), "err", err)
			missed = append(missed, m.URL)
			continue
		}
		ib.Attachments = append(ib.Attachments, inbox.File{Name: f.Name, ContentType: f.ContentType, Data: f.Data})
	}
	if len(missed) > 0 {
		meta["media_not_fetched"] = missed
		if strings.TrimSpace(ib.Body) == "" && len(ib.Attachments) == 0 {
			ib.Body = "(picture message: the media could not be retrieved)"
		}
	}
	return ib
}

// helpText is the account's answer to HELP, or one naming the business.
func (c *Channel) helpText(ctx context.Context, acct channel.Account) string {
	if t := strings.TrimSpace(acct.Settings[SettingHelpText]); t != "" {
		return t
	}
	name := acct.Name
	if name == "" {
		if tn, err := c.db.Tenant(ctx, acct.TenantID); err == nil {
			name = tn.Name
		}
	}
	return fmt.Sprintf("%s: reply to this number and our team will answer. Reply STOP to unsubscribe, START to resubscribe. Msg & data rates may apply.", name)
}

func (c *Channel) handleStatus(w http.ResponseWriter, r *http.Request) {
	var rep StatusReport
	_, acct, err := c.verified(r, func(p Provider, wh Webhook) (string, error) {
		var err error
		rep, err = p.ParseStatus(wh)
		return rep.From, err
	})
	if err == nil && rep.Status != "" {
		err = c.inbox.UpdateDelivery(r.Context(), acct.TenantID, Name, rep.MessageID, rep.Status)
	}
	// "sent" is what Send already said; the hook hears what comes after.
	if err == nil && c.receipts != nil && rep.Status != "" && rep.Status != "sent" {
		err = c.receipts.Receipt(r.Context(), acct.TenantID, Name, rep.MessageID, rep.Status)
	}
	if err == nil && rep.OptedOut {
		err = c.providerOptOut(r.Context(), acct, rep)
	}
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeError answers a refused webhook with an RFC 9457 problem. Store errors
// become 500, so the provider retries later; the cause is logged, not shown.
func (c *Channel) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var we *webhookError
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &we):
	case errors.As(err, &fe):
		we = refuse(http.StatusUnprocessableEntity, "validation", err)
	default:
		c.log.ErrorContext(r.Context(), "sms webhook failed", "route", r.Pattern, "err", err)
		we = refuse(http.StatusInternalServerError, "internal", errors.New("the message could not be stored; retry later"))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(we.status)
	json.NewEncoder(w).Encode(map[string]any{"type": "urn:switchboard:problem:" + we.kind, "title": http.StatusText(we.status),
		"status": we.status, "detail": we.err.Error()})
}
