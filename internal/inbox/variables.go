package inbox

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Canned responses and macros may carry variables, {{customer.first_name}},
// that are filled in for one conversation. A reply to a customer never
// carries one raw: what has no value is shown to the agent to fill in, and
// the server refuses a reply that still holds one.
//
// What counts as a variable: {{ name }} where name is letters, digits, "_" and
// "." (spaces inside the braces allowed). Any other "{{" — "{{ two words }}",
// a lone "{{" — is text. To send a variable-shaped text literally, write a
// backslash before it: \{{customer.name}} is sent as {{customer.name}}.

// Variable is a name a canned response or macro may use as {{name}}.
type Variable struct {
	Name string `json:"name"`
	// Description says where the value comes from, for the people who write canned responses.
	Description string `json:"description"`
}

// Variables are every variable the center fills in, in one place: the
// composer, canned responses, macros and the preview use these and no other.
var Variables = []Variable{
	{"customer.name", "the customer's full name"},
	{"customer.first_name", "the first word of the customer's name"},
	{"customer.email", "the customer's email address"},
	{"customer.phone", "the customer's phone number"},
	{"agent.name", "the full name of the user who sends"},
	{"agent.first_name", "the first word of the sender's name"},
	{"agent.email", "the sender's email address"},
	{"tenant.name", "the business's name"},
	{"business.name", "the business's name (the same as tenant.name)"},
	{"conversation.id", "the conversation's id"},
	{"conversation.subject", "the conversation's subject"},
}

// variableValues are the values of Variables for a conversation, its
// customer, the sending user (zero for an API key) and the business. A
// variable without a value (an anonymous visitor's name) is absent, never
// the empty string, so it is flagged rather than silently dropped.
func variableValues(c conversation.Conversation, p persona.Persona, u tenant.User, t tenant.Tenant) map[string]string {
	name := persona.GivenName(p) // never the made-up "Visitor 4821"
	vals := map[string]string{
		"customer.name":        name,
		"customer.first_name":  firstName(name),
		"customer.email":       identifierOf(p, persona.KindEmail),
		"customer.phone":       identifierOf(p, persona.KindPhone),
		"agent.name":           u.Name,
		"agent.first_name":     firstName(u.Name),
		"agent.email":          u.Email,
		"tenant.name":          t.Name,
		"business.name":        t.Name,
		"conversation.id":      c.ID,
		"conversation.subject": c.Subject,
	}
	for k, v := range vals {
		if strings.TrimSpace(v) == "" {
			delete(vals, k)
		}
	}
	return vals
}

func identifierOf(p persona.Persona, kind persona.Kind) string {
	for _, id := range p.Identifiers {
		if id.Kind == kind {
			return id.Value
		}
	}
	return ""
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// variables are the values a template may use in a conversation, for the caller.
func (s *Service) variables(ctx context.Context, a Actor, conversationID string) (map[string]string, error) {
	c, err := s.db.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Persona(ctx, a.TenantID, c.PersonaID)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	var u tenant.User
	if a.UserID != "" {
		if u, err = s.db.User(ctx, a.TenantID, a.UserID); err != nil {
			return nil, err
		}
	}
	t, err := s.db.Tenant(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	return variableValues(c, p, u, t), nil
}

// PreviewText fills the variables of body for a conversation and the caller,
// as a reply would be sent; what has no value is left as written and named.
func (s *Service) PreviewText(ctx context.Context, a Actor, conversationID, body string) (Rendered, error) {
	if len(body) > s.limits.MaxBodyBytes {
		return Rendered{}, &tenant.FieldError{Field: "body", Reason: "too long for a message"}
	}
	vars, err := s.variables(ctx, a, conversationID)
	if err != nil {
		return Rendered{}, err
	}
	out, unknown := Render(body, vars)
	return Rendered{Body: out, UnknownVariables: unknown}, nil
}

// variableRE finds {{ name }}; an optional backslash before it (group 1)
// marks it as text to send literally.
var variableRE = regexp.MustCompile(`(\\?)\{\{\s*([A-Za-z0-9_.]+)\s*\}\}`)

// Render replaces each {{name}} of body by its value; names without one are
// left visible, so the agent sees what to fill in, and reported. An escaped
// \{{name}} stays as written.
func Render(body string, vars map[string]string) (string, []string) {
	unknown := []string{}
	out := variableRE.ReplaceAllStringFunc(body, func(m string) string {
		sub := variableRE.FindStringSubmatch(m)
		if sub[1] != "" {
			return m
		}
		if v, ok := vars[sub[2]]; ok {
			return v
		}
		if !slices.Contains(unknown, sub[2]) {
			unknown = append(unknown, sub[2])
		}
		return m
	})
	return out, unknown
}

// Unresolved lists the variables body still carries, unescaped, in order of
// first appearance.
func Unresolved(body string) []string {
	var names []string
	for _, sub := range variableRE.FindAllStringSubmatch(body, -1) {
		if sub[1] == "" && !slices.Contains(names, sub[2]) {
			names = append(names, sub[2])
		}
	}
	return names
}

// literalBraces turns each escaped \{{ of a checked body into the {{ it stands for.
func literalBraces(body string) string { return strings.ReplaceAll(body, `\{{`, "{{") }

// checkResolved refuses a text for a customer that still carries a variable,
// naming it; the field is where the text came from.
func checkResolved(field, body string) error {
	names := Unresolved(body)
	if len(names) == 0 {
		return nil
	}
	list := make([]string, len(names))
	for i, n := range names {
		list[i] = "{{" + n + "}}"
	}
	return &tenant.FieldError{Field: field, Reason: "unresolved variable " + strings.Join(list, ", ") +
		": fill it in before sending, or write \\{{ to send {{ as text"}
}
