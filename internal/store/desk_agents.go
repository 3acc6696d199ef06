package store

import (
	"context"
	"fmt"
	"time"
)

// SetPresenceSince records when a user's presence last changed.
func (s *Store) SetPresenceSince(ctx context.Context, tenantID, userID string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET presence_since = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, userID, micros(at))
	return affectedOne("set presence since "+userID, res, err)
}

// AgentActivity is when a user's presence last changed and when they last
// finished routed work.
type AgentActivity struct {
	PresenceSince time.Time
	LastFinished  time.Time
}

// AgentActivities returns the activity of every user of the tenant, by user id.
func (s *Store) AgentActivities(ctx context.Context, tenantID string) (map[string]AgentActivity, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.presence_since,
		COALESCE((SELECT MAX(w.updated_at) FROM routing_work w WHERE w.tenant_id = u.tenant_id AND w.agent_id = u.id AND w.state = 'finished'), 0)
		FROM users u WHERE u.tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("agent activities: %w", err)
	}
	defer rows.Close()
	out := map[string]AgentActivity{}
	for rows.Next() {
		var id string
		var since, finished int64
		if err := rows.Scan(&id, &since, &finished); err != nil {
			return nil, fmt.Errorf("agent activities: %w", err)
		}
		out[id] = AgentActivity{PresenceSince: fromMicros(since), LastFinished: fromMicros(finished)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agent activities: %w", err)
	}
	return out, nil
}
