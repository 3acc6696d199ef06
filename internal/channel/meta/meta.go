// Package meta holds what Meta's platforms share — WhatsApp Business (Cloud
// API), Messenger and Instagram: the webhook's verification handshake, the
// X-Hub-Signature-256 on every POST, and the Graph API's error body with its
// throttling codes. Each channel package (internal/channel/whatsapp,
// internal/channel/messenger) builds on it; nothing here knows a tenant.
package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// SignatureHeader carries the HMAC-SHA256 of a webhook's raw body, keyed with
// the app secret, as "sha256=<hex>".
const SignatureHeader = "X-Hub-Signature-256"

// ErrBadSignature is a webhook whose signature is missing or does not match.
var ErrBadSignature = errors.New("meta: the webhook's X-Hub-Signature-256 does not match")

// Sign is the X-Hub-Signature-256 value of body under appSecret.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a webhook's X-Hub-Signature-256 against its raw body, in
// constant time. An empty secret never verifies.
func Verify(appSecret string, body []byte, header string) error {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if appSecret == "" || !ok {
		return ErrBadSignature
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return ErrBadSignature
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Challenge answers the verification request Meta sends when a webhook is
// set up: GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…. It
// returns the challenge to echo (with 200) when the mode is subscribe and
// the token is one of the tokens accepted, and an error (answer 403) when not.
func Challenge(q url.Values, accepted func(token string) bool) (string, error) {
	if q.Get("hub.mode") != "subscribe" {
		return "", fmt.Errorf("meta: hub.mode is %q, not subscribe", q.Get("hub.mode"))
	}
	token, challenge := q.Get("hub.verify_token"), q.Get("hub.challenge")
	if token == "" || challenge == "" {
		return "", errors.New("meta: hub.verify_token and hub.challenge are required")
	}
	if !accepted(token) {
		return "", errors.New("meta: hub.verify_token is not this center's")
	}
	return challenge, nil
}

// GraphError is the Graph API's error body:
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}.
type GraphError struct {
	Status    int    `json:"-"`
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("graph api answered %d: code %d/%d %s: %s", e.Status, e.Code, e.Subcode, e.Type, e.Message)
}

// throttling are the Graph and WhatsApp codes that mean "too many, later":
// application (4), user (17), page (32) and hourly (613) limits, the business
// use case limits (80001–80014), and WhatsApp's throughput (130429), pair
// (131056) and spam (131048) rate limits.
func throttling(code int) bool {
	switch code {
	case 4, 17, 32, 613, 130429, 131048, 131056:
		return true
	}
	return code >= 80001 && code <= 80014
}

// transient are codes Meta documents as temporary: an unknown or service
// error (1, 2) and WhatsApp's "something went wrong" (131000) and
// "service unavailable" (131016).
func transient(code int) bool {
	switch code {
	case 1, 2, 131000, 131016:
		return true
	}
	return false
}

// DefaultThrottleWait is how long a throttled send waits when the answer names
// no Retry-After: Meta's limits are counted over a rolling hour, and a
// minute lets most of them recover.
const DefaultThrottleWait = time.Minute

// Classify turns a Graph API answer that is not 2xx into the error a channel
// returns: throttled answers wait (the Retry-After header or
// DefaultThrottleWait), server errors and transient codes are retried, and
// any other 4xx is permanent (a bad recipient, an expired token, a closed
// window: retrying the same send cannot help).
func Classify(resp *http.Response, body []byte, now time.Time) error {
	ge := &GraphError{Status: resp.StatusCode}
	var wrapper struct {
		Error *GraphError `json:"error"`
	}
	if json.Unmarshal(body, &wrapper) == nil && wrapper.Error != nil {
		ge = wrapper.Error
		ge.Status = resp.StatusCode
	} else {
		ge.Message = strings.TrimSpace(string(body))
		if len(ge.Message) > 200 {
			ge.Message = ge.Message[:200]
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || throttling(ge.Code) {
		wait, ok := channel.ParseRetryAfter(resp.Header.Get("Retry-After"), now)
		if !ok {
			wait = DefaultThrottleWait
		}
		return channel.RetryLater(wait, ge)
	}
	if resp.StatusCode >= 500 || transient(ge.Code) {
		return ge
	}
	return fmt.Errorf("%w: %w", ge, channel.ErrPermanent)
}
