// Package webpush is the Web Push channel: notifications to a customer's
// browser through the push service its subscription names (RFC 8030),
// encrypted for that browser alone (aes128gcm, RFC 8291) and signed with the
// center's VAPID key (RFC 8292). A persona's subscriptions are stored by the
// portal; the sender addresses one of them at a time, as the subscription's
// JSON in Outbound.To. The channel only sends: push services report nothing
// back, so a send is "sent" and a read is learnt when the customer opens the
// link.
package webpush

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// Name is the channel's key, and the persona identifier kind it addresses.
const Name = "webpush"

// LinkHeader is the Outbound.Headers key whose value is the absolute URL the
// notification opens when the customer clicks it (the payload's "url").
const LinkHeader = "Link"

// UrgencyHeader is the Outbound.Headers key for RFC 8030's Urgency:
// "very-low", "low", "normal" or "high"; anything else is left out.
const UrgencyHeader = "Urgency"

// DefaultTTL is how long a push service keeps a message for a browser that is
// offline, when Config.TTL is zero.
const DefaultTTL = 24 * time.Hour

// Config is the center's VAPID identity and how it reaches push services.
type Config struct {
	// PublicKey and PrivateKey are the VAPID key pair (P-256), base64url as
	// GenerateKeys returns them. Browsers subscribe with PublicKey as their
	// applicationServerKey; a push service accepts only messages signed with
	// the matching private key.
	PublicKey, PrivateKey string
	// Subscriber is whom a push service's operator contacts about our
	// traffic: "mailto:ops@center.example" or an https URL (the JWT's sub).
	Subscriber string
	// HTTP reaches the push services; nil means a client with a 30-second
	// timeout that connects to public addresses only. A subscription's
	// endpoint is whatever a browser (or someone posing as one) handed the
	// portal, so give a netguard client: the node gives one with the
	// operator's allow-list.
	HTTP *http.Client
	// TTL is how long a push service keeps an undelivered message; zero means
	// DefaultTTL.
	TTL time.Duration
	// Clock stamps the VAPID tokens' expiry and tells when to renew them;
	// nil means the system clock.
	Clock clock.Clock
}

// Channel is the Web Push channel.
type Channel struct {
	public string // base64url without padding
	vapid  *vapid
	http   *http.Client
	ttl    string // seconds
}

// New checks the VAPID keys and returns the channel.
func New(c Config) (*Channel, error) {
	priv, err := decodeKey(c.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	// Parsed once here, not per send: deriving the key pair from the scalar
	// costs as much as the rest of a send.
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), priv)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	own, err := key.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	pub, err := decodeKey(c.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID public key: %w", err)
	}
	if !bytes.Equal(pub, own) {
		return nil, errors.New("webpush: the VAPID public key is not the private key's")
	}
	if !contact(c.Subscriber) {
		return nil, fmt.Errorf("webpush: subscriber %q must be a mailto: or https: URL", c.Subscriber)
	}
	if c.HTTP == nil {
		c.HTTP = netguard.New(netguard.Options{}).Client(30 * time.Second)
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	public := base64.RawURLEncoding.EncodeToString(pub)
	return &Channel{public: public, http: c.HTTP, ttl: strconv.Itoa(int(c.TTL / time.Second)),
		vapid: &vapid{key: key, k: public, subject: c.Subscriber, clock: c.Clock, tokens: map[string]vapidToken{}}}, nil
}

// contact reports whether s is a VAPID contact (RFC 8292 §2.1): a mailto:
// or an https URL. It goes into the token as it is.
func contact(s string) bool {
	for _, scheme := range []string{"mailto:", "https://"} {
		if rest, ok := strings.CutPrefix(s, scheme); ok && rest != "" {
			return true
		}
	}
	return false
}

