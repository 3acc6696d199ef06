package textfield_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		field     string // "" means no error
		reasonHas string
	}{
		{name: "plain line", err: textfield.Line("name", "Ada Lovelace", 200)},
		{name: "accents count as characters", err: textfield.Line("name", strings.Repeat("é", 200), 200)},
		{name: "long line", err: textfield.Line("name", strings.Repeat("x", 201), 200), field: "name", reasonHas: "at most 200 characters"},
		{name: "NUL in line", err: textfield.Line("name", "a\x00b", 200), field: "name", reasonHas: "U+0000"},
		{name: "newline in line", err: textfield.Line("name", "a\nb", 200), field: "name", reasonHas: "U+000A"},
		{name: "tab in line", err: textfield.Line("name", "a\tb", 200), field: "name", reasonHas: "U+0009"},
		{name: "DEL in line", err: textfield.Line("name", "a\x7fb", 200), field: "name", reasonHas: "U+007F"},
		{name: "C1 in line", err: textfield.Line("name", "a\u0085b", 200), field: "name", reasonHas: "U+0085"},
		{name: "invalid UTF-8", err: textfield.Line("name", "a\xffb", 200), field: "name", reasonHas: "not valid UTF-8"},
		{name: "replacement character is text", err: textfield.Line("name", "a\uFFFDb", 200)},
		{name: "body keeps tab and newlines", err: textfield.Block("body", "a\tb\r\nc\n", 100)},
		{name: "NUL in body", err: textfield.Block("body", "a\x00b", 100), field: "body", reasonHas: "U+0000"},
		{name: "escape in body", err: textfield.Block("body", "a\x1b[31mb", 100), field: "body", reasonHas: "U+001B"},
		{name: "long body", err: textfield.Block("body", strings.Repeat("x", 101), 100), field: "body", reasonHas: "at most 100 bytes"},
		{name: "list", err: textfield.List("tags", []string{"a", "b"}, 2, 5)},
		{name: "too many", err: textfield.List("tags", []string{"a", "b", "c"}, 2, 5), field: "tags", reasonHas: "at most 2 items"},
		{name: "item too long", err: textfield.List("tags", []string{"a", "bbbbbb"}, 2, 5), field: "tags[1]", reasonHas: "at most 5"},
		{name: "item with NUL", err: textfield.List("tags", []string{"a\x00"}, 2, 5), field: "tags[0]", reasonHas: "U+0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == "" {
				if tc.err != nil {
					t.Fatalf("unexpected error %v", tc.err)
				}
				return
			}
			var fe *tenant.FieldError
			if !errors.As(tc.err, &fe) {
				t.Fatalf("error %v, want a *tenant.FieldError", tc.err)
			}
			if fe.Field != tc.field || !strings.Contains(fe.Reason, tc.reasonHas) {
				t.Errorf("error %q on %q, want one on %q saying %q", fe.Reason, fe.Field, tc.field, tc.reasonHas)
			}
		})
	}
}
