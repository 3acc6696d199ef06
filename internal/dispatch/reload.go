package dispatch

import "context"

// Reload tells routing that a tenant's configuration was written around the
// service (a sandbox copy's queues, hours and profiles, written in one
// transaction with the new tenant): the leader rebuilds the tenant's state.
func (s *Service) Reload(ctx context.Context, tenantID string) { s.reloadLeader(ctx, tenantID) }
