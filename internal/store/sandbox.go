package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// SandboxMessage is one thing a tenant in the sandbox would have sent — a
// mail, a text, a push, a webhook — kept instead of sent (internal/sandbox).
type SandboxMessage struct {
	ID       string `json:"id"`
	TenantID string `json:"-"`
	// Kind is how it would have left: "email", "sms", "webpush", "webhook", or
	// another channel's name.
	Kind     string         `json:"kind"`
	From     string         `json:"from"` // the tenant's address on the channel, if any
	To       string         `json:"to"`   // the address, number, subscription or URL
	Subject  string         `json:"subject"`
	Body     string         `json:"body"`
	BodyHTML string         `json:"body_html"` // sanitised before it is stored
	Detail   map[string]any `json:"detail"`
	// Ref is the sender's own id (a message's, a webhook delivery's): a retry
	// of the same send to the same recipient is kept once.
	Ref       string    `json:"ref"`
	CreatedAt time.Time `json:"created_at"`
}

const sandboxColumns = `id, tenant_id, kind, sender, recipient, subject, body, body_html, detail, ref, created_at`

func scanSandboxMessage(row interface{ Scan(...any) error }) (SandboxMessage, error) {
	var m SandboxMessage
	var detail string
	var at int64
	err := row.Scan(&m.ID, &m.TenantID, &m.Kind, &m.From, &m.To, &m.Subject, &m.Body, &m.BodyHTML, &detail, &m.Ref, &at)
	if err != nil {
		return m, err
	}
	m.CreatedAt = fromMicros(at)
	if err := json.Unmarshal([]byte(detail), &m.Detail); err != nil {
		return m, fmt.Errorf("sandbox message %s: detail: %w", m.ID, err)
	}
	return m, nil
}

// CaptureSandbox keeps m and returns the id it is kept under: m's own, or the
// one kept first when the same send (kind, ref, recipient) came before.
func (s *Store) CaptureSandbox(ctx context.Context, m SandboxMessage) (string, error) {
	detail, err := json.Marshal(m.Detail)
	if err != nil {
		return "", fmt.Errorf("capture sandbox message: %w", err)
	}
	if m.Detail == nil {
		detail = []byte("{}")
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO sandbox_outbox (`+sandboxColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (tenant_id, kind, ref, recipient) DO NOTHING`,
		m.ID, m.TenantID, m.Kind, m.From, m.To, m.Subject, m.Body, m.BodyHTML, string(detail), m.Ref, micros(m.CreatedAt))
	if err != nil {
		return "", fmt.Errorf("capture sandbox message: %w", err)
	}
	var id string
	err = s.w.QueryRowContext(ctx, `SELECT id FROM sandbox_outbox WHERE tenant_id = $1 AND kind = $2 AND ref = $3 AND recipient = $4`,
		m.TenantID, m.Kind, m.Ref, m.To).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("capture sandbox message: %w", err)
	}
	return id, nil
}

// SandboxMessages lists a tenant's captured messages, newest first; Page.After
// continues below the given id.
func (s *Store) SandboxMessages(ctx context.Context, tenantID string, page Page) ([]SandboxMessage, error) {
	q := `SELECT ` + sandboxColumns + ` FROM sandbox_outbox WHERE tenant_id = $1`
	args := []any{tenantID}
	if page.After != "" {
		q += ` AND id < $2`
		args = append(args, page.After)
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, page.limit())
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sandbox messages: %w", err)
	}
	return collect(rows, scanSandboxMessage)
}

// SandboxMessage returns one captured message of the tenant.
func (s *Store) SandboxMessage(ctx context.Context, tenantID, id string) (SandboxMessage, error) {
	m, err := scanSandboxMessage(s.r.QueryRowContext(ctx, `SELECT `+sandboxColumns+` FROM sandbox_outbox WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return m, notFound("sandbox message "+id, err)
	}
	return m, nil
}

// SetTenantLive takes a tenant out of the sandbox; ErrNotFound if it is not
// there (unknown, or live already), so two admins switching at once record
// one switch.
func (s *Store) SetTenantLive(ctx context.Context, tenantID string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE tenants SET sandbox = FALSE WHERE id = $1 AND sandbox`, tenantID)
	return affectedOne("sandbox tenant "+tenantID, res, err)
}

// SandboxCopy links a sandbox tenant made from a live one's configuration to
// its original.
type SandboxCopy struct {
	TenantID  string    `json:"tenant_id"`
	SourceID  string    `json:"source_id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// LinkSandboxCopy records that copy was made from source.
func (s *Store) LinkSandboxCopy(ctx context.Context, c SandboxCopy) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sandbox_copies (tenant_id, source_id, created_by, created_at) VALUES ($1, $2, $3, $4)`,
		c.TenantID, c.SourceID, c.CreatedBy, micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("link sandbox copy: %w", err)
	}
	return nil
}

// SandboxCopyOf returns the link of a sandbox copy; ErrNotFound for a tenant
// that is no copy.
func (s *Store) SandboxCopyOf(ctx context.Context, tenantID string) (SandboxCopy, error) {
	var c SandboxCopy
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT tenant_id, source_id, created_by, created_at FROM sandbox_copies WHERE tenant_id = $1`, tenantID).
		Scan(&c.TenantID, &c.SourceID, &c.CreatedBy, &at)
	if err != nil {
		return c, notFound("sandbox copy of "+tenantID, err)
	}
	c.CreatedAt = fromMicros(at)
	return c, nil
}

// SandboxCopies lists the sandbox copies made from a tenant, oldest first.
func (s *Store) SandboxCopies(ctx context.Context, sourceID string) ([]SandboxCopy, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id, source_id, created_by, created_at FROM sandbox_copies WHERE source_id = $1 ORDER BY created_at, tenant_id`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("sandbox copies: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (SandboxCopy, error) {
		var c SandboxCopy
		var at int64
		err := row.Scan(&c.TenantID, &c.SourceID, &c.CreatedBy, &at)
		c.CreatedAt = fromMicros(at)
		return c, err
	})
}
