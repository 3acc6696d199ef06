package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// Account settings of an SMS number (channel_accounts.settings). The auth
// token is a secret: it is never logged nor returned in errors.
const (
	SettingProvider            = "provider"              // "twilio" (the default)
	SettingAccountSID          = "account_sid"           // Twilio: the account (or subaccount) SID, AC…
	SettingAuthToken           = "auth_token"            // Twilio: the account's auth token
	SettingMessagingServiceSID = "messaging_service_sid" // Twilio: send through a Messaging Service (MG…) instead of From
	SettingHelpText            = "help_text"             // the answer to HELP; a default names the business
)

// DefaultTwilioAPIBase is Twilio's REST API.
const DefaultTwilioAPIBase = "https://api.twilio.com"

// maxTwilioMedia is the most media items Twilio attaches to one message.
const maxTwilioMedia = 10

// Twilio is the Twilio Programmable Messaging provider: form-encoded webhooks
// signed with X-Twilio-Signature, TwiML answers, and the 2010-04-01 REST API.
type Twilio struct {
	apiBase string
	http    *http.Client
	media   *http.Client
}

// NewTwilio returns the Twilio provider talking to apiBase (DefaultTwilioAPIBase
// if empty) with client, and fetching media with media: give a netguard
// client there, since a webhook's media URLs are the signer's choice.
func NewTwilio(apiBase string, client, media *http.Client) *Twilio {
	if apiBase == "" {
		apiBase = DefaultTwilioAPIBase
	}
	return &Twilio{apiBase: strings.TrimRight(apiBase, "/"), http: client, media: media}
}

// Name is "twilio".
func (*Twilio) Name() string { return "twilio" }

func twilioForm(w Webhook) (url.Values, error) {
	ct, _, err := mime.ParseMediaType(w.Header.Get("Content-Type"))
	if err != nil || ct != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: Content-Type must be application/x-www-form-urlencoded", ErrMalformed)
	}
	form, err := url.ParseQuery(string(w.Body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return form, nil
}

func required(form url.Values, names ...string) error {
	for _, n := range names {
		if strings.TrimSpace(form.Get(n)) == "" {
			return fmt.Errorf("%w: %s is missing", ErrMalformed, n)
		}
	}
	return nil
}

// ParseInbound reads Twilio's incoming-message webhook.
func (*Twilio) ParseInbound(w Webhook) (InboundSMS, error) {
	form, err := twilioForm(w)
	if err != nil {
		return InboundSMS{}, err
	}
	if err := required(form, "MessageSid", "From", "To"); err != nil {
		return InboundSMS{}, err
	}
	in := InboundSMS{MessageID: form.Get("MessageSid"), From: form.Get("From"), To: form.Get("To"), Body: form.Get("Body"),
		Meta: map[string]string{}}
	n := 0
	if s := form.Get("NumMedia"); s != "" {
		if n, err = strconv.Atoi(s); err != nil || n < 0 || n > maxTwilioMedia {
			return InboundSMS{}, fmt.Errorf("%w: NumMedia must be 0 to %d", ErrMalformed, maxTwilioMedia)
		}
	}
	for i := range n {
		u := form.Get("MediaUrl" + strconv.Itoa(i))
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return InboundSMS{}, fmt.Errorf("%w: MediaUrl%d is not an http(s) URL", ErrMalformed, i)
		}
		in.Media = append(in.Media, Media{URL: u, ContentType: form.Get("MediaContentType" + strconv.Itoa(i))})
	}
	for param, key := range map[string]string{"FromCity": "from_city", "FromState": "from_state", "FromZip": "from_zip",
		"FromCountry": "from_country", "NumSegments": "segments", "MessagingServiceSid": "messaging_service_sid"} {
		if v := form.Get(param); v != "" {
			in.Meta[key] = v
		}
	}
	return in, nil
}

// twilioStatuses maps Twilio's MessageStatus to the inbox's delivery states;
// states before sending (queued, accepted, sending, scheduled) are not tracked.
var twilioStatuses = map[string]string{
	"sent": "sent", "delivered": "delivered", "read": "read",
	"undelivered": "failed", "failed": "failed", "canceled": "failed",
}

