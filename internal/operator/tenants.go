package operator

import (
	"context"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// TenantView is a tenant as the operator sees it: its state, why it is
// suspended, its limits, this month's usage and the limits near their end.
type TenantView struct {
	Tenant     tenant.Tenant      `json:"tenant"`
	State      tenant.State       `json:"state"`
	Suspension *tenant.Suspension `json:"suspension"`
	Limits     plan.Limits        `json:"limits"`
	Usage      plan.Usage         `json:"usage"`
	Warnings   []plan.Warning     `json:"warnings"`
}

// Tenants lists every tenant with this month's usage.
func (s *Service) Tenants(ctx context.Context) ([]TenantView, error) {
	ts, err := s.db.AllTenants(ctx)
	if err != nil {
		return nil, err
	}
	sus, err := s.db.Suspensions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TenantView, 0, len(ts))
	for _, t := range ts {
		v, err := s.view(ctx, t, sus[t.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Tenant is one tenant's view.
func (s *Service) Tenant(ctx context.Context, id string) (TenantView, error) {
	t, err := s.db.Tenant(ctx, id)
	if err != nil {
		return TenantView{}, err
	}
	sp, err := s.db.Suspension(ctx, id)
	if err != nil {
		return TenantView{}, err
	}
	return s.view(ctx, t, sp)
}

func (s *Service) view(ctx context.Context, t tenant.Tenant, sp tenant.Suspension) (TenantView, error) {
	v := TenantView{Tenant: t, State: tenant.StateOf(t, sp), Warnings: []plan.Warning{}}
	if sp.Suspended() {
		v.Suspension = &sp
	}
	var err error
	if v.Limits, err = s.db.Limits(ctx, t.ID); err != nil {
		return v, err
	}
	if v.Usage, err = s.db.Usage(ctx, t.ID, plan.MonthOf(s.clock.Now())); err != nil {
		return v, err
	}
	if w := v.Limits.Warnings(v.Usage); w != nil {
		v.Warnings = w
	}
	return v, nil
}

// CreateTenant creates a workspace through the same code as `switchboard
// tenant create` and sign-up, and records who made it.
func (s *Service) CreateTenant(ctx context.Context, o Operator, remoteAddr string, in accounts.NewWorkspace) (accounts.Workspace, error) {
	ws, err := s.accounts.CreateWorkspace(ctx, in)
	if err != nil {
		return ws, err
	}
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		return s.audit(ctx, tx, o.Actor(ws.Tenant.ID, remoteAddr), "tenant.create", map[string]any{"operator": o.Name, "slug": ws.Tenant.Slug})
	})
	return ws, wrap("audit tenant.create", err)
}

// MaxReason bounds a suspension's reason, which its users are shown.
const MaxReason = 500

// Suspend stops a tenant: its people are refused with the reason, nothing
// it would send leaves, what comes in is still stored. Audited in the
// tenant's log.
func (s *Service) Suspend(ctx context.Context, o Operator, remoteAddr, tenantID, reason string) (TenantView, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return TenantView{}, &tenant.FieldError{Field: "reason", Reason: "is required: the tenant's people are shown it"}
	}
	if err := textfield.Line("reason", reason, MaxReason); err != nil {
		return TenantView{}, err
	}
	if _, err := s.db.Tenant(ctx, tenantID); err != nil {
		return TenantView{}, err
	}
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.Suspend(ctx, tenantID, tenant.Suspension{Reason: reason, By: o.ID, Since: s.clock.Now()}); err != nil {
			return err
		}
		return s.audit(ctx, tx, o.Actor(tenantID, remoteAddr), "tenant.suspend", map[string]any{"reason": reason, "operator": o.Name})
	})
	if err != nil {
		return TenantView{}, err
	}
	s.log.Info("tenant suspended", "tenant_id", tenantID, "operator_id", o.ID)
	return s.Tenant(ctx, tenantID)
}

// Resume lifts a tenant's suspension; what was held is sent. Audited.
func (s *Service) Resume(ctx context.Context, o Operator, remoteAddr, tenantID, reason string) (TenantView, error) {
	reason = strings.TrimSpace(reason)
	if err := textfield.Line("reason", reason, MaxReason); err != nil {
		return TenantView{}, err
	}
	if _, err := s.db.Tenant(ctx, tenantID); err != nil {
		return TenantView{}, err
	}
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		was, err := tx.Resume(ctx, tenantID)
		if err != nil || !was {
			return err
		}
		return s.audit(ctx, tx, o.Actor(tenantID, remoteAddr), "tenant.resume", map[string]any{"reason": reason, "operator": o.Name})
	})
	if err != nil {
		return TenantView{}, err
	}
	s.log.Info("tenant resumed", "tenant_id", tenantID, "operator_id", o.ID)
	return s.Tenant(ctx, tenantID)
}

// SetLimits replaces a tenant's plan limits. Lowering one below what is
// used refuses nothing already there; it stops what would add to it. Audited.
func (s *Service) SetLimits(ctx context.Context, o Operator, remoteAddr, tenantID string, l plan.Limits) (TenantView, error) {
	if err := l.Validate(); err != nil {
		return TenantView{}, err
	}
	if _, err := s.db.Tenant(ctx, tenantID); err != nil {
		return TenantView{}, err
	}
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.SetLimits(ctx, tenantID, l, s.clock.Now().UnixMicro()); err != nil {
			return err
		}
		return s.audit(ctx, tx, o.Actor(tenantID, remoteAddr), "tenant.limits", map[string]any{
			"agents": l.Agents, "notices_per_month": l.NoticesPerMonth, "storage_bytes": l.StorageBytes, "operator": o.Name})
	})
	if err != nil {
		return TenantView{}, err
	}
	return s.Tenant(ctx, tenantID)
}

// Usage is a tenant's usage in month m.
func (s *Service) Usage(ctx context.Context, tenantID string, m plan.Month) (plan.Usage, error) {
	return s.db.Usage(ctx, tenantID, m)
}

// AllUsage is every tenant's usage in month m, oldest tenant first.
func (s *Service) AllUsage(ctx context.Context, m plan.Month) ([]plan.Usage, error) {
	ts, err := s.db.AllTenants(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]plan.Usage, 0, len(ts))
	for _, t := range ts {
		u, err := s.db.Usage(ctx, t.ID, m)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
