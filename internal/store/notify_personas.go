package store

import (
	"context"
	"fmt"
)

// NotifyPersona is what deciding a notice needs of a persona: how to address
// it, in which zone and language.
type NotifyPersona struct {
	ID, Name, TimeZone, Language string
	// Email, Phone and Telegram (a chat id) are its first identifiers of the
	// kind (verified first, then the oldest); empty if it has none.
	Email, Phone, Telegram string
	HasPush                bool
}

// notifyPersonaSelect reads a persona with its first email, phone and
// Telegram chat and
// whether it has a push subscription, one row per persona.
const notifyPersonaSelect = `SELECT p.id, p.name, p.time_zone, p.language,
	COALESCE((SELECT i.value FROM persona_identifiers i WHERE i.tenant_id = p.tenant_id AND i.persona_id = p.id
		AND i.kind = 'email' ORDER BY i.verified DESC, i.created_at, i.value LIMIT 1), ''),
	COALESCE((SELECT i.value FROM persona_identifiers i WHERE i.tenant_id = p.tenant_id AND i.persona_id = p.id
		AND i.kind = 'phone' ORDER BY i.verified DESC, i.created_at, i.value LIMIT 1), ''),
	COALESCE((SELECT i.value FROM persona_identifiers i WHERE i.tenant_id = p.tenant_id AND i.persona_id = p.id
		AND i.kind = 'telegram' ORDER BY i.verified DESC, i.created_at, i.value LIMIT 1), ''),
	EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.tenant_id = p.tenant_id AND s.persona_id = p.id)
	FROM personas p`

func scanNotifyPersona(r interface{ Scan(...any) error }) (NotifyPersona, error) {
	var p NotifyPersona
	err := r.Scan(&p.ID, &p.Name, &p.TimeZone, &p.Language, &p.Email, &p.Phone, &p.Telegram, &p.HasPush)
	return p, err
}

// PersonasForNotify pages through the tenant's personas that were not merged
// away, by id after the given one, for an event raised to all of them.
func (s *Store) PersonasForNotify(ctx context.Context, tenantID, after string, limit int) ([]NotifyPersona, error) {
	rows, err := s.r.QueryContext(ctx, notifyPersonaSelect+`
		WHERE p.tenant_id = $1 AND p.merged_into IS NULL AND p.id > $2 ORDER BY p.id LIMIT $3`, tenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("personas for notify: %w", err)
	}
	return collect(rows, scanNotifyPersona)
}

// NotifyPersonasByID returns those of the given personas that exist in the
// tenant and were not merged away.
func (s *Store) NotifyPersonasByID(ctx context.Context, tenantID string, ids []string) (map[string]NotifyPersona, error) {
	out := make(map[string]NotifyPersona, len(ids))
	err := eachIDChunk(ids, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, notifyPersonaSelect+`
			WHERE p.tenant_id = $1 AND p.id IN (`+placeholders(2, len(chunk))+`) AND p.merged_into IS NULL`,
			idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		ps, err := collect(rows, scanNotifyPersona)
		for _, p := range ps {
			out[p.ID] = p
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("personas for notify: %w", err)
	}
	return out, nil
}

// AddResponseHour counts one response (a read, a reply) of a persona in an
// hour of the week, 0..167 in the persona's zone.
func (s *Store) AddResponseHour(ctx context.Context, tenantID, personaID string, hourOfWeek int) error {
	if hourOfWeek < 0 || hourOfWeek >= 168 {
		return fmt.Errorf("response hour %d: not an hour of the week (0..167)", hourOfWeek)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO notify_response_hours (tenant_id, persona_id, hour_of_week, n) VALUES ($1, $2, $3, 1)
		ON CONFLICT (tenant_id, persona_id, hour_of_week) DO UPDATE SET n = notify_response_hours.n + 1`,
		tenantID, personaID, hourOfWeek)
	if err != nil {
		return fmt.Errorf("add response hour: %w", err)
	}
	return nil
}

// ResponseHours returns the response counts by hour of week of those
// personas that have any.
func (s *Store) ResponseHours(ctx context.Context, tenantID string, personaIDs []string) (map[string][168]int, error) {
	out := map[string][168]int{}
	err := eachIDChunk(personaIDs, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, `SELECT persona_id, hour_of_week, n FROM notify_response_hours
			WHERE tenant_id = $1 AND persona_id IN (`+placeholders(2, len(chunk))+`)`, idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var h, n int
			if err := rows.Scan(&id, &h, &n); err != nil {
				return err
			}
			hours := out[id]
			hours[h] = n
			out[id] = hours
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("response hours: %w", err)
	}
	return out, nil
}
