package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// runOperatorCreate makes an operator and prints their token, shown this once.
func runOperatorCreate(ctx context.Context, w io.Writer, a *app.App, name string) error {
	o, token, err := a.Operator.Create(ctx, name)
	var fe *tenant.FieldError
	if errors.As(err, &fe) {
		return fmt.Errorf("operator create: --%s: %s", fe.Field, fe.Reason)
	}
	if err != nil {
		return fmt.Errorf("operator create: %w", err)
	}
	fmt.Fprintf(w, "Created the operator %s (id %s).\n", o.Name, o.ID)
	fmt.Fprintf(w, "Their token opens the operator console (/operator) and API (/api/operator/v1). It is shown this once; keep it like a root password:\n\n  %s\n", token)
	return nil
}

// runOperatorRevoke ends an operator's token.
func runOperatorRevoke(ctx context.Context, w io.Writer, a *app.App, id string) error {
	if id == "" {
		return errors.New("operator revoke: --id is required")
	}
	err := a.Operator.Revoke(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("operator revoke: no operator %s with a token in force", id)
	}
	if err != nil {
		return fmt.Errorf("operator revoke: %w", err)
	}
	fmt.Fprintf(w, "Revoked the operator %s: their token no longer opens anything.\n", id)
	return nil
}
