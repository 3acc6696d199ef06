package inbox_test

import (
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

func TestRenderEscapes(t *testing.T) {
	vars := map[string]string{"customer.name": "Maria Lopes"}
	for _, tc := range []struct {
		in, want string
		unknown  []string
	}{
		{`\{{customer.name}} is {{customer.name}}`, `\{{customer.name}} is Maria Lopes`, []string{}},
		{`\{{nope}}`, `\{{nope}}`, []string{}},
		{"{{ two words }}", "{{ two words }}", []string{}},
	} {
		got, unknown := inbox.Render(tc.in, vars)
		if got != tc.want || !slices.Equal(unknown, tc.unknown) {
			t.Errorf("Render(%q) = %q %v, want %q %v", tc.in, got, unknown, tc.want, tc.unknown)
		}
	}
}

func TestUnresolved(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Thank you, {{customer.first_name}}.", []string{"customer.first_name"}},
		{"{{ a.b }} {{a.b}} {{c}}", []string{"a.b", "c"}},
		{`\{{customer.name}}`, nil},
		{"{{ two words }} {{ and {{", nil},
		{"{{{x}}}", []string{"x"}},
		{"plain", nil},
	} {
		if got := inbox.Unresolved(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Unresolved(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestVariablesNamedOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range inbox.Variables {
		if seen[v.Name] || v.Description == "" || len(inbox.Unresolved("{{"+v.Name+"}}")) != 1 {
			t.Errorf("variable %+v: listed twice, undescribed or not a variable name", v)
		}
		seen[v.Name] = true
	}
}
