package inbox_test

import (
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

func TestRender(t *testing.T) {
	vars := map[string]string{"customer.first_name": "Maria", "agent.name": "Ana Lima", "empty": ""}
	for _, tc := range []struct {
		in, want string
		unknown  []string
	}{
		{"Hi {{customer.first_name}}", "Hi Maria", []string{}},
		{"Hi {{ customer.first_name }}, {{agent.name}}", "Hi Maria, Ana Lima", []string{}},
		{"{{order.id}} and {{order.id}} {{x}}", "{{order.id}} and {{order.id}} {{x}}", []string{"order.id", "x"}},
		{"[{{empty}}]", "[]", []string{}},
		{"{{not closed", "{{not closed", []string{}},
		{"{{{customer.first_name}}}", "{Maria}", []string{}},
	} {
		got, unknown := inbox.Render(tc.in, vars)
		if got != tc.want || !slices.Equal(unknown, tc.unknown) {
			t.Errorf("Render(%q) = %q %v, want %q %v", tc.in, got, unknown, tc.want, tc.unknown)
		}
	}
}