// ParseStatus reads Twilio's status callback.
func (*Twilio) ParseStatus(w Webhook) (StatusReport, error) {
	form, err := twilioForm(w)
	if err != nil {
		return StatusReport{}, err
	}
	if err := required(form, "MessageSid", "MessageStatus", "From"); err != nil {
		return StatusReport{}, err
	}
	code := form.Get("ErrorCode")
	return StatusReport{MessageID: form.Get("MessageSid"), From: form.Get("From"), To: form.Get("To"),
		Status: twilioStatuses[strings.ToLower(form.Get("MessageStatus"))], ErrorCode: code, OptedOut: code == strconv.Itoa(twilioUnsubscribed)}, nil
}

// Verify checks X-Twilio-Signature with the account's auth token.
func (*Twilio) Verify(w Webhook, acct channel.Account) error {
	form, err := twilioForm(w)
	if err != nil {
		return err
	}
	sig := w.Header.Get("X-Twilio-Signature")
	if sig == "" {
		return fmt.Errorf("%w: X-Twilio-Signature is missing", ErrBadSignature)
	}
	if !ValidTwilioSignature(acct.Settings[SettingAuthToken], w.URL, form, sig) {
		return fmt.Errorf("%w: X-Twilio-Signature does not match %s signed with the auth token of %s", ErrBadSignature, w.URL, acct.Address)
	}
	return nil
}

