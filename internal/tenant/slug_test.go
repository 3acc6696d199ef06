package tenant_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestValidateSlug(t *testing.T) {
	for _, tc := range []struct {
		slug string
		says string // empty: accepted
	}{
		{"acme", ""},
		{"northwind-bank", ""},
		{"a1b", ""},
		{strings.Repeat("a", 40), ""},
		{"ab", "3–40"},
		{strings.Repeat("a", 41), "3–40"},
		{"Acme", "3–40"},
		{"-acme", "3–40"},
		{"acme-", "3–40"},
		{"ac me", "3–40"},
		{"xn--80ak6aa92e", "two dashes"},
		{"admin", "reserved"},
		{"api", "reserved"},
		{"signup", "reserved"},
		{"invitation", "reserved"},
		{"setup", "reserved"},
		{"switchboard", "reserved"},
		{"www", "reserved"},
	} {
		t.Run(tc.slug, func(t *testing.T) {
			err := tenant.ValidateSlug(tc.slug)
			if tc.says == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != "slug" || !strings.Contains(fe.Reason, tc.says) {
				t.Fatalf("got %v, want a slug error saying %q", err, tc.says)
			}
		})
	}
}
