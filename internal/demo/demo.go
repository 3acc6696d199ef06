// Package demo creates Northwind Bank, the tenant a newcomer signs in to after
// `make run`, with an admin, a supervisor, agents and an expert.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Slug is the demo tenant's workspace name, typed at sign-in.
const Slug = "northwind"

// Password is every demo user's password. The demo tenant is a sandbox for trying
// Switchboard out; never give it real customers.
const Password = "switchboard-demo"

// People are the demo users: email, name, role.
var People = []struct {
	Email, Name string
	Role        tenant.Role
}{
	{"admin@northwind.example", "Nadia Admin", tenant.RoleAdmin},
	{"supervisor@northwind.example", "Sam Supervisor", tenant.RoleSupervisor},
	{"ana@northwind.example", "Ana Agent", tenant.RoleAgent},
	{"ben@northwind.example", "Ben Agent", tenant.RoleAgent},
	{"chloe@northwind.example", "Chloé Agent", tenant.RoleAgent},
	{"erik@northwind.example", "Erik Expert", tenant.RoleExpert},
}

// Seed creates the demo tenant unless it exists, and reports whether it did.
func Seed(ctx context.Context, db *store.DB, acc *accounts.Service) (created bool, err error) {
	if _, err := db.TenantBySlug(ctx, Slug); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	admin := People[0]
	t, _, err := acc.CreateTenant(ctx, Slug, "Northwind Bank", true,
		accounts.NewUser{Email: admin.Email, Name: admin.Name, Password: Password})
	if err != nil {
		return false, fmt.Errorf("create demo tenant: %w", err)
	}
	actor := accounts.Actor{TenantID: t.ID, Type: "system", ID: "demo"}
	for _, p := range People[1:] {
		if _, err := acc.CreateUser(ctx, actor, accounts.NewUser{Email: p.Email, Name: p.Name, Role: p.Role, Password: Password}); err != nil {
			return false, fmt.Errorf("create demo user %s: %w", p.Email, err)
		}
	}
	return true, nil
}

// PrintLogin tells a newcomer how to sign in.
func PrintLogin(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "\n  Switchboard demo is ready: open %s\n", baseURL)
	fmt.Fprintf(w, "  Workspace: %s   Password (every demo user): %s\n", Slug, Password)
	for _, p := range People {
		fmt.Fprintf(w, "    %-12s %s\n", p.Role, p.Email)
	}
	fmt.Fprintln(w)
}
