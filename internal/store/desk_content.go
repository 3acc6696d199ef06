package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CannedResponse is a reply an agent inserts by its shortcut; OwnerID "" makes
// it the whole tenant's.
type CannedResponse struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"-"`
	OwnerID   string    `json:"owner_id"`
	Shortcut  string    `json:"shortcut"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MacroAction is one step of a macro.
type MacroAction struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Macro is a named list of actions run in order on a conversation; OwnerID ""
// makes it the whole tenant's.
type Macro struct {
	ID        string        `json:"id"`
	TenantID  string        `json:"-"`
	OwnerID   string        `json:"owner_id"`
	Name      string        `json:"name"`
	Actions   []MacroAction `json:"actions"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

const cannedColumns = `id, tenant_id, owner_id, shortcut, title, body, created_at, updated_at`

func scanCanned(row interface{ Scan(...any) error }) (CannedResponse, error) {
	var c CannedResponse
	var created, updated int64
	err := row.Scan(&c.ID, &c.TenantID, &c.OwnerID, &c.Shortcut, &c.Title, &c.Body, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

// PutCannedResponse inserts or replaces a canned response; a shortcut taken in
// its owner's scope is ErrConflict.
func (s *Store) PutCannedResponse(ctx context.Context, c CannedResponse) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO canned_responses (`+cannedColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET shortcut = excluded.shortcut, title = excluded.title, body = excluded.body, updated_at = excluded.updated_at`,
		c.ID, c.TenantID, c.OwnerID, c.Shortcut, c.Title, c.Body, micros(c.CreatedAt), micros(c.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("canned response shortcut %q is taken: %w", c.Shortcut, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put canned response: %w", err)
	}
	return nil
}

// CannedResponse returns one of the tenant's canned responses.
func (s *Store) CannedResponse(ctx context.Context, tenantID, id string) (CannedResponse, error) {
	c, err := scanCanned(s.r.QueryRowContext(ctx, `SELECT `+cannedColumns+` FROM canned_responses WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return c, notFound("canned response "+id, err)
	}
	return c, nil
}

// CannedResponses lists the tenant's canned responses and the user's own, by shortcut.
func (s *Store) CannedResponses(ctx context.Context, tenantID, userID string) ([]CannedResponse, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+cannedColumns+` FROM canned_responses
		WHERE tenant_id = $1 AND (owner_id = '' OR owner_id = $2) ORDER BY shortcut, owner_id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("canned responses: %w", err)
	}
	return collect(rows, scanCanned)
}

// DeleteCannedResponse removes one of the tenant's canned responses.
func (s *Store) DeleteCannedResponse(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM canned_responses WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete canned response "+id, res, err)
}

const macroColumns = `id, tenant_id, owner_id, name, actions, created_at, updated_at`

func scanMacro(row interface{ Scan(...any) error }) (Macro, error) {
	var m Macro
	var actions string
	var created, updated int64
	err := row.Scan(&m.ID, &m.TenantID, &m.OwnerID, &m.Name, &actions, &created, &updated)
	if err != nil {
		return m, err
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(actions), &m.Actions); err != nil {
		return m, fmt.Errorf("macro %s actions: %w", m.ID, err)
	}
	return m, nil
}

// PutMacro inserts or replaces a macro; a name taken in its owner's scope is ErrConflict.
func (s *Store) PutMacro(ctx context.Context, m Macro) error {
	actions, err := json.Marshal(m.Actions)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO macros (`+macroColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, actions = excluded.actions, updated_at = excluded.updated_at`,
		m.ID, m.TenantID, m.OwnerID, m.Name, string(actions), micros(m.CreatedAt), micros(m.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("macro name %q is taken: %w", m.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put macro: %w", err)
	}
	return nil
}

// Macro returns one of the tenant's macros.
func (s *Store) Macro(ctx context.Context, tenantID, id string) (Macro, error) {
	m, err := scanMacro(s.r.QueryRowContext(ctx, `SELECT `+macroColumns+` FROM macros WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return m, notFound("macro "+id, err)
	}
	return m, nil
}

// Macros lists the tenant's macros and the user's own, by name.
func (s *Store) Macros(ctx context.Context, tenantID, userID string) ([]Macro, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+macroColumns+` FROM macros
		WHERE tenant_id = $1 AND (owner_id = '' OR owner_id = $2) ORDER BY name, owner_id`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	return collect(rows, scanMacro)
}

// DeleteMacro removes one of the tenant's macros.
func (s *Store) DeleteMacro(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM macros WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete macro "+id, res, err)
}
