package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Purposes of the signed links in a notice; a token signed for one is
// worthless for the others.
const (
	PurposeRead        = "notify.read"
	PurposePreferences = "notify.prefs"
	PurposeUnsubscribe = "notify.unsub"
)

// How long each link works. Preference links open a session without a
// sign-in, so they are kept short; reading and unsubscribing must keep
// working as long as a customer may dig out an old message.
const (
	readLinkTTL        = 180 * 24 * time.Hour
	preferencesLinkTTL = 30 * 24 * time.Hour
	unsubscribeLinkTTL = 365 * 24 * time.Hour
)

// Links makes and checks the signed links a notice carries: read the full
// content, open the preference page, unsubscribe in one click.
type Links struct {
	signer *auth.Signer
	base   string
	clock  clock.Clock
	issued time.Time // when set, links are made as of then (At)
}

// NewLinks returns links signed with the center's secret key, under baseURL
// (the center's public address).
func NewLinks(secret []byte, baseURL string, clk clock.Clock) *Links {
	return &Links{signer: auth.NewSigner(secret), base: strings.TrimSuffix(baseURL, "/"), clock: clk}
}

// At returns the links as made at issued: their lifetimes count from then.
// A notice's links are made as of the notice's creation, so every try of it
// renders the same text, and a resend that looks for an earlier try at the
// provider by its text finds it.
func (l *Links) At(issued time.Time) *Links {
	c := *l
	c.issued = issued
	return &c
}

// Read is the link to a delivery's full content; opening it marks it read.
func (l *Links) Read(tenantID, deliveryID string) string {
	return l.base + "/n/" + l.sign(PurposeRead, readLinkTTL, tenantID, deliveryID)
}

// Preferences is the link to the persona's preference page, no sign-in
// needed.
func (l *Links) Preferences(tenantID, personaID string) string {
	return l.base + "/portal/p/" + l.sign(PurposePreferences, preferencesLinkTTL, tenantID, personaID)
}

// Unsubscribe is the one-click unsubscribe link (RFC 8058) revoking scope
// for the persona; deliveryID names the notice it came in.
func (l *Links) Unsubscribe(tenantID, personaID, scope, deliveryID string) string {
	return l.base + "/u/" + l.sign(PurposeUnsubscribe, unsubscribeLinkTTL, tenantID, personaID, scope, deliveryID)
}

// fieldCounts are the fields each purpose's token carries.
var fieldCounts = map[string]int{PurposeRead: 2, PurposePreferences: 2, PurposeUnsubscribe: 4}

// Verify checks a token of a link for purpose and returns its fields, in
// the order the link was made with. A forged, expired or malformed token is
// auth.ErrInvalidToken.
func (l *Links) Verify(purpose, token string) ([]string, error) {
	fields, err := l.signer.Verify(purpose, token, "", l.clock.Now())
	if err != nil {
		return nil, err
	}
	if n, ok := fieldCounts[purpose]; !ok || len(fields) != n {
		return nil, auth.ErrInvalidToken
	}
	return fields, nil
}

func (l *Links) sign(purpose string, ttl time.Duration, fields ...string) string {
	issued := l.issued
	if issued.IsZero() {
		issued = l.clock.Now()
	}
	return l.signer.Sign(purpose, fields, "", issued.Add(ttl))
}

// UnsubscribeResult is what a one-click unsubscribe revoked.
type UnsubscribeResult struct {
	TenantID  string `json:"tenant_id"`
	PersonaID string `json:"persona_id"`
	Scope     string `json:"scope"`
	// TypeName is the notification type's name for a "type:" scope.
	TypeName string `json:"type_name,omitempty"`
}

// UnsubscribeInfo reads an unsubscribe token without acting on it, for the
// confirmation page.
func (s *Service) UnsubscribeInfo(ctx context.Context, token string) (UnsubscribeResult, error) {
	f, err := s.links.Verify(PurposeUnsubscribe, token)
	if err != nil {
		return UnsubscribeResult{}, err
	}
	res := UnsubscribeResult{TenantID: f[0], PersonaID: f[1], Scope: f[2]}
	if key, ok := strings.CutPrefix(res.Scope, "type:"); ok {
		res.TypeName = key
		if t, err := s.db.NotificationType(ctx, res.TenantID, key); err == nil {
			res.TypeName = t.Name
		}
	}
	return res, nil
}

// Unsubscribe acts on a one-click unsubscribe token: the scope it names is
// revoked in the persona's consent ledger (source "unsubscribe"). A second
// click finds it revoked and records nothing more.
func (s *Service) Unsubscribe(ctx context.Context, token string) (UnsubscribeResult, error) {
	res, err := s.UnsubscribeInfo(ctx, token)
	if err != nil {
		return res, err
	}
	if !consent.ValidScope(res.Scope) {
		return res, &tenant.FieldError{Field: "token", Reason: fmt.Sprintf("unknown scope %q", res.Scope)}
	}
	f := auth.Fields(token)
	who := Who{Source: consent.SourceUnsubscribe, Actor: "delivery:" + f[3]}
	_, err = s.recordConsent(ctx, res.TenantID, res.PersonaID, res.Scope, false, who, "", true)
	return res, err
}
