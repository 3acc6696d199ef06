package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ConfigKind names one of the tables that hold a tenant's routing
// configuration as named JSON documents. Only the constants below are accepted:
// the kind becomes a table name, so it is never taken from user input.
type ConfigKind string

// The configuration kinds.
const (
	ConfigQueues      ConfigKind = "routing_queues"
	ConfigCalendars   ConfigKind = "calendars"
	ConfigSLAPolicies ConfigKind = "sla_policies"
	// ConfigRoutingRules are the rules that give conversations routing
	// criteria from their attributes.
	ConfigRoutingRules ConfigKind = "routing_rules"
)

// ErrConfigKind is returned for a ConfigKind that is none of the constants.
var ErrConfigKind = errors.New("unknown config kind")

// table returns the kind's table, or ErrConfigKind.
func (k ConfigKind) table() (string, error) {
	switch k {
	case ConfigQueues, ConfigCalendars, ConfigSLAPolicies, ConfigRoutingRules:
		return string(k), nil
	}
	return "", fmt.Errorf("%w %q", ErrConfigKind, string(k))
}

// ConfigRecord is one named configuration document of a tenant: a queue, a
// calendar, an SLA policy. The store keeps Config as it is given; its meaning
// belongs to the routing package.
type ConfigRecord struct {
	ID, TenantID, Name   string
	Config               json.RawMessage
	CreatedAt, UpdatedAt time.Time
}

const configColumns = `id, tenant_id, name, config, created_at, updated_at`

func scanConfig(row interface{ Scan(...any) error }) (ConfigRecord, error) {
	var r ConfigRecord
	var config string
	var created, updated int64
	err := row.Scan(&r.ID, &r.TenantID, &r.Name, &config, &created, &updated)
	r.Config = json.RawMessage(config)
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, err
}

// jsonText is the stored form of a JSON document: empty becomes def, and
// anything that is not JSON is refused before it reaches the database.
func jsonText(what string, raw json.RawMessage, def string) (string, error) {
	if len(raw) == 0 {
		return def, nil
	}
	if !json.Valid(raw) {
		return "", fmt.Errorf("%s: not valid JSON", what)
	}
	return string(raw), nil
}

