package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// PutType creates or replaces one of the tenant's notification types, after
// checking it (every template must parse).
func (s *Service) PutType(ctx context.Context, tenantID string, t notice.Type) (notice.Type, error) {
	if err := t.Validate(); err != nil {
		return notice.Type{}, err
	}
	now := s.clock.Now()
	t.TenantID, t.CreatedAt, t.UpdatedAt = tenantID, now, now
	if old, err := s.db.NotificationType(ctx, tenantID, t.Key); err == nil {
		t.CreatedAt = old.CreatedAt
	} else if !errors.Is(err, store.ErrNotFound) {
		return notice.Type{}, err
	}
	if err := s.db.UpsertNotificationType(ctx, t); err != nil {
		return notice.Type{}, err
	}
	return t, nil
}

// Type returns one of the tenant's types.
func (s *Service) Type(ctx context.Context, tenantID, key string) (notice.Type, error) {
	t, err := s.db.NotificationType(ctx, tenantID, key)
	return t, unknownType(key, err)
}

// Types lists the tenant's types by key.
func (s *Service) Types(ctx context.Context, tenantID string) ([]notice.Type, error) {
	return s.db.NotificationTypes(ctx, tenantID)
}

// DeleteType deletes one of the tenant's types; events raised with it and
// their deliveries stay.
func (s *Service) DeleteType(ctx context.Context, tenantID, key string) error {
	return unknownType(key, s.db.DeleteNotificationType(ctx, tenantID, key))
}

// Settings returns the tenant's notification settings.
func (s *Service) Settings(ctx context.Context, tenantID string) (notice.Settings, error) {
	return s.db.NotifySettings(ctx, tenantID)
}

// PutSettings replaces the tenant's notification settings after checking
// them.
func (s *Service) PutSettings(ctx context.Context, tenantID string, st notice.Settings) (notice.Settings, error) {
	if err := validateSettings(&st); err != nil {
		return notice.Settings{}, err
	}
	if err := s.db.SetNotifySettings(ctx, tenantID, st, s.clock.Now()); err != nil {
		return notice.Settings{}, err
	}
	return st, nil
}

func validateSettings(st *notice.Settings) error {
	if err := st.Defaults.Validate(); err != nil {
		var fe *tenant.FieldError
		if errors.As(err, &fe) {
			return &tenant.FieldError{Field: "defaults." + fe.Field, Reason: fe.Reason}
		}
		return err
	}
	if err := checkChannels("defaults.", st.Defaults); err != nil {
		return err
	}
	for c, cp := range st.Caps {
		field := "caps." + string(c)
		switch {
		case !slices.Contains(prefs.Categories, c):
			return &tenant.FieldError{Field: field, Reason: "unknown category; use critical, transactional or marketing"}
		case cp.Max < 1:
			return &tenant.FieldError{Field: field + ".max", Reason: "at least 1"}
		case cp.Window <= 0:
			return &tenant.FieldError{Field: field + ".window", Reason: `a window such as "24h"`}
		}
	}
	for ch, rate := range st.RateLimits {
		if !slices.Contains(notice.Channels, ch) {
			return &tenant.FieldError{Field: "rate_limits." + ch, Reason: "unknown channel"}
		}
		if rate <= 0 {
			return &tenant.FieldError{Field: "rate_limits." + ch, Reason: "sends per second must be above 0"}
		}
	}
	if st.MaxAttempts < 0 || st.MaxAttempts > 20 {
		return &tenant.FieldError{Field: "max_attempts", Reason: "0 (the default, 3) to 20"}
	}
	return nil
}

// checkChannels refuses channel names the center does not know in a set of
// preferences; prefix names where they sit ("defaults.").
func checkChannels(prefix string, p prefs.Preferences) error {
	known := func(ch string) bool { return slices.Contains(notice.Channels, ch) }
	for ch := range p.Channels {
		if !known(ch) {
			return &tenant.FieldError{Field: prefix + "channels." + ch, Reason: "unknown channel"}
		}
	}
	for i, ch := range p.Order {
		if !known(ch) {
			return &tenant.FieldError{Field: fmt.Sprintf("%sorder[%d]", prefix, i), Reason: fmt.Sprintf("unknown channel %q", ch)}
		}
	}
	if p.Retrieval != "" && p.Retrieval != prefs.Web && !known(p.Retrieval) {
		return &tenant.FieldError{Field: prefix + "retrieval", Reason: fmt.Sprintf("unknown channel %q; use web or a channel", p.Retrieval)}
	}
	if p.Response != "" && !known(p.Response) {
		return &tenant.FieldError{Field: prefix + "response", Reason: fmt.Sprintf("unknown channel %q", p.Response)}
	}
	for key, tp := range p.Types {
		for i, ch := range tp.Channels {
			if !known(ch) {
				return &tenant.FieldError{Field: fmt.Sprintf("%stypes.%s.channels[%d]", prefix, key, i), Reason: fmt.Sprintf("unknown channel %q", ch)}
			}
		}
	}
	for c, tp := range p.Categories {
		for i, ch := range tp.Channels {
			if !known(ch) {
				return &tenant.FieldError{Field: fmt.Sprintf("%scategories.%s.channels[%d]", prefix, c, i), Reason: fmt.Sprintf("unknown channel %q", ch)}
			}
		}
	}
	return nil
}
