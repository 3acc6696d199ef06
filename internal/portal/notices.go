package portal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// who is the customer as the consent ledger records them: by the address
// they signed in with, or the persona a link was made for.
func who(s Session) notify.Who {
	actor := s.Identifier
	if actor == "" {
		actor = "persona:" + s.PersonaID
	}
	return notify.Who{Source: consent.SourceCustomer, Actor: "customer:" + actor}
}

// Preferences are the customer's notification preferences at the business.
func (p *Portal) Preferences(ctx context.Context, s Session, tenantID string) (notify.PreferenceView, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return notify.PreferenceView{}, err
	}
	return p.d.Notify.Preferences(ctx, tenantID, ps.ID)
}

// SetPreferences saves the customer's preferences at the business; every
// channel, type or category turned on or off is recorded as their consent.
func (p *Portal) SetPreferences(ctx context.Context, s Session, tenantID string, pr prefs.Preferences) (notify.PreferenceView, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return notify.PreferenceView{}, err
	}
	return p.d.Notify.SetPreferences(ctx, tenantID, ps.ID, pr, who(s))
}

// SetMomentary sets (or, with nil, clears) the customer's momentary
// preference at the business ("only urgent things until Monday").
func (p *Portal) SetMomentary(ctx context.Context, s Session, tenantID string, m *prefs.Momentary) (notify.PreferenceView, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return notify.PreferenceView{}, err
	}
	return p.d.Notify.SetMomentary(ctx, tenantID, ps.ID, m, who(s))
}

// Notices lists the customer's notices from the business, newest first.
func (p *Portal) Notices(ctx context.Context, s Session, tenantID string, page store.Page) ([]notify.DeliveryView, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return nil, err
	}
	return p.d.Notify.Notices(ctx, tenantID, ps.ID, page)
}

// Notice opens one of the customer's notices, which marks it read.
func (p *Portal) Notice(ctx context.Context, s Session, tenantID, deliveryID string) (notify.DeliveryView, error) {
	if _, err := p.ownDelivery(ctx, s, tenantID, deliveryID); err != nil {
		return notify.DeliveryView{}, err
	}
	return p.d.Notify.MarkRead(ctx, tenantID, deliveryID)
}

// ownDelivery checks that the delivery is the session persona's, and returns
// that persona's id. Someone else's delivery answers as missing.
func (p *Portal) ownDelivery(ctx context.Context, s Session, tenantID, deliveryID string) (string, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return "", err
	}
	d, err := p.d.DB.Delivery(ctx, tenantID, deliveryID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.PersonaID != ps.ID) {
		return "", ErrNoAccess
	}
	if err != nil {
		return "", fmt.Errorf("notice %s: %w", deliveryID, err)
	}
	return ps.ID, nil
}

// SubscribePush registers the customer's browser for Web Push notices from
// the business.
func (p *Portal) SubscribePush(ctx context.Context, s Session, tenantID string, sub store.PushSubscription) error {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return err
	}
	if u, err := url.Parse(sub.Endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
		return &tenant.FieldError{Field: "endpoint", Reason: "must be an https URL"}
	}
	if strings.TrimSpace(sub.P256dh) == "" || strings.TrimSpace(sub.Auth) == "" {
		return &tenant.FieldError{Field: "keys", Reason: "p256dh and auth are required"}
	}
	sub.TenantID, sub.PersonaID, sub.ID, sub.CreatedAt = tenantID, ps.ID, ids.New(), p.d.Clock.Now()
	if err := p.d.DB.AddPushSubscription(ctx, sub); err != nil {
		return fmt.Errorf("subscribe push: %w", err)
	}
	return nil
}
