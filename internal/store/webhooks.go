package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
)

// Webhook records, as stored. The webhook package owns their meaning and converts
// them to its own types (the fields match one for one, so a conversion is a cast):
// store cannot import webhook, since webhook takes a *Store inside transactions.

// WebhookEndpoint is a URL a tenant registered to receive events.
type WebhookEndpoint struct {
	ID          string
	TenantID    string
	URL         string
	Description string
	// SealedSecret is the signing secret as package webhook sealed it
	// ("sealed:…"); a row from before migration 0026 holds it in the clear
	// until a node seals it at start (UnsealedWebhookSecrets).
	SealedSecret string
	EventTypes   []string
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CreatedBy    string // "user:<id>" or "key:<id>"; empty for endpoints older than the column
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID             string
	TenantID       string
	EndpointID     string
	EventID        string
	EventType      string
	Payload        json.RawMessage
	Status         string
	Attempts       int
	LastStatusCode int
	LastError      string
	NextAttemptAt  time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookAttempt is one HTTP request of a delivery and what came back.
type WebhookAttempt struct {
	Attempt      int
	StartedAt    time.Time
	Duration     time.Duration
	StatusCode   int
	ResponseBody string
	Error        string
}

const webhookEndpointColumns = `id, tenant_id, url, description, secret, event_types, active, created_at, updated_at, created_by`

func scanWebhookEndpoint(row interface{ Scan(...any) error }) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	var types string
	var created, updated int64
	err := row.Scan(&e.ID, &e.TenantID, &e.URL, &e.Description, &e.SealedSecret, &types, &e.Active, &created, &updated, &e.CreatedBy)
	e.EventTypes = strings.Fields(types)
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return e, err
}

// CreateWebhookEndpoint stores a new endpoint of the tenant.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, tenantID string, e WebhookEndpoint) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO webhook_endpoints (`+webhookEndpointColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, tenantID, e.URL, e.Description, e.SealedSecret, strings.Join(e.EventTypes, " "), e.Active,
		micros(e.CreatedAt), micros(e.UpdatedAt), e.CreatedBy)
	if err != nil {
		return fmt.Errorf("create webhook endpoint: %w", err)
	}
	return nil
}

// WebhookEndpoint returns the tenant's endpoint with id.
func (s *Store) WebhookEndpoint(ctx context.Context, tenantID, id string) (WebhookEndpoint, error) {
	e, err := scanWebhookEndpoint(s.r.QueryRowContext(ctx, `SELECT `+webhookEndpointColumns+`
		FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return e, notFound("webhook endpoint "+id, err)
	}
	return e, nil
}

// WebhookEndpoints lists the tenant's endpoints after the cursor, oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, tenantID string, page Page) ([]WebhookEndpoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints
		WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	return collect(rows, scanWebhookEndpoint)
}

// ActiveWebhookEndpoints returns every active endpoint of the tenant, for fan-out.
// Tenants have a handful, so subscriptions are matched by the caller.
func (s *Store) ActiveWebhookEndpoints(ctx context.Context, tenantID string) ([]WebhookEndpoint, error) {
	// Every event of an inbound batch asks it: the batch's calls share one.
	rows, err := s.sharedReads().QueryContext(ctx, `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints
		WHERE tenant_id = $1 AND active ORDER BY id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("active webhook endpoints: %w", err)
	}
	return collect(rows, scanWebhookEndpoint)
}

// UpdateWebhookEndpoint rewrites the endpoint's URL, description, secret, event
// types, active flag and updated_at.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, tenantID string, e WebhookEndpoint) error {
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_endpoints
		SET url = $3, description = $4, secret = $5, event_types = $6, active = $7, updated_at = $8, created_by = $9
		WHERE tenant_id = $1 AND id = $2`,
		tenantID, e.ID, e.URL, e.Description, e.SealedSecret, strings.Join(e.EventTypes, " "), e.Active, micros(e.UpdatedAt), e.CreatedBy)
	return affectedOne("update webhook endpoint "+e.ID, res, err)
}

// DeleteWebhookEndpoint deletes the endpoint with its deliveries and attempts.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete webhook endpoint "+id, res, err)
}

const webhookDeliveryColumns = `id, tenant_id, endpoint_id, event_id, event_type, payload, status, attempts,
	last_status_code, last_error, next_attempt_at, created_at, updated_at`

func scanWebhookDelivery(row interface{ Scan(...any) error }) (WebhookDelivery, error) {
	var d WebhookDelivery
	var payload string
	var created, updated int64
	var next sql.NullInt64
	err := row.Scan(&d.ID, &d.TenantID, &d.EndpointID, &d.EventID, &d.EventType, &payload, &d.Status, &d.Attempts,
		&d.LastStatusCode, &d.LastError, &next, &created, &updated)
	d.Payload = json.RawMessage(payload)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMicros(next.Int64), fromMicros(created), fromMicros(updated)
	return d, err
}

// CreateWebhookDelivery stores a delivery of the tenant. Call it in the
// transaction that enqueues its job.
func (s *Store) CreateWebhookDelivery(ctx context.Context, tenantID string, d WebhookDelivery) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO webhook_deliveries (`+webhookDeliveryColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		d.ID, tenantID, d.EndpointID, d.EventID, d.EventType, string(d.Payload), d.Status, d.Attempts,
		d.LastStatusCode, d.LastError, nullMicros(d.NextAttemptAt), micros(d.CreatedAt), micros(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create webhook delivery: %w", err)
	}
	return nil
}

