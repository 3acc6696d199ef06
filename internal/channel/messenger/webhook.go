package messenger

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/meta"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// maxWebhookBytes bounds one webhook POST: Meta batches up to a thousand
// events, each a few hundred bytes.
const maxWebhookBytes = 1 << 20

// Mount registers the webhook of each account: GET answers the set-up
// handshake, POST takes events. The path names the Page's (or Instagram
// account's) id, which finds the account whose verify token and app secret
// apply: /channels/messenger/webhook/{id}, /channels/instagram/webhook/{id}.
func (c *Channel) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /channels/"+c.Name()+"/webhook/{id}", c.handleChallenge)
	mux.HandleFunc("POST /channels/"+c.Name()+"/webhook/{id}", c.handleEvents)
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

// account is the channel's account with the address id.
func (c *Channel) account(r *http.Request, id string) (channel.Account, error) {
	acct, err := c.db.ChannelAccountByAddress(r.Context(), c.Name(), id)
	if errors.Is(err, store.ErrNotFound) {
		return acct, refuse(http.StatusNotFound, "not-found", fmt.Errorf("no tenant has the %s account %q", c.Name(), id))
	}
	return acct, err
}

// handleChallenge answers Meta's GET ?hub.mode=subscribe&hub.verify_token=…
// &hub.challenge=… with the challenge when the token is the account's.
func (c *Channel) handleChallenge(w http.ResponseWriter, r *http.Request) {
	acct, err := c.account(r, r.PathValue("id"))
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	want, err := c.secret(acct, SettingVerifyToken)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	challenge, err := meta.Challenge(r.URL.Query(), func(token string) bool {
		return want != "" && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
	})
	if err != nil {
		c.log.Warn("webhook handshake refused", "tenant_id", acct.TenantID, "err", err)
		c.writeError(w, r, refuse(http.StatusForbidden, "bad-verify-token", err))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, challenge)
}

// handleEvents verifies and takes a batch of events. Each entry is handled
// under the account its id names, provided the signature verifies with that
// account's app secret too (one app may serve several Pages). 200 is answered
// only once everything is stored; a failure answers 500, and Meta's
// redelivery is stored once (by message id).
func (c *Channel) handleEvents(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxWebhookBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		c.writeError(w, r, refuse(http.StatusRequestEntityTooLarge, "too-large", fmt.Errorf("webhook larger than %d bytes", maxWebhookBytes)))
		return
	}
	if err != nil {
		c.writeError(w, r, refuse(http.StatusBadRequest, "malformed", fmt.Errorf("read webhook: %w", err)))
		return
	}
	acct, err := c.account(r, r.PathValue("id"))
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	sig := r.Header.Get(meta.SignatureHeader)
	if err := c.verify(acct, body, sig); err != nil {
		c.log.Warn("webhook refused", "tenant_id", acct.TenantID, "err", err)
		c.writeError(w, r, refuse(http.StatusForbidden, "bad-signature", err))
		return
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		c.writeError(w, r, refuse(http.StatusBadRequest, "malformed", fmt.Errorf("webhook body: %w", err)))
		return
	}
	if p.Object != c.platform.object() {
		c.writeError(w, r, refuse(http.StatusBadRequest, "malformed",
			fmt.Errorf("object %q is not %s's (%q): point the %s webhook at /channels/%s/webhook/", p.Object, c.Name(), c.platform.object(), p.Object, c.Name())))
		return
	}
	for _, e := range p.Entry {
		ea := acct
		if e.ID != acct.Address {
			ea, err = c.account(r, e.ID)
			if err == nil && c.verify(ea, body, sig) != nil {
				err = refuse(http.StatusForbidden, "bad-signature", errors.New("its app secret does not verify this batch"))
			}
			if err != nil {
				var we *webhookError
				if !errors.As(err, &we) {
					c.writeError(w, r, err)
					return
				}
				c.log.Warn("webhook entry skipped", "tenant_id", acct.TenantID, "entry", e.ID, "err", err)
				continue
			}
		}
		for _, ev := range e.Messaging {
			err := c.handle(r.Context(), ea, ev)
			var we *webhookError
			var fe *tenant.FieldError
			if errors.As(err, &we) || errors.As(err, &fe) {
				// One event Meta sent wrong must not hold back the batch:
				// Meta redelivers whatever is not answered 200, this one for
				// ever. It is logged and the rest is stored.
				c.log.Warn("webhook event skipped", "tenant_id", ea.TenantID, "err", err)
				continue
			}
			if err != nil {
				c.writeError(w, r, err)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "EVENT_RECEIVED")
}

// verify checks the signature with the account's app secret.
func (c *Channel) verify(acct channel.Account, body []byte, sig string) error {
	secret, err := c.secret(acct, SettingAppSecret)
	if err != nil {
		c.log.Error("app secret cannot be unsealed", "tenant_id", acct.TenantID, "err", err)
		return meta.ErrBadSignature
	}
	return meta.Verify(secret, body, sig)
}

// writeError answers a refused webhook with an RFC 9457 problem. Store errors
// become 500, so Meta retries later; the cause is logged, not shown.
func (c *Channel) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var we *webhookError
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &we):
	case errors.As(err, &fe):
		we = refuse(http.StatusUnprocessableEntity, "validation", err)
	default:
		c.log.ErrorContext(r.Context(), "webhook failed", "route", r.Pattern, "err", err)
		we = refuse(http.StatusInternalServerError, "internal", errors.New("the events could not be stored; retry later"))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(we.status)
	json.NewEncoder(w).Encode(map[string]any{"type": "urn:switchboard:problem:" + we.kind, "title": http.StatusText(we.status),
		"status": we.status, "detail": we.err.Error()})
}