// FetchMedia downloads an MMS item through the media client, which refuses
// addresses the operator did not allow (a tenant signs its own webhooks, so
// a media URL may name anything). Twilio may require the account's
// credentials for media; they are sent only to Twilio's own API host, never to
// another host a URL names (Go drops them on a redirect to the CDN as well).
func (t *Twilio) FetchMedia(ctx context.Context, acct channel.Account, m Media, maxBytes int64) (channel.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
	if err != nil {
		return channel.File{}, fmt.Errorf("fetch media: %w", err)
	}
	if base, err := url.Parse(t.apiBase); err == nil && base.Scheme == req.URL.Scheme && base.Host == req.URL.Host {
		req.SetBasicAuth(acct.Settings[SettingAccountSID], acct.Settings[SettingAuthToken])
	}
	resp, err := t.media.Do(req)
	if err != nil {
		return channel.File{}, fmt.Errorf("fetch media: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return channel.File{}, fmt.Errorf("fetch media: %s answered %s", req.URL.Redacted(), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return channel.File{}, fmt.Errorf("fetch media: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return channel.File{}, fmt.Errorf("fetch media: larger than %d bytes", maxBytes)
	}
	ct := m.ContentType
	if ct == "" {
		ct = resp.Header.Get("Content-Type")
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	name := path.Base(req.URL.Path)
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 && path.Ext(name) == "" {
		name += exts[0]
	}
	return channel.File{Name: name, ContentType: ct, Data: data}, nil
}

// twilioError is the body of Twilio's API errors.
type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
}

// Send creates a message with POST /2010-04-01/Accounts/{sid}/Messages.json.
// Twilio's API takes no idempotency key, so a resend (an earlier try may
// have created the message: its answer was lost, or the node died before
// recording it) first looks for that message and adopts it instead of
// sending the customer the text twice.
func (t *Twilio) Send(ctx context.Context, acct channel.Account, msg OutboundSMS) (string, error) {
	sid, token := acct.Settings[SettingAccountSID], acct.Settings[SettingAuthToken]
	if sid == "" || token == "" {
		return "", fmt.Errorf("sms account %s has no %s or %s: %w", acct.Address, SettingAccountSID, SettingAuthToken, channel.ErrPermanent)
	}
	if msg.Resend {
		found, err := t.sentBefore(ctx, acct, msg)
		if err != nil {
			return "", fmt.Errorf("twilio send: look for an earlier try before sending again: %w", err)
		}
		if found != "" {
			return found, nil
		}
	}
	form := url.Values{"To": {msg.To}, "Body": {msg.Body}}
	if mg := acct.Settings[SettingMessagingServiceSID]; mg != "" {
		form.Set("MessagingServiceSid", mg)
	} else {
		form.Set("From", acct.Address)
	}
	if msg.StatusCallback != "" {
		form.Set("StatusCallback", msg.StatusCallback)
	}
	endpoint := t.apiBase + "/2010-04-01/Accounts/" + url.PathEscape(sid) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("twilio send: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(sid, token)
	resp, err := t.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("twilio send: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("twilio send: read answer: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		var created struct {
			SID string `json:"sid"`
		}
		if err := json.Unmarshal(body, &created); err != nil || created.SID == "" {
			return "", fmt.Errorf("twilio send: answer %s without a message sid", resp.Status)
		}
		return created.SID, nil
	}
	return "", twilioFailure("twilio send", resp, body)
}

// twilioFailure is the error of an answer that is not 2xx: permanent where
// Twilio would refuse the same request again, waiting as long as a 429's
// Retry-After asks.
func twilioFailure(what string, resp *http.Response, body []byte) error {
	var te twilioError
	_ = json.Unmarshal(body, &te)
	err := fmt.Errorf("%s: %s, error %d: %s", what, resp.Status, te.Code, te.Message)
	if twilioPermanent(resp.StatusCode, te.Code) {
		return fmt.Errorf("%w: %w", err, channel.ErrPermanent)
	}
	return channel.Throttled(resp, time.Now(), err)
}

// resendLookback is how far before a message was written a resend looks
// for an earlier try's message at Twilio (clocks differ), and lookPages how
// many pages of the recipient's messages, newest first, it reads.
const (
	resendLookback = 2 * time.Minute
	lookPages      = 5
)

// sentBefore finds the message an earlier try of msg created, if any: the
// recipient's messages (GET …/Messages.json?To=, newest first) created since
// msg was written, from the same sender, with the same body. It returns
// the message's sid, or "" when there is none.
func (t *Twilio) sentBefore(ctx context.Context, acct channel.Account, msg OutboundSMS) (string, error) {
	sid, token := acct.Settings[SettingAccountSID], acct.Settings[SettingAuthToken]
	from := acct.Address
	if acct.Settings[SettingMessagingServiceSID] != "" {
		from = "" // the service picks the sender: any of its numbers
	}
	since := msg.Since.Add(-resendLookback)
	next := "/2010-04-01/Accounts/" + url.PathEscape(sid) + "/Messages.json?" + url.Values{"To": {msg.To}, "PageSize": {"50"}}.Encode()
	for range lookPages {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.apiBase+next, nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Accept", "application/json")
		req.SetBasicAuth(sid, token)
		resp, err := t.http.Do(req)
		if err != nil {
			return "", err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		if resp.StatusCode/100 != 2 {
			return "", twilioFailure("twilio list messages", resp, body)
		}
		var page struct {
			Messages []struct {
				SID         string `json:"sid"`
				From        string `json:"from"`
				Body        string `json:"body"`
				Direction   string `json:"direction"`
				DateCreated string `json:"date_created"`
			} `json:"messages"`
			NextPageURI string `json:"next_page_uri"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return "", fmt.Errorf("twilio list messages: %w", err)
		}
		for _, m := range page.Messages {
			created, err := time.Parse(time.RFC1123Z, m.DateCreated)
			if err != nil {
				continue
			}
			if created.Before(since) {
				return "", nil // newest first: nothing older can be ours
			}
			if strings.HasPrefix(m.Direction, "outbound") && m.Body == msg.Body && (from == "" || m.From == from) {
				return m.SID, nil
			}
		}
		if page.NextPageURI == "" {
			return "", nil
		}
		next = page.NextPageURI
	}
	return "", nil
}

// twilioUnsubscribed is Twilio's error for a message to a recipient who has
// opted out of the sender (replied STOP); in a status callback it is recorded
// as the customer's opt-out.
const twilioUnsubscribed = 21610

// twilioPermanent reports whether a refused send would be refused again: a
// request Twilio judged wrong (400, 404: an invalid or unsubscribed number, an
// unknown sender) is; rate limits, outages and credentials, which an
// administrator may fix meanwhile (401, 403, 429, 5xx), are retried.
func twilioPermanent(status, code int) bool {
	switch code {
	case 21211, // invalid 'To' number
		twilioUnsubscribed, // the recipient replied STOP
		21612,              // the 'To' number is not reachable from this sender
		21614:              // 'To' is not a mobile number
		return true
	}
	return status == http.StatusBadRequest || status == http.StatusNotFound
}

// Respond answers a webhook with TwiML: an empty <Response/>, or one <Message>.
func (*Twilio) Respond(reply string) (string, []byte) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if reply == "" {
		b.WriteString("<Response/>")
	} else {
		b.WriteString("<Response><Message>")
		xml.EscapeText(&b, []byte(reply))
		b.WriteString("</Message></Response>")
	}
	return "text/xml; charset=utf-8", b.Bytes()
}
