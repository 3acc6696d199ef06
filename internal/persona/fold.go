package persona

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold is s as people search compares it: decomposed (NFD), without the
// combining accents U+0300–U+036F, lowercase — so "Zoë Müller" is
// "zoe muller" and a customer is found however the agent types the name.
// PostgreSQL computes the same in SQL (lower(regexp_replace(normalize(s, NFD),
// '[\u0300-\u036f]', ”, 'g'))), SQLite through this function (store
// registers it), so both engines find the same people.
func Fold(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if r >= 0x300 && r <= 0x36f {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// PhoneDigits returns the ways a query typed as a phone number ("+49 151
// 1234-5678", "(415) 555-0142", "0151 12345678") can appear inside an E.164
// identifier: its digits, and those digits without an international ("00")
// or national trunk ("0") prefix. A query that is not written like a number
// (it has letters, or fewer than four digits) gives none.
func PhoneDigits(query string) []string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(query) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return nil
		}
	}
	d := b.String()
	if len(d) < 4 {
		return nil
	}
	out := []string{d}
	if t := strings.TrimPrefix(d, "00"); t != d {
		out = append(out, t)
	} else if t := strings.TrimPrefix(d, "0"); t != d && len(t) >= 4 {
		out = append(out, t)
	}
	return out
}
