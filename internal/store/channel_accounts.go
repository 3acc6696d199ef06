package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

const channelAccountColumns = `id, tenant_id, channel, address, name, settings`

func scanChannelAccount(row interface{ Scan(...any) error }) (channel.Account, error) {
	var a channel.Account
	var settings string
	err := row.Scan(&a.ID, &a.TenantID, &a.Channel, &a.Address, &a.Name, &settings)
	if err == nil {
		err = json.Unmarshal([]byte(settings), &a.Settings)
	}
	return a, err
}

// CreateChannelAccount gives a tenant an address on a channel; an address taken
// by any tenant is ErrConflict.
func (s *Store) CreateChannelAccount(ctx context.Context, a channel.Account, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO channel_accounts (id, tenant_id, channel, address, name, settings, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, a.TenantID, a.Channel, a.Address, a.Name, attrsJSON(a.Settings), micros(at))
	if isUniqueViolation(err) {
		return fmt.Errorf("channel address %s %s: %w", a.Channel, a.Address, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create channel account: %w", err)
	}
	return nil
}

// ChannelAccountByAddress finds whose address an inbound contact was sent to. It
// is not scoped by tenant: the address is what tells us the tenant.
func (s *Store) ChannelAccountByAddress(ctx context.Context, ch, address string) (channel.Account, error) {
	a, err := scanChannelAccount(s.r.QueryRowContext(ctx, `SELECT `+channelAccountColumns+` FROM channel_accounts WHERE channel = $1 AND address = $2`, ch, address))
	if err != nil {
		return a, notFound("channel account", err)
	}
	return a, nil
}

// ChannelAccount returns one of the tenant's channel accounts.
func (s *Store) ChannelAccount(ctx context.Context, tenantID, id string) (channel.Account, error) {
	a, err := scanChannelAccount(s.r.QueryRowContext(ctx, `SELECT `+channelAccountColumns+` FROM channel_accounts WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return a, notFound("channel account "+id, err)
	}
	return a, nil
}

// ChannelAccounts lists the tenant's accounts, on one channel or (ch == "") all.
func (s *Store) ChannelAccounts(ctx context.Context, tenantID, ch string) ([]channel.Account, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+channelAccountColumns+` FROM channel_accounts
		WHERE tenant_id = $1 AND ($2 = '' OR channel = $2) ORDER BY channel, address`, tenantID, ch)
	if err != nil {
		return nil, fmt.Errorf("list channel accounts: %w", err)
	}
	return collect(rows, scanChannelAccount)
}

// DeleteChannelAccount removes a tenant's address.
func (s *Store) DeleteChannelAccount(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM channel_accounts WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete channel account "+id, res, err)
}

// UpdateChannelAccount stores a tenant's account's new name and settings; its
// channel and address never change (a widget's key is in every page that
// embeds it).
func (s *Store) UpdateChannelAccount(ctx context.Context, a channel.Account) error {
	res, err := s.w.ExecContext(ctx, `UPDATE channel_accounts SET name = $3, settings = $4 WHERE tenant_id = $1 AND id = $2`,
		a.TenantID, a.ID, a.Name, attrsJSON(a.Settings))
	return affectedOne("update channel account "+a.ID, res, err)
}

// ChannelAccountsOn lists every tenant's accounts on a channel, for the
// node that listens on them (a social network's streams).
func (s *Store) ChannelAccountsOn(ctx context.Context, ch string) ([]channel.Account, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+channelAccountColumns+` FROM channel_accounts WHERE channel = $1 ORDER BY tenant_id, id`, ch)
	if err != nil {
		return nil, fmt.Errorf("list %s accounts: %w", ch, err)
	}
	return collect(rows, scanChannelAccount)
}
