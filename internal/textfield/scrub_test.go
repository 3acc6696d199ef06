package textfield_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/textfield"
)

func TestScrub(t *testing.T) {
	for _, c := range []struct {
		in        string
		multiline bool
		want      string
		changed   bool
	}{
		{"plain text", false, "plain text", false},
		{"two\nlines\ttabbed\r\n", true, "two\nlines\ttabbed\r\n", false},
		{"two\nlines\ttabbed", false, "two lines tabbed", true},
		{"a bell\a, an escape\x1b[2J, a NUL\x00", true, "a bell, an escape[2J, a NUL", true},
		{"C1 \u0085next line, DEL \x7f", false, "C1 next line, DEL ", true},
		{"bad \xff byte, zoë", false, "bad \uFFFD byte, zoë", true},
	} {
		got, changed := textfield.Scrub(c.in, c.multiline)
		if got != c.want || changed != c.changed {
			t.Errorf("Scrub(%q, %v) = %q, %v; want %q, %v", c.in, c.multiline, got, changed, c.want, c.changed)
		}
		if i, _ := textfield.Bad(got, c.multiline); i >= 0 {
			t.Errorf("Scrub(%q) left %q, which Clean refuses at %d", c.in, got, i)
		}
	}
}
