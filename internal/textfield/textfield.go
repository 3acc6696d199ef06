// Package textfield holds the limits of the domain's text fields and the one
// check every text input goes through, so a name, a tag or a note is refused
// the same way wherever it enters: valid UTF-8, no control characters (a
// single line has none at all, a multi-line body keeps tab, line feed and
// carriage return) and no longer than its limit. The errors are
// *tenant.FieldError, which the API answers with 422 naming the field.
//
// Text is stored as sent, not normalised to NFC: a customer's or a business
// system's bytes come back unchanged, and the limits count characters as
// sent (see docs/adr/0012-text-and-html-input.md).
package textfield

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The limits, in characters for single lines and in bytes for bodies. One
// table, so the API document, the checks and the UI agree.
const (
	// MaxName bounds the names of people, queues, teams, macros, keys,
	// channel accounts, presence states, calendars, policies and types.
	MaxName = 200
	// MaxTitle bounds titles and subjects.
	MaxTitle = 998 // a mail header line's length (RFC 5322)
	// MaxLine bounds other single-line values: reasons, descriptions, keys.
	MaxLine = 1000
	// MaxTag bounds one tag or skill; MaxTags how many a record has.
	MaxTag  = 50
	MaxTags = 50
	// MaxAttributes bounds the custom attributes of a record, with each key
	// at most MaxAttributeKey and each value at most MaxAttributeValue bytes.
	MaxAttributes     = 100
	MaxAttributeKey   = 64
	MaxAttributeValue = 2000
	// MaxBody bounds a message, a note, a canned response or a template, in
	// bytes; the inbox may be configured lower.
	MaxBody = 256 << 10
)

// Line checks a single-line value: valid UTF-8, no control character, at
// most max characters.
func Line(field, v string, max int) error {
	if err := Clean(field, v, false); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(v); n > max {
		return &tenant.FieldError{Field: field, Reason: fmt.Sprintf("at most %d characters (has %d)", max, n)}
	}
	return nil
}

// Block checks a multi-line value: valid UTF-8, no control character but
// tab, line feed and carriage return, at most maxBytes bytes.
func Block(field, v string, maxBytes int) error {
	if len(v) > maxBytes {
		return &tenant.FieldError{Field: field, Reason: fmt.Sprintf("at most %d bytes (has %d)", maxBytes, len(v))}
	}
	return Clean(field, v, true)
}

// List checks a list of single-line values, such as tags or skills: at most
// maxItems of them, each at most maxLen characters. The field of an item is
// named with its index (tags[3]).
func List(field string, vs []string, maxItems, maxLen int) error {
	if len(vs) > maxItems {
		return &tenant.FieldError{Field: field, Reason: fmt.Sprintf("at most %d items (has %d)", maxItems, len(vs))}
	}
	for i, v := range vs {
		if err := Line(fmt.Sprintf("%s[%d]", field, i), v, maxLen); err != nil {
			return err
		}
	}
	return nil
}

// Clean checks only the characters of v: valid UTF-8 and no control
// character (C0, DEL, C1), except tab, line feed and carriage return when
// multiline. NUL is refused here rather than by the database, which
// PostgreSQL does with an error and SQLite not at all.
func Clean(field, v string, multiline bool) error {
	if i, r := Bad(v, multiline); i >= 0 {
		if r == utf8.RuneError {
			return &tenant.FieldError{Field: field, Reason: fmt.Sprintf("is not valid UTF-8 (at byte %d)", i)}
		}
		return &tenant.FieldError{Field: field, Reason: fmt.Sprintf("contains the control character %U at byte %d", r, i)}
	}
	return nil
}

// Bad returns the byte offset and rune of the first character Clean refuses,
// or -1. Invalid UTF-8 is reported as utf8.RuneError.
func Bad(v string, multiline bool) (int, rune) {
	for i, r := range v {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(v[i:]); size == 1 {
				return i, r
			}
		case multiline && (r == '\t' || r == '\n' || r == '\r'):
		case unicode.IsControl(r):
			return i, r
		}
	}
	return -1, 0
}

// Scrub returns v with what Clean refuses taken out: invalid UTF-8 becomes
// U+FFFD, control characters are dropped (in a single line, a tab or line
// break becomes a space). It is for text a customer sent over a channel,
// where refusing would lose the message (a bounce, a provider's webhook
// answered 4xx): the message is kept and the change noted. changed reports
// whether anything was taken out.
func Scrub(v string, multiline bool) (s string, changed bool) {
	if i, _ := Bad(v, multiline); i < 0 {
		return v, false
	}
	var b strings.Builder
	b.Grow(len(v))
	for i, r := range v {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(v[i:]); size == 1 {
				b.WriteRune(utf8.RuneError)
				continue
			}
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), true
}
