package store

import (
	"context"
	"fmt"
	"time"
)

// WhatsAppTemplate is one of a tenant's WhatsApp message templates, as Meta
// approved (or not) it: the only message a business may send a customer
// outside the 24-hour customer-service window.
type WhatsAppTemplate struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"-"`
	Name      string    `json:"name"`     // Meta's template name: lowercase, digits, underscores
	Language  string    `json:"language"` // Meta's language code: en, en_US, pt_BR
	Category  string    `json:"category"` // utility, marketing, authentication
	Body      string    `json:"body"`     // with {{1}}, {{2}}… variables
	Status    string    `json:"status"`   // approved, pending, rejected, paused, disabled
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const whatsAppTemplateColumns = `id, tenant_id, name, language, category, body, status, created_at, updated_at`

func scanWhatsAppTemplate(row interface{ Scan(...any) error }) (WhatsAppTemplate, error) {
	var t WhatsAppTemplate
	var created, updated int64
	err := row.Scan(&t.ID, &t.TenantID, &t.Name, &t.Language, &t.Category, &t.Body, &t.Status, &created, &updated)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, err
}

// CreateWhatsAppTemplate stores a new template; a name and language the
// tenant already has is ErrConflict.
func (s *Store) CreateWhatsAppTemplate(ctx context.Context, t WhatsAppTemplate) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO whatsapp_templates (`+whatsAppTemplateColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		t.ID, t.TenantID, t.Name, t.Language, t.Category, t.Body, t.Status, micros(t.CreatedAt), micros(t.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("whatsapp template %s (%s): %w", t.Name, t.Language, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create whatsapp template: %w", err)
	}
	return nil
}

// UpdateWhatsAppTemplate stores a template's new fields; a name and language
// another of the tenant's templates has is ErrConflict.
func (s *Store) UpdateWhatsAppTemplate(ctx context.Context, t WhatsAppTemplate) error {
	res, err := s.w.ExecContext(ctx, `UPDATE whatsapp_templates SET name = $3, language = $4, category = $5, body = $6,
		status = $7, updated_at = $8 WHERE tenant_id = $1 AND id = $2`,
		t.TenantID, t.ID, t.Name, t.Language, t.Category, t.Body, t.Status, micros(t.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("whatsapp template %s (%s): %w", t.Name, t.Language, ErrConflict)
	}
	return affectedOne("update whatsapp template "+t.ID, res, err)
}

// WhatsAppTemplate returns one of the tenant's templates.
func (s *Store) WhatsAppTemplate(ctx context.Context, tenantID, id string) (WhatsAppTemplate, error) {
	t, err := scanWhatsAppTemplate(s.r.QueryRowContext(ctx, `SELECT `+whatsAppTemplateColumns+` FROM whatsapp_templates
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return t, notFound("whatsapp template "+id, err)
	}
	return t, nil
}

// WhatsAppTemplateByName returns the tenant's template of that name and language.
func (s *Store) WhatsAppTemplateByName(ctx context.Context, tenantID, name, language string) (WhatsAppTemplate, error) {
	t, err := scanWhatsAppTemplate(s.r.QueryRowContext(ctx, `SELECT `+whatsAppTemplateColumns+` FROM whatsapp_templates
		WHERE tenant_id = $1 AND name = $2 AND language = $3`, tenantID, name, language))
	if err != nil {
		return t, notFound("whatsapp template "+name+" ("+language+")", err)
	}
	return t, nil
}

// WhatsAppTemplates lists the tenant's templates by name and language.
func (s *Store) WhatsAppTemplates(ctx context.Context, tenantID string) ([]WhatsAppTemplate, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+whatsAppTemplateColumns+` FROM whatsapp_templates
		WHERE tenant_id = $1 ORDER BY name, language`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list whatsapp templates: %w", err)
	}
	return collect(rows, scanWhatsAppTemplate)
}

// DeleteWhatsAppTemplate removes one of the tenant's templates.
func (s *Store) DeleteWhatsAppTemplate(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM whatsapp_templates WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete whatsapp template "+id, res, err)
}

// TouchWhatsAppWindow records that the customer waID wrote to the tenant's
// WhatsApp account at `at`; an older time (a redelivered message) leaves a
// newer one standing.
func (s *Store) TouchWhatsAppWindow(ctx context.Context, tenantID, accountID, waID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO whatsapp_windows (tenant_id, account_id, wa_id, last_inbound)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, account_id, wa_id) DO UPDATE SET last_inbound = excluded.last_inbound
		WHERE whatsapp_windows.last_inbound < excluded.last_inbound`, tenantID, accountID, waID, micros(at))
	if err != nil {
		return fmt.Errorf("touch whatsapp window: %w", err)
	}
	return nil
}

// WhatsAppLastInbound is when the customer waID last wrote to the tenant's
// WhatsApp account; ErrNotFound means never.
func (s *Store) WhatsAppLastInbound(ctx context.Context, tenantID, accountID, waID string) (time.Time, error) {
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT last_inbound FROM whatsapp_windows
		WHERE tenant_id = $1 AND account_id = $2 AND wa_id = $3`, tenantID, accountID, waID).Scan(&at)
	if err != nil {
		return time.Time{}, notFound("whatsapp window", err)
	}
	return fromMicros(at), nil
}
