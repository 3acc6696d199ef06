package webhook

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// Signing secrets are stored sealed (package secretbox, under
// Config.Secrets): a copied table, a backup or an export holds nothing to
// forge a delivery with. The plain secret lives only in Create's and a
// rotation's result, and in the worker for the moment it signs.

// errNoBox is a node configured without a key to seal secrets with.
var errNoBox = errors.New("webhook: no key to seal signing secrets with (Config.Secrets)")

// seal is the stored form of an endpoint's plain secret.
func (c Config) seal(endpointID, plain string) (string, error) {
	if c.Secrets == nil {
		return "", errNoBox
	}
	return store.WebhookSealedPrefix + c.Secrets.Seal(endpointID, plain), nil
}

// open is the plain secret of a stored endpoint. One stored before sealing
// (no prefix) is used as it is until SealStored seals it.
func (c Config) open(e store.WebhookEndpoint) (string, error) {
	sealed, ok := strings.CutPrefix(e.SealedSecret, store.WebhookSealedPrefix)
	if !ok {
		return e.SealedSecret, nil
	}
	if c.Secrets == nil {
		return "", errNoBox
	}
	return c.Secrets.Open(e.ID, sealed)
}

// endpointOf is the endpoint of a stored record, without its plain secret.
func endpointOf(r store.WebhookEndpoint) Endpoint {
	return Endpoint{ID: r.ID, TenantID: r.TenantID, URL: r.URL, Description: r.Description, sealed: r.SealedSecret,
		EventTypes: r.EventTypes, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, CreatedBy: r.CreatedBy}
}

// record is the endpoint as stored: its secret sealed.
func (e Endpoint) record() store.WebhookEndpoint {
	return store.WebhookEndpoint{ID: e.ID, TenantID: e.TenantID, URL: e.URL, Description: e.Description, SealedSecret: e.sealed,
		EventTypes: e.EventTypes, Active: e.Active, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, CreatedBy: e.CreatedBy}
}

// setSecret gives the endpoint a fresh secret, plain in Secret (for the
// caller to show once) and sealed for the store.
func (s *Service) setSecret(e *Endpoint) error {
	plain := NewSecret()
	sealed, err := s.cfg.seal(e.ID, plain)
	if err != nil {
		return err
	}
	e.Secret, e.sealed = plain, sealed
	return nil
}

// SealStored seals the secrets still stored in the clear — every endpoint
// made before secrets were sealed (migration 0026) — and returns how many it
// sealed. Each node runs it at start; it is idempotent, and a secret rotated
// meanwhile is left to its new, sealed value.
func (s *Service) SealStored(ctx context.Context) (int, error) {
	rows, err := s.store.UnsealedWebhookSecrets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		sealed, err := s.cfg.seal(r.ID, r.SealedSecret)
		if err != nil {
			return n, err
		}
		ok, err := s.store.SealWebhookSecret(ctx, r.TenantID, r.ID, r.SealedSecret, sealed)
		if err != nil {
			return n, fmt.Errorf("seal webhook secrets: %w", err)
		}
		if ok {
			n++
		}
	}
	if n > 0 {
		s.log.InfoContext(ctx, "webhook signing secrets sealed", "endpoints", n)
	}
	return n, nil
}
