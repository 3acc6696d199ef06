package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Copy is a sandbox copy of a live workspace's configuration.
type Copy struct {
	Tenant tenant.Tenant  `json:"tenant"`
	Source string         `json:"source_id"`
	Copied map[string]int `json:"copied"` // rows per table
}

// maxCopies bounds the copies a workspace keeps, so a loop of clicks cannot
// fill the center with tenants.
const maxCopies = 10

// OpenCopy makes a new sandbox workspace holding the live workspace's
// configuration — its people, queues, hours, SLA policies, routing profiles,
// presence states, canned responses, macros, notification types with their
// templates, notification settings and chat widgets (with new keys) — and no
// customer, conversation or notice. Its people sign in to it with their
// usual email and password at its own workspace address ("<slug>-sandbox").
// The copy is linked to its original and audited in both.
func (s *Service) OpenCopy(ctx context.Context, a accounts.Actor) (Copy, error) {
	src, err := s.d.DB.Tenant(ctx, a.TenantID)
	if err != nil {
		return Copy{}, err
	}
	if _, err := s.d.DB.SandboxCopyOf(ctx, src.ID); err == nil {
		return Copy{}, fmt.Errorf("copy the workspace: %w; open copies from the live workspace", ErrIsCopy)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Copy{}, err
	}
	if src.Sandbox {
		return Copy{}, fmt.Errorf("copy the workspace: %w: try changes in it directly", ErrNotLive)
	}
	existing, err := s.d.DB.SandboxCopies(ctx, src.ID)
	if err != nil {
		return Copy{}, err
	}
	if len(existing) >= maxCopies {
		return Copy{}, fmt.Errorf("copy the workspace: %w: it has %d sandbox copies already", ErrTooMany, len(existing))
	}
	now := s.d.Clock.Now()
	var c Copy
	for n := 1; n <= maxCopies+1; n++ {
		slug := src.Slug + "-sandbox"
		if n > 1 {
			slug = fmt.Sprintf("%s-sandbox-%d", src.Slug, n)
		}
		if tenant.ValidateSlug(slug) != nil { // too long for a slug
			b := make([]byte, 4)
			rand.Read(b)
			slug = "sandbox-" + hex.EncodeToString(b)
		}
		c = Copy{Tenant: tenant.Tenant{ID: ids.New(), Slug: slug, Name: src.Name + " (sandbox)", Sandbox: true, CreatedAt: now}, Source: src.ID}
		err = s.d.DB.InTx(ctx, func(st *store.Store, _ *sql.Tx) error {
			if err := st.CreateTenant(ctx, c.Tenant); err != nil {
				return err
			}
			var err error
			if c.Copied, err = st.CopyConfig(ctx, src.ID, c.Tenant.ID, freshWidget); err != nil {
				return err
			}
			if err := st.LinkSandboxCopy(ctx, store.SandboxCopy{TenantID: c.Tenant.ID, SourceID: src.ID, CreatedBy: a.Type + ":" + a.ID, CreatedAt: now}); err != nil {
				return err
			}
			for _, e := range []tenant.AuditEntry{
				{TenantID: src.ID, TargetID: c.Tenant.ID},
				{TenantID: c.Tenant.ID, TargetID: src.ID},
			} {
				e.ID, e.ActorType, e.ActorID, e.RemoteAddr, e.CreatedAt = ids.New(), a.Type, a.ID, a.RemoteAddr, now
				e.Action, e.TargetType = "tenant.sandbox_copy", "tenant"
				e.Detail = map[string]any{"source_id": src.ID, "copy_id": c.Tenant.ID, "copy_slug": c.Tenant.Slug}
				if err := st.AppendAudit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if !errors.Is(err, store.ErrConflict) { // a taken slug: try the next
			break
		}
	}
	if err != nil {
		return Copy{}, fmt.Errorf("copy the workspace: %w", err)
	}
	if s.d.Routing != nil {
		s.d.Routing.Reload(ctx, c.Tenant.ID)
	}
	s.d.Log.Info("sandbox copy opened", "tenant_id", src.ID, "copy_id", c.Tenant.ID)
	return c, nil
}

// Copies lists the sandbox copies made from the workspace.
func (s *Service) Copies(ctx context.Context, tenantID string) ([]store.SandboxCopy, error) {
	return s.d.DB.SandboxCopies(ctx, tenantID)
}

// CopyOf returns the link of a sandbox copy to its original; ErrNotFound for
// a workspace that is no copy.
func (s *Service) CopyOf(ctx context.Context, tenantID string) (store.SandboxCopy, error) {
	return s.d.DB.SandboxCopyOf(ctx, tenantID)
}

// freshWidget gives a copied widget a key of its own: a widget's key is
// unique across the center, and the live widget's must keep reaching the
// live workspace.
func freshWidget(table, column string) string {
	if table == "channel_accounts" && column == "address" {
		b := make([]byte, 12)
		rand.Read(b)
		return "wk_" + hex.EncodeToString(b)
	}
	return ""
}

// More refusals of OpenCopy.
var (
	// ErrNotLive is returned for copying a workspace still in the sandbox.
	ErrNotLive = errors.New("the workspace is in the sandbox")
	// ErrTooMany is returned past maxCopies.
	ErrTooMany = errors.New("too many sandbox copies")
)