// payload is a webhook POST: {"object", "entry":[{"id","time","messaging":[…]}]}.
// Events in "standby" (another app holds the thread under the handover
// protocol) are not the center's to answer and are not read.
type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string  `json:"id"`
		Time      int64   `json:"time"`
		Messaging []event `json:"messaging"`
	} `json:"entry"`
}

// event is one entry of messaging[].
type event struct {
	Sender    struct{ ID string } `json:"sender"`
	Recipient struct{ ID string } `json:"recipient"`
	Timestamp int64               `json:"timestamp"`
	Message   *message            `json:"message"`
	Delivery  *struct {
		Mids      []string `json:"mids"`
		Watermark int64    `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Watermark int64  `json:"watermark"` // Messenger: everything sent up to this moment
		Mid       string `json:"mid"`       // Instagram (messaging_seen): this message and those before it
	} `json:"read"`
	Postback *struct {
		Mid     string `json:"mid"`
		Title   string `json:"title"`
		Payload string `json:"payload"`
	} `json:"postback"`
}

// message is a message event's message, the customer's or (is_echo) the
// business's.
type message struct {
	Mid           string       `json:"mid"`
	Text          string       `json:"text"`
	IsEcho        bool         `json:"is_echo"`
	AppID         flexID       `json:"app_id"`
	Metadata      string       `json:"metadata"`
	IsDeleted     bool         `json:"is_deleted"`
	IsUnsupported bool         `json:"is_unsupported"`
	Attachments   []attachment `json:"attachments"`
	QuickReply    *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply"`
	ReplyTo *struct {
		Mid   string `json:"mid"`
		Story *struct {
			ID  string `json:"id"`
			URL string `json:"url"`
		} `json:"story"`
	} `json:"reply_to"`
}

// attachment is one of a message's attachments.
type attachment struct {
	Type    string `json:"type"` // image, video, audio, file, story_mention, share, ig_reel, reel, template, fallback, location
	Title   string `json:"title"`
	URL     string `json:"url"`
	Payload struct {
		URL         string `json:"url"`
		Title       string `json:"title"`
		StickerID   flexID `json:"sticker_id"`
		Coordinates *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates"`
	} `json:"payload"`
}

// flexID is an id Meta writes as a number in some payloads and a string in
// others (app_id, sticker_id).
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "null" {
		s = ""
	}
	*f = flexID(s)
	return nil
}
