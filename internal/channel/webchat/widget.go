package webchat

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// Settings keys of a widget's channel account.
const (
	SettingIdentitySecret = "identity_secret" // HMAC key the business signs its user ids with
	SettingAllowedOrigins = "allowed_origins" // comma-separated origins; "*" or empty = any
	SettingTitle          = "title"
	SettingGreeting       = "greeting"
	SettingOffline        = "offline"        // "true": nobody answers live, show the email form
	SettingPrechatFields  = "prechat_fields" // comma-separated field names
	SettingAccept         = "accept"         // comma-separated MIME types; "image/*" allowed
	SettingMaxUpload      = "max_upload_bytes"
	SettingEndMessage     = "end_message" // shown to the visitor when an agent resolves the chat
	// The business's look, shared by the widget and the help center.
	SettingBrandColor = "brand_color" // #rrggbb, the accent colour
	SettingLogoURL    = "logo_url"    // an https: address or a path on the center (the help center's header)
)

// DefaultEndMessage is what the visitor reads when a chat is resolved, unless
// the widget says otherwise.
const DefaultEndMessage = "This chat has ended. Thank you for talking to us — if you need anything else, start a new chat."

// EndMessage is what the visitor reads when an agent resolves the chat.
func (w Widget) EndMessage() string {
	if m := strings.TrimSpace(w.Settings[SettingEndMessage]); m != "" {
		return m
	}
	return DefaultEndMessage
}

// DefaultAccept is what visitors may upload unless the widget says otherwise.
// SVG is left out on purpose: it is a document that can carry script.
var DefaultAccept = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "video/webm"}

// Widget is a channel account read as a chat widget's configuration.
type Widget struct {
	channel.Account
}

// WidgetConfig is what the widget shows, sent with every session.
type WidgetConfig struct {
	Title          string   `json:"title"`
	Greeting       string   `json:"greeting"`
	Offline        bool     `json:"offline"`
	PrechatFields  []string `json:"prechat_fields"`
	MaxUploadBytes int64    `json:"max_upload_bytes"`
	Accept         []string `json:"accept"`
	EndMessage     string   `json:"end_message"`
	BrandColor     string   `json:"brand_color"` // "" for the widget's own
}

// Config is the widget's display configuration; ceiling caps its upload limit.
func (w Widget) Config(ceiling int64) WidgetConfig {
	off, _ := strconv.ParseBool(w.Settings[SettingOffline])
	return WidgetConfig{Title: w.Settings[SettingTitle], Greeting: w.Settings[SettingGreeting], Offline: off,
		PrechatFields: nonNil(splitList(w.Settings[SettingPrechatFields])), MaxUploadBytes: w.MaxUpload(ceiling), Accept: w.Accept(), EndMessage: w.EndMessage(),
		BrandColor: w.BrandColor()}
}

// BrandColor is the business's colour as #rrggbb in lower case, or "" when
// it set none that holds.
func (w Widget) BrandColor() string {
	c := strings.ToLower(strings.TrimSpace(w.Settings[SettingBrandColor]))
	if len(c) != 7 || c[0] != '#' || strings.Trim(c[1:], "0123456789abcdef") != "" {
		return ""
	}
	return c
}

// MaxUpload is the largest file a visitor may send: the widget's own limit when
// it sets one, never above the node's ceiling.
func (w Widget) MaxUpload(ceiling int64) int64 {
	if n, err := strconv.ParseInt(w.Settings[SettingMaxUpload], 10, 64); err == nil && n > 0 && n < ceiling {
		return n
	}
	return ceiling
}

// Accept lists the MIME types visitors may upload.
func (w Widget) Accept() []string {
	if a := splitList(w.Settings[SettingAccept]); len(a) > 0 {
		return a
	}
	return slices.Clone(DefaultAccept)
}

// Accepts reports whether a file of the (sniffed) content type may be uploaded.
func (w Widget) Accepts(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	for _, a := range w.Accept() {
		a = strings.ToLower(a)
		if a == ct || (strings.HasSuffix(a, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(a, "*"))) {
			return true
		}
	}
	return false
}

// AllowsOrigin reports whether a page at origin may use the widget. A request
// without an Origin header is not from a browser page, so no page is borrowing
// the widget: it is allowed, and the visitor token still decides what it sees.
// Entries are exact origins ("https://shop.example"), "*", or a wildcard for
// subdomains ("https://*.shop.example"). No entries means any origin.
func (w Widget) AllowsOrigin(origin string) bool {
	allowed := splitList(w.Settings[SettingAllowedOrigins])
	if origin == "" || len(allowed) == 0 {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	origin = strings.ToLower(u.Scheme + "://" + u.Host)
	for _, o := range allowed {
		o = strings.ToLower(strings.TrimSuffix(o, "/"))
		switch {
		case o == "*", o == origin:
			return true
		case strings.Contains(o, "://*."):
			scheme, suffix, _ := strings.Cut(o, "://*")
			if u.Scheme == scheme && strings.HasSuffix(strings.ToLower(u.Host), suffix) {
				return true
			}
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
