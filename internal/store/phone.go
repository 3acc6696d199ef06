package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// PhoneTrunk is a tenant's SIP trunk as stored: its password only sealed
// (internal/voice/phone seals and opens it), its numbers in order.
type PhoneTrunk struct {
	ID, TenantID, Name  string
	Provider, Transport string
	Username            string
	PasswordSealed      string
	Register            bool
	AcceptFrom          []string // address prefixes, "203.0.113.0/24"
	Numbers             []PhoneNumber
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// PhoneNumber is one number a trunk brings in and where its calls go.
type PhoneNumber struct {
	Number, TenantID, TrunkID string
	QueueID, CalendarID       string
	Menu                      string // the keypad menu's JSON; "" for none
}

const phoneTrunkColumns = `id, tenant_id, name, provider, transport, username, password_sealed, register, accept_from, created_at, updated_at`

func scanPhoneTrunk(row interface{ Scan(...any) error }) (PhoneTrunk, error) {
	var t PhoneTrunk
	var accept string
	var created, updated int64
	err := row.Scan(&t.ID, &t.TenantID, &t.Name, &t.Provider, &t.Transport, &t.Username, &t.PasswordSealed, &t.Register,
		&accept, &created, &updated)
	if err == nil {
		err = json.Unmarshal([]byte(accept), &t.AcceptFrom)
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, err
}

const phoneNumberColumns = `number, tenant_id, trunk_id, queue_id, calendar_id, menu`

func scanPhoneNumber(row interface{ Scan(...any) error }) (PhoneNumber, error) {
	var n PhoneNumber
	err := row.Scan(&n.Number, &n.TenantID, &n.TrunkID, &n.QueueID, &n.CalendarID, &n.Menu)
	return n, err
}

// CreatePhoneTrunk stores a new trunk with its numbers. A number another
// trunk (of any tenant) has is ErrConflict: the dialled number is what
// tells whose a call is.
func (db *DB) CreatePhoneTrunk(ctx context.Context, t PhoneTrunk) error {
	return db.InTx(ctx, func(s *Store, _ *sql.Tx) error {
		if _, err := s.w.ExecContext(ctx, `INSERT INTO phone_trunks (`+phoneTrunkColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, t.ID, t.TenantID, t.Name, t.Provider, t.Transport,
			t.Username, t.PasswordSealed, t.Register, acceptJSON(t.AcceptFrom), micros(t.CreatedAt), micros(t.UpdatedAt)); err != nil {
			return fmt.Errorf("create phone trunk: %w", err)
		}
		return s.insertPhoneNumbers(ctx, t)
	})
}

// UpdatePhoneTrunk stores a trunk's new settings and replaces its numbers.
func (db *DB) UpdatePhoneTrunk(ctx context.Context, t PhoneTrunk) error {
	return db.InTx(ctx, func(s *Store, _ *sql.Tx) error {
		res, err := s.w.ExecContext(ctx, `UPDATE phone_trunks SET name = $3, provider = $4, transport = $5, username = $6,
			password_sealed = $7, register = $8, accept_from = $9, updated_at = $10 WHERE tenant_id = $1 AND id = $2`,
			t.TenantID, t.ID, t.Name, t.Provider, t.Transport, t.Username, t.PasswordSealed, t.Register,
			acceptJSON(t.AcceptFrom), micros(t.UpdatedAt))
		if err := affectedOne("update phone trunk "+t.ID, res, err); err != nil {
			return err
		}
		if _, err := s.w.ExecContext(ctx, `DELETE FROM phone_numbers WHERE tenant_id = $1 AND trunk_id = $2`, t.TenantID, t.ID); err != nil {
			return fmt.Errorf("update phone trunk %s: %w", t.ID, err)
		}
		return s.insertPhoneNumbers(ctx, t)
	})
}

func (s *Store) insertPhoneNumbers(ctx context.Context, t PhoneTrunk) error {
	for i, n := range t.Numbers {
		_, err := s.w.ExecContext(ctx, `INSERT INTO phone_numbers (`+phoneNumberColumns+`, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.Number, t.TenantID, t.ID, n.QueueID, n.CalendarID, n.Menu, i)
		if isUniqueViolation(err) {
			return fmt.Errorf("phone number %s is taken: %w", n.Number, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("phone number %s: %w", n.Number, err)
		}
	}
	return nil
}

func acceptJSON(a []string) string {
	if a == nil {
		a = []string{}
	}
	b, _ := json.Marshal(a)
	return string(b)
}

// PhoneTrunk returns one of the tenant's trunks with its numbers.
func (s *Store) PhoneTrunk(ctx context.Context, tenantID, id string) (PhoneTrunk, error) {
	t, err := scanPhoneTrunk(s.r.QueryRowContext(ctx, `SELECT `+phoneTrunkColumns+` FROM phone_trunks WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return t, notFound("phone trunk "+id, err)
	}
	t.Numbers, err = s.phoneNumbersOf(ctx, tenantID, id)
	return t, err
}

// PhoneTrunks lists the tenant's trunks, oldest first, with their numbers.
func (s *Store) PhoneTrunks(ctx context.Context, tenantID string) ([]PhoneTrunk, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+phoneTrunkColumns+` FROM phone_trunks WHERE tenant_id = $1 ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list phone trunks: %w", err)
	}
	ts, err := collect(rows, scanPhoneTrunk)
	if err != nil {
		return nil, fmt.Errorf("list phone trunks: %w", err)
	}
	for i := range ts {
		if ts[i].Numbers, err = s.phoneNumbersOf(ctx, tenantID, ts[i].ID); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// RegisteringPhoneTrunks lists every tenant's trunks that register at their
// provider (register set), by tenant and id, without their numbers: what a
// node keeps registered. It is not tenant-scoped.
func (s *Store) RegisteringPhoneTrunks(ctx context.Context) ([]PhoneTrunk, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+phoneTrunkColumns+` FROM phone_trunks WHERE register = TRUE ORDER BY tenant_id, id`)
	if err != nil {
		return nil, fmt.Errorf("registering phone trunks: %w", err)
	}
	ts, err := collect(rows, scanPhoneTrunk)
	if err != nil {
		return nil, fmt.Errorf("registering phone trunks: %w", err)
	}
	return ts, nil
}

func (s *Store) phoneNumbersOf(ctx context.Context, tenantID, trunkID string) ([]PhoneNumber, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+phoneNumberColumns+` FROM phone_numbers WHERE tenant_id = $1 AND trunk_id = $2
		ORDER BY position`, tenantID, trunkID)
	if err != nil {
		return nil, fmt.Errorf("phone numbers of %s: %w", trunkID, err)
	}
	ns, err := collect(rows, scanPhoneNumber)
	if err != nil {
		return nil, fmt.Errorf("phone numbers of %s: %w", trunkID, err)
	}
	return ns, nil
}

// DeletePhoneTrunk removes a trunk and its numbers.
func (db *DB) DeletePhoneTrunk(ctx context.Context, tenantID, id string) error {
	return db.InTx(ctx, func(s *Store, _ *sql.Tx) error {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM phone_numbers WHERE tenant_id = $1 AND trunk_id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("delete phone trunk %s: %w", id, err)
		}
		res, err := s.w.ExecContext(ctx, `DELETE FROM phone_trunks WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		return affectedOne("delete phone trunk "+id, res, err)
	})
}

// PhoneNumber finds a dialled number. It is not scoped by tenant: the
// number is what tells the tenant of an inbound call.
func (s *Store) PhoneNumber(ctx context.Context, number string) (PhoneNumber, error) {
	n, err := scanPhoneNumber(s.r.QueryRowContext(ctx, `SELECT `+phoneNumberColumns+` FROM phone_numbers WHERE number = $1`, number))
	if err != nil {
		return n, notFound("phone number "+number, err)
	}
	return n, nil
}

// QueueWaiting lists the tenant's items waiting in a queue (waiting or
// offered, not yet taken), by arrival: what a caller's place in line is
// counted among.
func (s *Store) QueueWaiting(ctx context.Context, tenantID, queueID string) ([]WorkRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+workColumns+` FROM routing_work
		WHERE tenant_id = $1 AND queue_id = $2 AND state IN ('waiting', 'offered') ORDER BY arrived_at, id`, tenantID, queueID)
	if err != nil {
		return nil, fmt.Errorf("waiting work of queue %s: %w", queueID, err)
	}
	return collect(rows, scanWork)
}
