package store

import (
	"context"
	"fmt"
	"time"
)

// ContextConnector is a tenant's business system as stored; the connect
// package owns its meaning. SealedSecret is the signing secret encrypted
// under the server's key: the store never sees it in the clear.
type ContextConnector struct {
	ID, TenantID, Name, URL string
	SealedSecret            string
	Budget, CacheTTL        time.Duration
	Active                  bool
	CreatedAt, UpdatedAt    time.Time
}

// ContextCall is one call a node made to a connector.
type ContextCall struct {
	ID, TenantID, ConnectorID string
	At                        time.Time
	Duration                  time.Duration
	Status                    string
	HTTPStatus                int
	Error                     string
}

const contextConnectorColumns = `id, tenant_id, name, url, sealed_secret, budget_ms, cache_ttl_ms, active, created_at, updated_at`

func scanContextConnector(row interface{ Scan(...any) error }) (ContextConnector, error) {
	var c ContextConnector
	var budget, ttl, created, updated int64
	err := row.Scan(&c.ID, &c.TenantID, &c.Name, &c.URL, &c.SealedSecret, &budget, &ttl, &c.Active, &created, &updated)
	c.Budget, c.CacheTTL = time.Duration(budget)*time.Millisecond, time.Duration(ttl)*time.Millisecond
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

// CreateContextConnector stores a new connector; a name the tenant already
// uses is ErrConflict.
func (s *Store) CreateContextConnector(ctx context.Context, c ContextConnector) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO context_connectors (`+contextConnectorColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.TenantID, c.Name, c.URL, c.SealedSecret, c.Budget.Milliseconds(), c.CacheTTL.Milliseconds(), c.Active,
		micros(c.CreatedAt), micros(c.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("context connector name %q is taken: %w", c.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create context connector: %w", err)
	}
	return nil
}

// ContextConnector returns the tenant's connector with id.
func (s *Store) ContextConnector(ctx context.Context, tenantID, id string) (ContextConnector, error) {
	c, err := scanContextConnector(s.r.QueryRowContext(ctx, `SELECT `+contextConnectorColumns+`
		FROM context_connectors WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return c, notFound("context connector "+id, err)
	}
	return c, nil
}

// ContextConnectors lists the tenant's connectors by name; with activeOnly,
// the active ones. A tenant has a handful, so there is no paging.
func (s *Store) ContextConnectors(ctx context.Context, tenantID string, activeOnly bool) ([]ContextConnector, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+contextConnectorColumns+` FROM context_connectors
		WHERE tenant_id = $1 AND (active OR NOT $2) ORDER BY name, id`, tenantID, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("list context connectors: %w", err)
	}
	return collect(rows, scanContextConnector)
}

// UpdateContextConnector rewrites the connector's settings and secret.
func (s *Store) UpdateContextConnector(ctx context.Context, c ContextConnector) error {
	res, err := s.w.ExecContext(ctx, `UPDATE context_connectors
		SET name = $3, url = $4, sealed_secret = $5, budget_ms = $6, cache_ttl_ms = $7, active = $8, updated_at = $9
		WHERE tenant_id = $1 AND id = $2`,
		c.TenantID, c.ID, c.Name, c.URL, c.SealedSecret, c.Budget.Milliseconds(), c.CacheTTL.Milliseconds(), c.Active, micros(c.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("context connector name %q is taken: %w", c.Name, ErrConflict)
	}
	return affectedOne("update context connector "+c.ID, res, err)
}

// DeleteContextConnector deletes the connector and its calls.
func (s *Store) DeleteContextConnector(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM context_connectors WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete context connector "+id, res, err)
}

// ContextCallsKept is how long calls are kept for the figures.
const ContextCallsKept = 7 * 24 * time.Hour

// RecordContextCalls stores calls to the tenant's connectors and deletes
// their calls older than ContextCallsKept before the newest.
func (s *Store) RecordContextCalls(ctx context.Context, tenantID string, calls []ContextCall) error {
	for _, c := range calls {
		_, err := s.w.ExecContext(ctx, `INSERT INTO context_connector_calls
			(id, tenant_id, connector_id, at, duration_us, status, http_status, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			c.ID, tenantID, c.ConnectorID, micros(c.At), c.Duration.Microseconds(), c.Status, c.HTTPStatus, c.Error)
		if err != nil {
			return fmt.Errorf("record context call: %w", err)
		}
		if _, err := s.w.ExecContext(ctx, `DELETE FROM context_connector_calls WHERE tenant_id = $1 AND connector_id = $2 AND at < $3`,
			tenantID, c.ConnectorID, micros(c.At.Add(-ContextCallsKept))); err != nil {
			return fmt.Errorf("prune context calls: %w", err)
		}
	}
	return nil
}

// ContextCalls returns the connector's calls since a time, newest first, at
// most limit.
func (s *Store) ContextCalls(ctx context.Context, tenantID, connectorID string, since time.Time, limit int) ([]ContextCall, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, tenant_id, connector_id, at, duration_us, status, http_status, error
		FROM context_connector_calls WHERE tenant_id = $1 AND connector_id = $2 AND at >= $3
		ORDER BY at DESC, id DESC LIMIT $4`, tenantID, connectorID, micros(since), limit)
	if err != nil {
		return nil, fmt.Errorf("context calls: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (ContextCall, error) {
		var c ContextCall
		var at, us int64
		err := row.Scan(&c.ID, &c.TenantID, &c.ConnectorID, &at, &us, &c.Status, &c.HTTPStatus, &c.Error)
		c.At, c.Duration = fromMicros(at), time.Duration(us)*time.Microsecond
		return c, err
	})
}
