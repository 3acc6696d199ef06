package knowledge

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DiffOp is one run of a word-level diff.
type DiffOp struct {
	Op   string `json:"op"` // "equal", "insert" or "delete"
	Text string `json:"text"`
}

// FieldDiff is how one content field changed between two versions.
type FieldDiff struct {
	Field   string   `json:"field"`
	Changed bool     `json:"changed"`
	Ops     []DiffOp `json:"ops"`
}

// DiffContent compares two versions' content field by field, word by word,
// so a reviewer sees which words an edit changed rather than which lines.
// Lists (tags, queues, products) are compared as comma-separated text.
func DiffContent(from, to Content) []FieldDiff {
	fields := []struct {
		name     string
		old, new string
	}{
		{"title", from.Title, to.Title},
		{"issue", from.Issue, to.Issue},
		{"environment", from.Environment, to.Environment},
		{"cause", from.Cause, to.Cause},
		{"resolution", from.Resolution, to.Resolution},
		{"audience", string(from.Audience), string(to.Audience)},
		{"locale", from.Locale, to.Locale},
		{"tags", strings.Join(from.Tags, ", "), strings.Join(to.Tags, ", ")},
		{"category", from.Category, to.Category},
		{"queue_ids", strings.Join(from.QueueIDs, ", "), strings.Join(to.QueueIDs, ", ")},
		{"products", strings.Join(from.Products, ", "), strings.Join(to.Products, ", ")},
	}
	out := make([]FieldDiff, 0, len(fields))
	for _, f := range fields {
		out = append(out, FieldDiff{Field: f.name, Changed: f.old != f.new, Ops: DiffWords(f.old, f.new)})
	}
	return out
}

// DiffWords is a word-level diff of a and b: each word and each run of
// spaces or punctuation is one token, diffed with Myers' algorithm (the
// go-diff library, over tokens mapped to runes), and neighbouring runs of the
// same kind are merged. Concatenating the equal and delete texts gives a,
// the equal and insert texts b.
func DiffWords(a, b string) []DiffOp {
	if a == b {
		if a == "" {
			return []DiffOp{}
		}
		return []DiffOp{{Op: "equal", Text: a}}
	}
	index := map[string]rune{}
	var tokens []string
	encode := func(s string) []rune {
		var out []rune
		for _, tok := range words(s) {
			r, ok := index[tok]
			if !ok {
				// Private-use and beyond: one rune per distinct token.
				r = rune(0xE000 + len(tokens))
				if r >= 0xF900 {
					r = rune(0xF0000 + len(tokens))
				}
				index[tok] = r
				tokens = append(tokens, tok)
			}
			out = append(out, r)
		}
		return out
	}
	ra, rb := encode(a), encode(b)
	decode := map[rune]string{}
	for tok, r := range index {
		decode[r] = tok
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact: articles are small and a diff must not depend on timing
	diffs := dmp.DiffMainRunes(ra, rb, false)
	var out []DiffOp
	for _, d := range diffs {
		var text strings.Builder
		for _, r := range d.Text {
			text.WriteString(decode[r])
		}
		op := "equal"
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "insert"
		case diffmatchpatch.DiffDelete:
			op = "delete"
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text.String()
			continue
		}
		out = append(out, DiffOp{Op: op, Text: text.String()})
	}
	return out
}

// words splits s into tokens: runs of letters and digits, and every other
// character on its own (spaces included), so nothing is lost.
func words(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\''
		switch {
		case word && start < 0:
			start = i
		case !word:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, string(r))
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}