// WebhookDelivery returns the tenant's delivery with id.
func (s *Store) WebhookDelivery(ctx context.Context, tenantID, id string) (WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.r.QueryRowContext(ctx, `SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return d, notFound("webhook delivery "+id, err)
	}
	return d, nil
}

// WebhookDeliveries lists an endpoint's deliveries newest first; page.After is
// the last id of the previous page.
func (s *Store) WebhookDeliveries(ctx context.Context, tenantID, endpointID string, page Page) ([]WebhookDelivery, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries
		WHERE tenant_id = $1 AND endpoint_id = $2 AND ($3 = '' OR id < $3) ORDER BY id DESC LIMIT $4`,
		tenantID, endpointID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	return collect(rows, scanWebhookDelivery)
}

// RequeueWebhookDelivery makes a delivery pending again, due at at (a replay).
// Attempts and the last result are kept as history.
func (s *Store) RequeueWebhookDelivery(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, updated_at = $3
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, micros(at))
	return affectedOne("requeue webhook delivery "+id, res, err)
}

// FailWebhookDelivery gives a delivery up without an attempt, saying why.
func (s *Store) FailWebhookDelivery(ctx context.Context, tenantID, id, reason string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_deliveries
		SET status = 'failed', last_error = $3, next_attempt_at = NULL, updated_at = $4
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, reason, micros(at))
	return affectedOne("fail webhook delivery "+id, res, err)
}

// RecordWebhookAttempt counts an attempt on the delivery, stores it, and sets the
// delivery's status and next attempt (zero: none). It returns the attempt's
// number, one more than the delivery had. It writes twice: call it in a
// transaction.
func (s *Store) RecordWebhookAttempt(ctx context.Context, tenantID, deliveryID string, a WebhookAttempt, status string, next time.Time) (int, error) {
	at := a.StartedAt.Add(a.Duration)
	var n int
	err := s.w.QueryRowContext(ctx, `UPDATE webhook_deliveries
		SET attempts = attempts + 1, status = $3, last_status_code = $4, last_error = $5, next_attempt_at = $6, updated_at = $7
		WHERE tenant_id = $1 AND id = $2 RETURNING attempts`,
		tenantID, deliveryID, status, a.StatusCode, a.Error, nullMicros(next), micros(at)).Scan(&n)
	if err != nil {
		return 0, notFound("record webhook attempt on "+deliveryID, err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO webhook_attempts
		(id, tenant_id, delivery_id, attempt, started_at, duration_us, status_code, response_body, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ids.New(), tenantID, deliveryID, n, micros(a.StartedAt), a.Duration.Microseconds(), a.StatusCode, a.ResponseBody, a.Error)
	if err != nil {
		return 0, fmt.Errorf("record webhook attempt on %s: %w", deliveryID, err)
	}
	return n, nil
}

// WebhookAttempts returns every attempt of the tenant's delivery, in order.
func (s *Store) WebhookAttempts(ctx context.Context, tenantID, deliveryID string) ([]WebhookAttempt, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT attempt, started_at, duration_us, status_code, response_body, error
		FROM webhook_attempts WHERE tenant_id = $1 AND delivery_id = $2 ORDER BY attempt`, tenantID, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts of %s: %w", deliveryID, err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (WebhookAttempt, error) {
		var a WebhookAttempt
		var started, durUS int64
		err := row.Scan(&a.Attempt, &started, &durUS, &a.StatusCode, &a.ResponseBody, &a.Error)
		a.StartedAt, a.Duration = fromMicros(started), time.Duration(durUS)*time.Microsecond
		return a, err
	})
}

// WebhookEndpointsBy returns the tenant's endpoints made (or last changed) by
// creator, "user:<id>" or "key:<id>".
func (s *Store) WebhookEndpointsBy(ctx context.Context, tenantID, creator string) ([]WebhookEndpoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints
		WHERE tenant_id = $1 AND created_by = $2 ORDER BY id`, tenantID, creator)
	if err != nil {
		return nil, fmt.Errorf("webhook endpoints by %s: %w", creator, err)
	}
	es, err := collect(rows, scanWebhookEndpoint)
	if err != nil {
		return nil, fmt.Errorf("webhook endpoints by %s: %w", creator, err)
	}
	return es, nil
}

// WebhookSealedPrefix starts every sealed signing secret; a stored secret
// without it is one from before sealing, still in the clear.
const WebhookSealedPrefix = "sealed:"

// UnsealedWebhookSecrets lists every tenant's endpoints whose secret is still
// stored in the clear (rows older than migration 0026), for sealing.
func (s *Store) UnsealedWebhookSecrets(ctx context.Context) ([]WebhookEndpoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+webhookEndpointColumns+` FROM webhook_endpoints
		WHERE secret NOT LIKE 'sealed:%' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("unsealed webhook secrets: %w", err)
	}
	return collect(rows, scanWebhookEndpoint)
}

// SealWebhookSecret replaces an endpoint's secret in the clear by its sealed
// form, unless it changed meanwhile (a rotation); false then.
func (s *Store) SealWebhookSecret(ctx context.Context, tenantID, id, plain, sealed string) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $4 WHERE tenant_id = $1 AND id = $2 AND secret = $3`,
		tenantID, id, plain, sealed)
	if err != nil {
		return false, fmt.Errorf("seal webhook secret of %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
