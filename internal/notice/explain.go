package notice

import (
	"fmt"
	"regexp"
	"strings"
)

// The messages of Go's text/template, read back into what a person writing a
// template can act on. Go's own ("template: :1: function \"amount\" not
// defined", "executing \"\" at <.amount>: map has no entry for key
// \"amount\"") name the engine's internals, not the field or the variable;
// web/src/supervisor/NotificationPreview.tsx says the same things in the
// preview, before the type is saved.
var (
	parseErrRE   = regexp.MustCompile(`^template: :(\d+)(?::\d+)?: (.*)$`)
	undefinedRE  = regexp.MustCompile(`^function "([^"]+)" not defined$`)
	noEntryRE    = regexp.MustCompile(`^template: :(\d+)(?::\d+)?: executing "[^"]*" at <([^>]*)>: map has no entry for key "([^"]*)"$`)
	execErrRE    = regexp.MustCompile(`^template: :(\d+)(?::\d+)?: executing "[^"]*" at <([^>]*)>: (.*)$`)
	unexpectedRE = regexp.MustCompile(`^unexpected (.*) in (operand|command|if|with|range|end|else)$`)
)

// explainParse turns a template parse error into a sentence that names the
// line and says what to write instead.
func explainParse(err error) string {
	m := parseErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return "this template cannot be read: " + err.Error()
	}
	return "line " + m[1] + ": " + explainParseMessage(m[2])
}

func explainParseMessage(msg string) string {
	if m := undefinedRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("{{%s}} is not a variable: write {{.%s}}, with a dot, to use the event's %q", m[1], m[1], m[1])
	}
	switch {
	case msg == "unclosed action" || strings.HasPrefix(msg, "unclosed action"):
		return `a "{{" has no closing "}}"`
	case msg == "unexpected EOF":
		return "an {{if}}, {{with}} or {{range}} has no {{end}}"
	case msg == "unexpected {{end}}":
		return "an {{end}} closes nothing: remove it, or open the block with {{if .x}}"
	case strings.HasPrefix(msg, "unexpected {{else}}"):
		return "an {{else}} outside an {{if}}, {{with}} or {{range}}"
	case strings.HasPrefix(msg, "missing value for"):
		return "an empty {{ }}: write a variable inside, such as {{.amount}}"
	case strings.HasPrefix(msg, "bad character"):
		return "a {{…}} holds a character a variable name cannot: use letters, digits and underscores, such as {{.order_id}}"
	case unexpectedRE.MatchString(msg):
		m := unexpectedRE.FindStringSubmatch(msg)
		return fmt.Sprintf("%s is not expected here: a {{…}} holds one variable, such as {{.amount}}", m[1])
	}
	return "this part cannot be read (" + msg + ")"
}

// explainExec turns a template execution error into a sentence naming the
// variable that has no value.
func explainExec(err error) string {
	msg := err.Error()
	if m := noEntryRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("line %s: {{%s}} has no value: the event's data has no %q", m[1], m[2], m[3])
	}
	if m := execErrRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("line %s: {{%s}} cannot be filled in: %s", m[1], m[2], m[3])
	}
	return msg
}
