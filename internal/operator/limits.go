package operator

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// SuspendedError refuses a suspended tenant's people and systems, with the
// operator's reason, which they are meant to read.
type SuspendedError struct {
	Reason string
	Since  time.Time
}

func (e *SuspendedError) Error() string {
	return "this workspace is suspended by the service's operator: " + e.Reason
}

// Suspension is the tenant's suspension, the zero value when there is none.
func (s *Service) Suspension(ctx context.Context, tenantID string) (tenant.Suspension, error) {
	return s.db.Suspension(ctx, tenantID)
}

// CheckActive returns a *SuspendedError when the tenant is suspended.
func (s *Service) CheckActive(ctx context.Context, tenantID string) error {
	sp, err := s.db.Suspension(ctx, tenantID)
	if err != nil {
		return err
	}
	if sp.Suspended() {
		return &SuspendedError{Reason: sp.Reason, Since: sp.Since}
	}
	return nil
}

// Gate is the channels' gate (channel.NewGatedRegistry): it holds a
// suspended tenant's sends. It needs only the database, so the channels can
// have it before the services are built.
type Gate struct{ db *store.DB }

// NewGate returns the gate.
func NewGate(db *store.DB) Gate { return Gate{db: db} }

// MaySend reports whether the tenant's outbound traffic may leave now
// (tenant.MaySend decides).
func (g Gate) MaySend(ctx context.Context, tenantID string) (bool, error) {
	sp, err := g.db.Suspension(ctx, tenantID)
	if err != nil {
		return false, err
	}
	return tenant.MaySend(sp), nil
}

// used measures what limit name counts, for the tenant, now.
func (s *Service) used(ctx context.Context, tenantID, name string) (int64, error) {
	switch name {
	case plan.Agents:
		return s.db.EnabledUsers(ctx, tenantID)
	case plan.NoticesPerMonth:
		return s.db.NoticesSentIn(ctx, tenantID, plan.MonthOf(s.clock.Now()))
	case plan.StorageBytes:
		return s.db.StorageBytes(ctx, tenantID)
	}
	return 0, fmt.Errorf("unknown limit %q", name)
}

// Check refuses, with a *plan.LimitError, adding n to what limit name counts
// when that would pass the tenant's plan. Without a limit it costs one read.
func (s *Service) Check(ctx context.Context, tenantID, name string, n int64) error {
	l, err := s.db.Limits(ctx, tenantID)
	if err != nil || l.Of(name) == nil {
		return err
	}
	used, err := s.used(ctx, tenantID, name)
	if err != nil {
		return err
	}
	return l.Check(name, used, n)
}

// Plan is a tenant's plan as its admin sees it.
type Plan struct {
	Limits   plan.Limits    `json:"limits"`
	Usage    plan.Usage     `json:"usage"`
	Warnings []plan.Warning `json:"warnings"`
}

// Plan returns the tenant's limits, this month's usage and the warnings.
func (s *Service) Plan(ctx context.Context, tenantID string) (Plan, error) {
	p := Plan{Warnings: []plan.Warning{}}
	var err error
	if p.Limits, err = s.db.Limits(ctx, tenantID); err != nil {
		return p, err
	}
	if p.Usage, err = s.db.Usage(ctx, tenantID, plan.MonthOf(s.clock.Now())); err != nil {
		return p, err
	}
	if w := p.Limits.Warnings(p.Usage); w != nil {
		p.Warnings = w
	}
	return p, nil
}

// LimitWarning is the data of a plan.limit_warning event.
type LimitWarning struct {
	plan.Warning
	Month   string `json:"month"`
	Message string `json:"message"`
}

// Warn announces, once a month for each, the limits the tenant's usage has
// reached plan.WarnAt of: a plan.limit_warning event its admins see (the
// realtime feed, webhooks) and the warning is kept for the operator's
// console. Callers call it after they added to what a limit counts.
func (s *Service) Warn(ctx context.Context, tenantID string) error {
	l, err := s.db.Limits(ctx, tenantID)
	if err != nil || (l == plan.Limits{}) {
		return err
	}
	var u plan.Usage
	for _, name := range []string{plan.Agents, plan.NoticesPerMonth, plan.StorageBytes} {
		if l.Of(name) == nil {
			continue
		}
		n, err := s.used(ctx, tenantID, name)
		if err != nil {
			return err
		}
		switch name {
		case plan.Agents:
			u.Agents = n
		case plan.NoticesPerMonth:
			u.NoticesSent = n
		case plan.StorageBytes:
			u.StorageBytes = n
		}
	}
	month := plan.MonthOf(s.clock.Now()).String()
	for _, w := range l.Warnings(u) {
		err := s.out.Do(ctx, func(tx *outbox.Tx) error {
			first, err := tx.RecordWarning(ctx, tenantID, month, w, s.clock.Now().UnixMicro())
			if err != nil || !first {
				return err
			}
			_, err = tx.Emit(ctx, tenantID, event.PlanLimitWarning, LimitWarning{Warning: w, Month: month, Message: w.Message()})
			return err
		})
		if err != nil {
			return fmt.Errorf("warn %s: %w", tenantID, err)
		}
	}
	return nil
}
