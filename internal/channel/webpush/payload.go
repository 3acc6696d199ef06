package webpush

import (
	"bytes"
	"crypto/ecdh"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// MaxPayload is the longest payload sent, in bytes: what fits one 4096-byte
// aes128gcm record (the size every push service must accept, RFC 8030 §7.2)
// after its 86-byte header, the padding delimiter and the 16-byte tag.
const MaxPayload = recordSize - headerSize - 1 - 16

// maxTitle bounds the title in characters; a browser shows a line of it.
const maxTitle = 200

// ellipsis marks text that was cut.
const ellipsis = "…"

// Subscription is a browser's PushSubscription as its toJSON() gives it.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     Keys   `json:"keys"`
}

// Keys are the subscription's public key (an uncompressed P-256 point) and
// auth secret (16 bytes), base64url.
type Keys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// ParseSubscription reads a subscription's JSON and checks it (Validate).
func ParseSubscription(s string) (Subscription, error) {
	sub, _, err := parseSubscription(s)
	return sub, err
}

// parseSubscription is ParseSubscription that keeps what it decoded.
func parseSubscription(s string) (Subscription, target, error) {
	var sub Subscription
	if err := json.Unmarshal([]byte(s), &sub); err != nil {
		return sub, target{}, fmt.Errorf("push subscription is not JSON: %w", err)
	}
	t, err := sub.target()
	return sub, t, err
}

// Validate checks that a message can be encrypted for the subscription and
// posted to it: an https endpoint, a public key on P-256 and a 16-byte auth
// secret. Endpoints in the clear are refused: RFC 8030 requires TLS.
func (s Subscription) Validate() error {
	_, err := s.target()
	return err
}

// target is a checked subscription, decoded for sending.
type target struct {
	endpoint *url.URL
	key      *ecdh.PublicKey
	auth     []byte
}

// target checks the subscription (Validate) and decodes it.
func (s Subscription) target() (target, error) {
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return target{}, errors.New("push subscription endpoint must be an https URL")
	}
	raw, err := decodeKey(s.Keys.P256dh)
	if err != nil {
		return target{}, fmt.Errorf("push subscription p256dh: %w", err)
	}
	key, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		return target{}, fmt.Errorf("push subscription p256dh: %w", err)
	}
	auth, err := decodeKey(s.Keys.Auth)
	if err != nil || len(auth) != 16 {
		return target{}, errors.New("push subscription auth must be 16 bytes, base64url")
	}
	return target{endpoint: u, key: key, auth: auth}, nil
}

// origin is the push service's origin, the audience of its VAPID token.
func (t target) origin() string { return t.endpoint.Scheme + "://" + t.endpoint.Host }

// JSON is the subscription as Outbound.To carries it.
func (s Subscription) JSON() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// host names the push service in errors; the endpoint's path is the
// subscription's secret and stays out of logs.
func (s Subscription) host() string {
	if u, err := url.Parse(s.Endpoint); err == nil {
		return u.Host
	}
	return "push service"
}

// message is what the center's service worker receives.
type message struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url,omitempty"`
	ID    string `json:"id"`
}

// Payload is the JSON the browser's service worker receives:
// {"title", "body", "url", "id"} from the subject, the body, the LinkHeader
// and the message id. A body too long for MaxPayload is cut, at a word where
// one is near, with "…"; a message that would not fit even without its body
// is an error.
func Payload(out channel.Outbound) ([]byte, error) {
	m := message{Title: cut(oneLineText(out.Subject), maxTitle), Body: strings.TrimSpace(out.Body),
		URL: header(out.Headers, LinkHeader), ID: out.MessageID}
	if m.URL != "" {
		if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("notification link %q is not an http(s) URL", m.URL)
		}
	}
	b, err := encode(m)
	if err != nil || len(b) <= MaxPayload {
		return b, err
	}
	// The longest cut of the body that fits, found by halving: escapes make
	// the JSON's length no simple function of the body's.
	body := m.Body
	lo, hi := 0, len(body)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		m.Body = cutBytes(body, mid, false)
		if b, err := encode(m); err == nil && len(b) <= MaxPayload {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	m.Body = cutBytes(body, lo, true)
	if b, err = encode(m); err != nil || len(b) <= MaxPayload {
		return b, err
	}
	return nil, fmt.Errorf("notification is %d bytes even without its body; at most %d fit", len(b), MaxPayload)
}

// encode is m as JSON, with <, > and & as they are: the payload is read by a
// service worker, not put into HTML, and escapes would take room.
func encode(m message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode notification: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// cutBytes shortens s to its first n bytes, less a character cut in two,
// plus "…"; atWord cuts at the last space among the final 64 bytes, if
// there is one. Any cut is no longer than the plain one of the same n.
func cutBytes(s string, n int, atWord bool) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	kept := s[:n]
	if i := strings.LastIndexAny(kept, " \n\t"); atWord && i > 0 && i >= n-64 {
		kept = kept[:i]
	}
	return strings.TrimRight(kept, " \n\t") + ellipsis
}

// cut shortens s to at most n characters, the last being "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + ellipsis
}

// oneLineText is s with runs of white space, line breaks included, as one space.
func oneLineText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