// GenerateKeys makes a VAPID key pair: the public key as an uncompressed P-256
// point and the private key as its 32-byte scalar, both base64url without
// padding (the form a browser's applicationServerKey takes).
func GenerateKeys() (public, private string, err error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("webpush: generate VAPID keys: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(key.Bytes()), nil
}

// PublicKey is the VAPID public key browsers subscribe with.
func (c *Channel) PublicKey() string { return c.public }

// Name is "webpush".
func (*Channel) Name() string { return Name }

// Capabilities of Web Push: a short notice to a subscribed browser.
func (*Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Identifier: Name}
}

// Send encrypts the notification for the subscription in out.To and posts
// it to its push service. The Topic is derived from the message id, so a
// retry replaces a copy the push service still holds instead of adding one.
// A subscription that is gone (404, 410) or a message the service will never
// take (400, 413) is channel.ErrPermanent; anything else is retried.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	sub, to, err := parseSubscription(out.To)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("webpush: %w: %w", err, channel.ErrPermanent)
	}
	payload, err := Payload(out)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("webpush: %w: %w", err, channel.ErrPermanent)
	}
	body, err := seal(payload, to.key, to.auth)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("webpush: encrypt for %s: %w: %w", sub.host(), err, channel.ErrPermanent)
	}
	auth, err := c.vapid.authorization(to.origin())
	if err != nil {
		return channel.Sent{}, fmt.Errorf("webpush: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		// The endpoint parsed in parseSubscription; the error would quote it.
		return channel.Sent{}, fmt.Errorf("webpush: request to %s: %w", sub.host(), channel.ErrPermanent)
	}
	h := req.Header
	h.Set("Authorization", auth)
	h.Set("Content-Encoding", "aes128gcm")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("TTL", c.ttl)
	if t := topic(out.MessageID); t != "" {
		h.Set("Topic", t)
	}
	switch u := header(out.Headers, UrgencyHeader); u {
	case "very-low", "low", "normal", "high":
		h.Set("Urgency", u)
	}
	resp, err := c.http.Do(req)
	if refused := (*netguard.RefusedError)(nil); errors.As(err, &refused) {
		// Not the url.Error itself: it would quote the endpoint's path.
		return channel.Sent{}, fmt.Errorf("webpush: push endpoint is not a public address: %w: %w", refused, channel.ErrPermanent)
	}
	if err != nil {
		// Not the url.Error itself: it would quote the endpoint's path.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return channel.Sent{}, fmt.Errorf("webpush: post to %s: %w", sub.host(), err)
	}
	defer resp.Body.Close()
	detail, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		id := resp.Header.Get("Location") // the push message's resource (RFC 8030 §5)
		if id == "" {
			id = out.MessageID
		}
		return channel.Sent{ExternalID: id, Status: "sent"}, nil
	case code == http.StatusNotFound || code == http.StatusGone:
		return channel.Sent{}, fmt.Errorf("webpush: %s: the subscription is gone (%d): %w", sub.host(), code, channel.ErrPermanent)
	case code == http.StatusBadRequest || code == http.StatusRequestEntityTooLarge:
		return channel.Sent{}, fmt.Errorf("webpush: %s refused the message (%d %s): %w", sub.host(), code, oneLine(detail), channel.ErrPermanent)
	default:
		err := fmt.Errorf("webpush: %s answered %d %s", sub.host(), code, oneLine(detail))
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			err = fmt.Errorf("%w (retry after %s)", err, oneLine([]byte(ra)))
		}
		return channel.Sent{}, err
	}
}

// topic is RFC 8030's Topic for a message id: at most 32 characters of the
// base64url alphabet, the same for every try of one message.
func topic(messageID string) string {
	if messageID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(messageID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// header is h[key] looked up without regard to case.
func header(h map[string]string, key string) string {
	if v, ok := h[key]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// oneLine is a push service's answer fit for an error message.
func oneLine(b []byte) string {
	return cut(oneLineText(string(b)), 200)
}

// decodeKey reads base64url with or without padding, the forms keys come in.
func decodeKey(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(s), "="))
}
