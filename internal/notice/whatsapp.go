package notice

import (
	"fmt"
	"regexp"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// WhatsApp is the WhatsApp channel's name.
const WhatsApp = "whatsapp"

// WhatsAppTemplate names the tenant's approved WhatsApp template a notice
// goes as outside the customer's window (WhatsApp allows only templates
// there), and what fills its {{1}}, {{2}}…: each variable a template over
// the event's data, as the body is ("{{.amount}}").
type WhatsAppTemplate struct {
	Name      string   `json:"name"`
	Variables []string `json:"variables,omitempty"`
}

var whatsAppNameRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)

// checkWhatsApp refuses a WhatsApp template on another channel, a name Meta
// would not take, and variables that do not parse.
func checkWhatsApp(field, channel string, w *WhatsAppTemplate) error {
	if w == nil {
		return nil
	}
	if channel != WhatsApp {
		return &tenant.FieldError{Field: field + ".whatsapp", Reason: "only a whatsapp template names a WhatsApp template"}
	}
	if !whatsAppNameRE.MatchString(w.Name) {
		return &tenant.FieldError{Field: field + ".whatsapp.name", Reason: "the approved template's name: lowercase letters, digits and underscores"}
	}
	for i, v := range w.Variables {
		if _, err := parse(v); err != nil {
			return &tenant.FieldError{Field: fmt.Sprintf("%s.whatsapp.variables[%d]", field, i), Reason: err.Error()}
		}
	}
	return nil
}

// WhatsAppFallback is the type's WhatsApp template in lang with its
// variables rendered from vars; ok is false when the type names none.
func (t Type) WhatsAppFallback(lang string, vars map[string]any) (name string, values []string, ok bool, err error) {
	ch, tpl, found := t.template(lang, WhatsApp)
	if !found || ch != WhatsApp || tpl.WhatsApp == nil {
		return "", nil, false, nil
	}
	values = make([]string, len(tpl.WhatsApp.Variables))
	for i, v := range tpl.WhatsApp.Variables {
		if values[i], err = execute(v, vars); err != nil {
			return "", nil, false, fmt.Errorf("%s/whatsapp variable %d: %w", lang, i+1, err)
		}
	}
	return tpl.WhatsApp.Name, values, true, nil
}
