package notice

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A template with a mistake is refused naming the field, the line and what to
// write, never with text/template's own message.
func TestValidateExplainsTemplateErrors(t *testing.T) {
	for _, c := range []struct{ body, field, want string }{
		{"Hello {{amount}}", "templates.en.email.body", `line 1: {{amount}} is not a variable: write {{.amount}}, with a dot, to use the event's "amount"`},
		{"Hello\n{{.amount", "templates.en.email.body", `line 2: a "{{" has no closing "}}"`},
		{"{{if .vip}}Dear VIP", "templates.en.email.body", "line 1: an {{if}}, {{with}} or {{range}} has no {{end}}"},
		{"Done{{end}}", "templates.en.email.body", "line 1: an {{end}} closes nothing"},
		{"Hi {{}}", "templates.en.email.body", "line 1: an empty {{ }}"},
	} {
		typ := Type{Key: "card.blocked", Category: "transactional", Templates: map[string]map[string]Template{"en": {"email": {Subject: "Card", Body: c.body}}}}
		err := typ.Validate()
		var fe *tenant.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%q: Validate() = %v, want a field error", c.body, err)
			continue
		}
		if fe.Field != c.field || !strings.HasPrefix(fe.Reason, c.want) {
			t.Errorf("%q: %s: %s\nwant %s: %s…", c.body, fe.Field, fe.Reason, c.field, c.want)
		}
		if strings.Contains(fe.Reason, "template:") || strings.Contains(fe.Reason, "executing") {
			t.Errorf("%q: the reason still speaks text/template: %s", c.body, fe.Reason)
		}
	}
}

// A variable the event lacks is named with its line when the notice is rendered.
func TestRenderExplainsMissingVariable(t *testing.T) {
	typ := Type{Key: "card.blocked", Templates: map[string]map[string]Template{"en": {"email": {Body: "Hello\nYou owe {{.amount}}"}}}}
	_, err := Render(typ, "en", "email", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), `line 2: {{.amount}} has no value: the event's data has no "amount"`) {
		t.Fatalf("Render() = %v, want the missing variable named with its line", err)
	}
}