// PutConfig inserts the record, or updates the name and document of the
// tenant's record with its id (keeping its creation time). A name held by
// another of the tenant's records is ErrConflict; an id held by another
// tenant is ErrNotFound.
func (s *Store) PutConfig(ctx context.Context, kind ConfigKind, r ConfigRecord) error {
	table, err := kind.table()
	if err != nil {
		return err
	}
	config, err := jsonText("put "+table+" "+r.ID, r.Config, "{}")
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO `+table+` (`+configColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config, updated_at = excluded.updated_at
		WHERE `+table+`.tenant_id = excluded.tenant_id`,
		r.ID, r.TenantID, r.Name, config, micros(r.CreatedAt), micros(r.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("put %s %q: name taken: %w", table, r.Name, ErrConflict)
	}
	return affectedOne("put "+table+" "+r.ID, res, err)
}

// Config returns one of the tenant's records of the kind.
func (s *Store) Config(ctx context.Context, kind ConfigKind, tenantID, id string) (ConfigRecord, error) {
	table, err := kind.table()
	if err != nil {
		return ConfigRecord{}, err
	}
	r, err := scanConfig(s.r.QueryRowContext(ctx, `SELECT `+configColumns+` FROM `+table+` WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return r, notFound(table+" "+id, err)
	}
	return r, nil
}

// Configs lists the tenant's records of the kind by name.
func (s *Store) Configs(ctx context.Context, kind ConfigKind, tenantID string) ([]ConfigRecord, error) {
	table, err := kind.table()
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+configColumns+` FROM `+table+` WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	return collect(rows, scanConfig)
}

// AllConfigs lists the records of the kind of every tenant, by tenant and
// name: the routing rebuild reads them at start. It is not tenant-scoped.
func (s *Store) AllConfigs(ctx context.Context, kind ConfigKind) ([]ConfigRecord, error) {
	table, err := kind.table()
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+configColumns+` FROM `+table+` ORDER BY tenant_id, name`)
	if err != nil {
		return nil, fmt.Errorf("list all %s: %w", table, err)
	}
	return collect(rows, scanConfig)
}

// DeleteConfig removes one of the tenant's records of the kind.
func (s *Store) DeleteConfig(ctx context.Context, kind ConfigKind, tenantID, id string) error {
	table, err := kind.table()
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete "+table+" "+id, res, err)
}

// AgentRouting is what routing knows of a user: who they are and their routing
// profile. Config is nil for a user who has no profile yet (the caller routes
// them with its defaults).
type AgentRouting struct {
	TenantID, UserID, Name string
	Role                   string // users.role
	Presence               string // users.presence
	Config                 json.RawMessage
	UpdatedAt              time.Time // of the profile; zero without one
}

func scanAgentRouting(row interface{ Scan(...any) error }) (AgentRouting, error) {
	var a AgentRouting
	var config sql.NullString
	var updated sql.NullInt64
	err := row.Scan(&a.TenantID, &a.UserID, &a.Name, &a.Role, &a.Presence, &config, &updated)
	if config.Valid {
		a.Config = json.RawMessage(config.String)
	}
	a.UpdatedAt = fromMicros(updated.Int64)
	return a, err
}

// PutAgentRouting sets the routing profile of the tenant's user; a user who
// is not the tenant's is ErrNotFound.
func (s *Store) PutAgentRouting(ctx context.Context, tenantID, userID string, config json.RawMessage, at time.Time) error {
	text, err := jsonText("put agent routing "+userID, config, "{}")
	if err != nil {
		return err
	}
	// The user is looked up inside the tenant: the foreign key alone would let a
	// tenant attach a profile to another tenant's user. The casts tell PostgreSQL
	// the parameters' types, which a SELECT list does not.
	res, err := s.w.ExecContext(ctx, `INSERT INTO routing_agents (tenant_id, user_id, config, updated_at)
		SELECT tenant_id, id, CAST($3 AS TEXT), CAST($4 AS BIGINT) FROM users WHERE tenant_id = $1 AND id = $2
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
		tenantID, userID, text, micros(at))
	return affectedOne("put agent routing "+userID, res, err)
}

// AgentRoutingOf returns the routing profile of the tenant's user; a user
// without one (or not the tenant's) is ErrNotFound.
func (s *Store) AgentRoutingOf(ctx context.Context, tenantID, userID string) (AgentRouting, error) {
	a, err := scanAgentRouting(s.r.QueryRowContext(ctx, `SELECT u.tenant_id, u.id, u.name, u.role, u.presence, a.config, a.updated_at
		FROM routing_agents a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id
		WHERE a.tenant_id = $1 AND a.user_id = $2`, tenantID, userID))
	if err != nil {
		return a, notFound("agent routing "+userID, err)
	}
	return a, nil
}

// AllAgentRouting lists, for the routing rebuild, every user of every tenant
// who can be routed work: the enabled agents, supervisors and experts, and any
// other enabled user given a routing profile (an admin who takes work), by
// tenant and user. It is not tenant-scoped.
func (s *Store) AllAgentRouting(ctx context.Context) ([]AgentRouting, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.tenant_id, u.id, u.name, u.role, u.presence, a.config, a.updated_at
		FROM users u LEFT JOIN routing_agents a ON a.tenant_id = u.tenant_id AND a.user_id = u.id
		WHERE u.disabled = FALSE AND (u.role IN ('agent', 'supervisor', 'expert') OR a.user_id IS NOT NULL)
		ORDER BY u.tenant_id, u.id`)
	if err != nil {
		return nil, fmt.Errorf("list agent routing: %w", err)
	}
	return collect(rows, scanAgentRouting)
}

// PresenceState is a presence state a tenant defined beyond the built-in ones,
// and whether agents in it are offered work.
type PresenceState struct {
	TenantID, Name string
	Routable       bool
	CreatedAt      time.Time
}

// PutPresenceState defines the state, or changes whether it is routable.
func (s *Store) PutPresenceState(ctx context.Context, p PresenceState) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO presence_states (tenant_id, name, routable, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, name) DO UPDATE SET routable = excluded.routable`,
		p.TenantID, p.Name, p.Routable, micros(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("put presence state %q: %w", p.Name, err)
	}
	return nil
}

// PresenceStates lists the tenant's presence states by name.
func (s *Store) PresenceStates(ctx context.Context, tenantID string) ([]PresenceState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id, name, routable, created_at FROM presence_states WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list presence states: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (PresenceState, error) {
		var p PresenceState
		var created int64
		err := row.Scan(&p.TenantID, &p.Name, &p.Routable, &created)
		p.CreatedAt = fromMicros(created)
		return p, err
	})
}

// DeletePresenceState removes one of the tenant's presence states.
func (s *Store) DeletePresenceState(ctx context.Context, tenantID, name string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM presence_states WHERE tenant_id = $1 AND name = $2`, tenantID, name)
	return affectedOne("delete presence state "+name, res, err)
}
