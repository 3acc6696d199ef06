package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
)

const typeColumns = `tenant_id, key, name, category, channels, reply_expected, send_time, confirm_within_us,
	default_language, templates, created_at, updated_at`

func scanType(row interface{ Scan(...any) error }) (notice.Type, error) {
	var t notice.Type
	var channels, templates string
	var confirm, created, updated int64
	err := row.Scan(&t.TenantID, &t.Key, &t.Name, &t.Category, &channels, &t.ReplyExpected, &t.SendTime, &confirm,
		&t.DefaultLanguage, &templates, &created, &updated)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(channels), &t.Channels); err != nil {
		return t, fmt.Errorf("type %s channels: %w", t.Key, err)
	}
	if err := json.Unmarshal([]byte(templates), &t.Templates); err != nil {
		return t, fmt.Errorf("type %s templates: %w", t.Key, err)
	}
	t.ConfirmWithin = notice.Duration(time.Duration(confirm) * time.Microsecond)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, nil
}

// jsonOf is v as JSON text for a TEXT column; nil slices and maps become
// empty ones, so readers never meet "null".
func jsonOf(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

// UpsertNotificationType creates the tenant's type or replaces it; created_at
// of an existing type is kept.
func (s *Store) UpsertNotificationType(ctx context.Context, t notice.Type) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO notification_types (`+typeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (tenant_id, key) DO UPDATE SET name = excluded.name, category = excluded.category,
			channels = excluded.channels, reply_expected = excluded.reply_expected, send_time = excluded.send_time,
			confirm_within_us = excluded.confirm_within_us, default_language = excluded.default_language,
			templates = excluded.templates, updated_at = excluded.updated_at`,
		t.TenantID, t.Key, t.Name, string(t.Category), jsonOf(t.Channels, "[]"), t.ReplyExpected, t.SendTime,
		time.Duration(t.ConfirmWithin).Microseconds(), t.DefaultLanguage, jsonOf(t.Templates, "{}"),
		micros(t.CreatedAt), micros(t.UpdatedAt))
	if err != nil {
		return fmt.Errorf("upsert notification type %s: %w", t.Key, err)
	}
	return nil
}

// NotificationType returns one of the tenant's types.
func (s *Store) NotificationType(ctx context.Context, tenantID, key string) (notice.Type, error) {
	t, err := scanType(s.r.QueryRowContext(ctx, `SELECT `+typeColumns+` FROM notification_types
		WHERE tenant_id = $1 AND key = $2`, tenantID, key))
	if err != nil {
		return t, notFound("notification type "+key, err)
	}
	return t, nil
}

// NotificationTypes lists the tenant's types by key.
func (s *Store) NotificationTypes(ctx context.Context, tenantID string) ([]notice.Type, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+typeColumns+` FROM notification_types
		WHERE tenant_id = $1 ORDER BY key`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list notification types: %w", err)
	}
	return collect(rows, scanType)
}

// DeleteNotificationType deletes one of the tenant's types. Its events and
// deliveries stay: they name the type by key.
func (s *Store) DeleteNotificationType(ctx context.Context, tenantID, key string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM notification_types WHERE tenant_id = $1 AND key = $2`, tenantID, key)
	return affectedOne("delete notification type "+key, res, err)
}

// NotifySettings returns the tenant's notification settings; the zero value
// if it has none.
func (s *Store) NotifySettings(ctx context.Context, tenantID string) (notice.Settings, error) {
	var st notice.Settings
	var text string
	err := s.r.QueryRowContext(ctx, `SELECT settings FROM notify_settings WHERE tenant_id = $1`, tenantID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("notify settings: %w", err)
	}
	if err := json.Unmarshal([]byte(text), &st); err != nil {
		return st, fmt.Errorf("notify settings: %w", err)
	}
	return st, nil
}

// SetNotifySettings replaces the tenant's notification settings.
func (s *Store) SetNotifySettings(ctx context.Context, tenantID string, st notice.Settings, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO notify_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
		tenantID, jsonOf(st, "{}"), micros(at))
	if err != nil {
		return fmt.Errorf("set notify settings: %w", err)
	}
	return nil
}

// PersonaPrefs returns a persona's own preferences; the zero value if none.
func (s *Store) PersonaPrefs(ctx context.Context, tenantID, personaID string) (prefs.Preferences, error) {
	var p prefs.Preferences
	var text string
	err := s.r.QueryRowContext(ctx, `SELECT prefs FROM notify_prefs WHERE tenant_id = $1 AND persona_id = $2`,
		tenantID, personaID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("persona %s prefs: %w", personaID, err)
	}
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return p, fmt.Errorf("persona %s prefs: %w", personaID, err)
	}
	return p, nil
}

// SetPersonaPrefs replaces a persona's own preferences.
func (s *Store) SetPersonaPrefs(ctx context.Context, tenantID, personaID string, p prefs.Preferences, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO notify_prefs (tenant_id, persona_id, prefs, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, persona_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
		tenantID, personaID, jsonOf(p, "{}"), micros(at))
	if err != nil {
		return fmt.Errorf("set persona %s prefs: %w", personaID, err)
	}
	return nil
}

// PersonaPrefsMany returns the preferences of those personas that have any.
func (s *Store) PersonaPrefsMany(ctx context.Context, tenantID string, personaIDs []string) (map[string]prefs.Preferences, error) {
	out := make(map[string]prefs.Preferences, len(personaIDs))
	err := eachIDChunk(personaIDs, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, `SELECT persona_id, prefs FROM notify_prefs
			WHERE tenant_id = $1 AND persona_id IN (`+placeholders(2, len(chunk))+`)`, idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, text string
			if err := rows.Scan(&id, &text); err != nil {
				return err
			}
			var p prefs.Preferences
			if err := json.Unmarshal([]byte(text), &p); err != nil {
				return fmt.Errorf("persona %s: %w", id, err)
			}
			out[id] = p
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("persona prefs: %w", err)
	}
	return out, nil
}

// idChunkSizes are the lengths of the IN lists we send: a few fixed sizes, so
// the statement cache holds a few statements and not one per list length.
var idChunkSizes = []int{1, 10, 100, 500}

// eachIDChunk calls fn with ids in chunks of one of idChunkSizes, the last one
// padded with its last id (a repeated id in an IN list changes nothing).
func eachIDChunk(ids []string, fn func(chunk []string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), idChunkSizes[len(idChunkSizes)-1])
		size := idChunkSizes[len(idChunkSizes)-1]
		for _, sz := range idChunkSizes {
			if n <= sz {
				size = sz
				break
			}
		}
		chunk := ids[:n:n]
		for len(chunk) < size {
			chunk = append(chunk, ids[n-1])
		}
		if err := fn(chunk); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// idArgs is the query arguments tenantID, ids...
func idArgs(tenantID string, ids []string, more ...any) []any {
	args := make([]any, 0, 1+len(ids)+len(more))
	args = append(args, tenantID)
	for _, id := range ids {
		args = append(args, id)
	}
	return append(args, more...)
}
