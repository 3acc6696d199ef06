package store

import (
	"context"
	"fmt"
	"time"
)

// SMSOptOut is a customer's consent state towards one of a tenant's SMS numbers,
// as set by the last carrier keyword the customer sent (STOP opts out, START
// opts back in).
type SMSOptOut struct {
	TenantID       string
	BusinessNumber string // the tenant's number, E.164
	CustomerNumber string // the customer's number, E.164
	OptedOut       bool
	Keyword        string // the keyword as the customer sent it, upper-cased: "STOP", "START"
	ChangedAt      time.Time
}

// SetSMSOptOut records a customer's keyword. An older keyword arriving late (a
// provider's retry) does not override a newer one; the same one again is a no-op.
func (s *Store) SetSMSOptOut(ctx context.Context, o SMSOptOut) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sms_optouts (tenant_id, business_number, customer_number, opted_out, keyword, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, business_number, customer_number) DO UPDATE
		SET opted_out = excluded.opted_out, keyword = excluded.keyword, changed_at = excluded.changed_at
		WHERE sms_optouts.changed_at <= excluded.changed_at`,
		o.TenantID, o.BusinessNumber, o.CustomerNumber, o.OptedOut, o.Keyword, micros(o.ChangedAt))
	if err != nil {
		return fmt.Errorf("set sms opt-out: %w", err)
	}
	return nil
}

// SMSOptOutState returns the customer's consent state towards the tenant's
// number; ErrNotFound means the customer never sent a keyword to it.
func (s *Store) SMSOptOutState(ctx context.Context, tenantID, businessNumber, customerNumber string) (SMSOptOut, error) {
	o := SMSOptOut{TenantID: tenantID, BusinessNumber: businessNumber, CustomerNumber: customerNumber}
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT opted_out, keyword, changed_at FROM sms_optouts
		WHERE tenant_id = $1 AND business_number = $2 AND customer_number = $3`, tenantID, businessNumber, customerNumber).
		Scan(&o.OptedOut, &o.Keyword, &at)
	if err != nil {
		return o, notFound("sms opt-out", err)
	}
	o.ChangedAt = fromMicros(at)
	return o, nil
}
