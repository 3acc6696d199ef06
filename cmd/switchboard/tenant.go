package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// flagOf names the flag behind each field CreateWorkspace may refuse.
var flagOf = map[string]string{"slug": "--slug", "name": "--name", "email": "--admin-email"}

// runTenantCreate creates a workspace and prints its admin's one-time sign-in link.
func runTenantCreate(ctx context.Context, w io.Writer, a *app.App, in accounts.NewWorkspace) error {
	ws, err := a.Accounts.CreateWorkspace(ctx, in)
	var fe *tenant.FieldError
	if errors.As(err, &fe) {
		name := flagOf[fe.Field]
		if name == "" {
			name = fe.Field
		}
		return fmt.Errorf("tenant create: %s: %s", name, fe.Reason)
	}
	if err != nil {
		return fmt.Errorf("tenant create: %w", err)
	}
	mode := "sandbox"
	if !ws.Tenant.Sandbox {
		mode = "live"
	}
	fmt.Fprintf(w, "Created the workspace %s (address %q, %s) with its admin %s.\n", ws.Tenant.Name, ws.Tenant.Slug, mode, ws.Admin.Email)
	fmt.Fprintf(w, "Give the admin this sign-in link; it sets their password, works once, and expires %s UTC:\n\n  %s\n",
		ws.Expires.Format("2006-01-02 15:04"), ws.Link)
	return nil
}

// runSignupCode makes a sign-up code and prints it; it is shown this once.
func runSignupCode(ctx context.Context, w io.Writer, a *app.App, note string, ttl time.Duration) error {
	code, expires, err := a.Accounts.CreateSignupCode(ctx, note, ttl)
	var fe *tenant.FieldError
	if errors.As(err, &fe) {
		return fmt.Errorf("signup-code create: --%s: %s", fe.Field, fe.Reason)
	}
	if err != nil {
		return fmt.Errorf("signup-code create: %w", err)
	}
	fmt.Fprintf(w, "Sign-up code (works once, until %s UTC; shown only now):\n\n  %s\n\n", expires.Format("2006-01-02 15:04"), code)
	if a.Accounts.SignupMode() != accounts.SignupInvite {
		fmt.Fprintf(w, "Note: this center runs with --signup %s; codes are asked for only with --signup invite.\n", a.Accounts.SignupMode())
	}
	return nil
}
