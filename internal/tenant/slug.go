package tenant

import (
	"regexp"
	"slices"
	"strings"
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// reservedSlugs are workspace addresses no business may take: names of the
// center's own pages and services (a workspace address appears in paths and
// may become a host name), and names that would pass for the service or its
// operator in a sign-in link or an email.
var reservedSlugs = []string{
	"account", "admin", "administrator", "api", "app", "assets", "auth", "billing", "channels", "console",
	"dashboard", "docs", "help", "internal", "invitation", "invite", "login", "logout", "mail", "metrics", "null",
	"operator", "portal", "postmaster", "readyz", "healthz", "reset-password", "root", "security",
	"settings", "setup", "signin", "sign-in", "signup", "sign-up", "smtp", "static", "status", "support",
	"switchboard", "system", "undefined", "webhooks", "widget", "www",
}

// ValidateSlug checks a tenant's short name, used at sign-in and in addresses:
// its shape, and that it is not one of the reserved names.
func ValidateSlug(slug string) error {
	if !slugRE.MatchString(slug) {
		return &FieldError{"slug", "3–40 lowercase letters, digits or dashes, not starting or ending with a dash"}
	}
	if strings.Contains(slug, "--") {
		// As a host name label, "xn--…" is punycode: it would display as another name.
		return &FieldError{"slug", "must not hold two dashes in a row"}
	}
	if slices.Contains(reservedSlugs, slug) {
		return &FieldError{"slug", "\"" + slug + "\" is reserved; choose another workspace address"}
	}
	return nil
}
