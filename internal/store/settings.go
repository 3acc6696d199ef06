package store

import (
	"context"
	"fmt"
)

// SettingOrInit returns the server-wide setting key, storing init first if it is
// absent. Concurrent callers on several nodes all get the one value that won.
func (s *Store) SettingOrInit(ctx context.Context, key, init string) (string, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, init); err != nil {
		return "", fmt.Errorf("init setting %s: %w", key, err)
	}
	var v string
	if err := s.w.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}
