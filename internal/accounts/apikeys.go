package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// keyCacheTTL bounds how long a node trusts a key it verified: a revocation on
// another node takes effect here within this time (at once on the revoking node).
const keyCacheTTL = 10 * time.Second

// touchEvery bounds how often a key's last-used time is written.
const touchEvery = time.Minute

type cachedKey struct {
	key     tenant.APIKey
	fetched time.Time
}

// CreateAPIKey makes a key for a business system and returns it with the secret,
// which is never shown again.
func (s *Service) CreateAPIKey(ctx context.Context, a Actor, name string, scopes []string) (tenant.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return tenant.APIKey{}, "", &tenant.FieldError{Field: "name", Reason: "is required"}
	}
	if err := textfield.Line("name", name, textfield.MaxName); err != nil {
		return tenant.APIKey{}, "", err
	}
	sc, err := tenant.ParseScopes(scopes)
	if err != nil {
		return tenant.APIKey{}, "", err
	}
	k := tenant.APIKey{ID: ids.New(), TenantID: a.TenantID, Name: name, Scopes: sc, CreatedBy: a.ID, CreatedAt: s.clock.Now()}
	secret, hash, err := auth.NewAPIKey(s.pepper, k.ID)
	if err != nil {
		return k, "", err
	}
	k.SecretHash = hash
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, k.CreatedAt, "api_key.create", "api_key", k.ID, map[string]any{"name": k.Name, "scopes": k.Scopes}); err != nil {
			return err
		}
		_, err := tx.Emit(ctx, k.TenantID, event.APIKeyCreated, k)
		return err
	})
	return k, secret, err
}

// APIKeys lists the tenant's keys.
func (s *Service) APIKeys(ctx context.Context, tenantID string, page store.Page) ([]tenant.APIKey, error) {
	return s.db.APIKeys(ctx, tenantID, page)
}

// APIKey returns one of the tenant's keys.
func (s *Service) APIKey(ctx context.Context, tenantID, id string) (tenant.APIKey, error) {
	return s.db.APIKey(ctx, tenantID, id)
}

// RevokeAPIKey stops a key from working.
func (s *Service) RevokeAPIKey(ctx context.Context, a Actor, id string) error {
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		now := s.clock.Now()
		if err := tx.RevokeAPIKey(ctx, a.TenantID, id, now); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, now, "api_key.revoke", "api_key", id, nil); err != nil {
			return err
		}
		_, err := tx.Emit(ctx, a.TenantID, event.APIKeyRevoked, map[string]string{"id": id})
		return err
	})
	if err == nil {
		s.keysMu.Lock()
		delete(s.keys, id)
		s.keysMu.Unlock()
	}
	return err
}

// VerifyAPIKey returns the live key a presented secret belongs to. Keys verified
// recently are served from memory, so the common path costs one HMAC and no I/O.
func (s *Service) VerifyAPIKey(ctx context.Context, presented string) (tenant.APIKey, error) {
	id, secret, err := auth.ParseAPIKey(presented)
	if err != nil {
		return tenant.APIKey{}, ErrUnauthenticated
	}
	now := s.clock.Now()
	s.keysMu.Lock()
	c, ok := s.keys[id]
	s.keysMu.Unlock()
	if !ok || now.Sub(c.fetched) > keyCacheTTL {
		k, err := s.db.APIKeyByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return tenant.APIKey{}, ErrUnauthenticated
		}
		if err != nil {
			return tenant.APIKey{}, err
		}
		c = cachedKey{key: k, fetched: now}
		if now.Sub(k.LastUsedAt) > touchEvery {
			if err := s.db.TouchAPIKey(ctx, id, now); err != nil {
				return tenant.APIKey{}, err
			}
			c.key.LastUsedAt = now
		}
		s.keysMu.Lock()
		s.keys[id] = c
		s.keysMu.Unlock()
	}
	if !c.key.RevokedAt.IsZero() || !auth.CheckAPIKeySecret(s.pepper, secret, c.key.SecretHash) {
		return tenant.APIKey{}, ErrUnauthenticated
	}
	return c.key, nil
}
