// Package persona holds a business's customers as that business knows them: one
// persona per relationship, with identifiers on each channel (email, phone,
// widget user, social handle), facts and preferences. A contact from a known
// identifier lands on the same persona; personas can be merged and unmerged.
// It is pure: persistence is in store, orchestration in conversation.
package persona

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Persona is one customer relationship with one tenant.
type Persona struct {
	ID         string            `json:"id"`
	TenantID   string            `json:"tenant_id"`
	Name       string            `json:"name"`
	TimeZone   string            `json:"time_zone"`
	Language   string            `json:"language"`
	Attributes map[string]string `json:"attributes"`
	// MergedInto names the persona this one was merged into, if any.
	MergedInto  string       `json:"merged_into,omitempty"`
	Identifiers []Identifier `json:"identifiers"`
	// Claims are addresses the customer typed into a form (a chat's pre-chat
	// email, the offline form) without proving them. They are shown to agents
	// and may be answered to by hand, but never find this persona: the inbound
	// path does not look them up, so the address's owner writing in lands on
	// their own persona.
	Claims    []Identifier `json:"claims,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// Kind is the sort of address an identifier is.
type Kind string

// The identifier kinds. Social handles are "social:<network>".
const (
	KindEmail    Kind = "email"
	KindPhone    Kind = "phone"
	KindWidget   Kind = "widget"   // a web-chat visitor, by the business's user id or a visitor id
	KindExternal Kind = "external" // the business's own customer id
	KindAPI      Kind = "api"      // an id in a business system posting through the API channel
	KindTelegram Kind = "telegram" // a Telegram private chat with a tenant's bot, by its chat id
)

// Identifier is one way to reach or recognise a persona. Verified says the
// customer proved it, VerifiedBy how (or, for a claim, where it was typed), and
// VerifiedAt when.
type Identifier struct {
	Kind       Kind      `json:"kind"`
	Value      string    `json:"value"`
	Verified   bool      `json:"verified"`
	VerifiedBy Method    `json:"verified_by,omitempty"`
	VerifiedAt time.Time `json:"verified_at,omitzero"`
}

func (i Identifier) String() string { return string(i.Kind) + ":" + i.Value }

// telegramChatID is a private chat's id as Telegram sends it.
var telegramChatID = regexp.MustCompile(`^[1-9][0-9]{0,15}$`)

// Normalize checks an identifier and puts it in canonical form, so that the same
// address written two ways finds the same persona.
func Normalize(kind Kind, raw string) (Identifier, error) {
	v := strings.TrimSpace(raw)
	switch {
	case kind == KindEmail:
		a, err := mail.ParseAddress(v)
		if err != nil {
			return Identifier{}, fmt.Errorf("email %q: not a valid address", raw)
		}
		v = strings.ToLower(a.Address)
	case kind == KindPhone:
		p, err := E164(v)
		if err != nil {
			return Identifier{}, err
		}
		v = p
	case kind == KindTelegram:
		// Telegram's chat ids are integers of up to 52 bits; a private
		// chat's is the user's id, positive.
		if !telegramChatID.MatchString(v) {
			return Identifier{}, fmt.Errorf("telegram chat id %q: a positive integer of up to 16 digits", raw)
		}
	case kind == KindWidget, kind == KindExternal, kind == KindAPI:
		if v == "" || len(v) > 200 {
			return Identifier{}, fmt.Errorf("%s id must be 1–200 characters", kind)
		}
	case strings.HasPrefix(string(kind), "social:") && len(kind) > len("social:"):
		v = strings.ToLower(strings.TrimPrefix(v, "@"))
		if v == "" || len(v) > 100 {
			return Identifier{}, fmt.Errorf("%s handle must be 1–100 characters", kind)
		}
	default:
		return Identifier{}, fmt.Errorf("unknown identifier kind %q", kind)
	}
	return Identifier{Kind: kind, Value: v}, nil
}

// E164 turns a phone number written with spaces, dashes, dots or brackets into
// E.164 (+ and 8–15 digits). Numbers without a country code are refused: we
// cannot guess the country.
func E164(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if !strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("phone %q: write it with the country code, as +CC…", raw)
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s[1:] {
		switch {
		case unicode.IsDigit(r) && r < 128:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("phone %q: unexpected character %q", raw, r)
		}
	}
	n := b.Len() - 1
	if n < 8 || n > 15 || b.String()[1] == '0' {
		return "", fmt.Errorf("phone %q: E.164 numbers have 8–15 digits and no leading 0", raw)
	}
	return b.String(), nil
}
