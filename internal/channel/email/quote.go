package email

import (
	"regexp"
	"strings"
)

// The lines that start the quoted history of a reply in the clients people
// use: Gmail's and Apple Mail's attribution (in a few languages), Outlook's
// separator and its header block.
var (
	attribution = regexp.MustCompile(`(?i)^((On|Le|El|Op|Il)\s.{0,400}(wrote|a écrit|escribió|schreef|ha scritto)\s*|Am\s.{0,400}\sschrieb\s.{0,300}):$`)
	separator   = regexp.MustCompile(`(?i)^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}$`)
	underscores = regexp.MustCompile(`^_{10,}$`)
)

// FoldQuoted splits a plain-text reply into what the customer wrote now and the
// history it quotes, so the timeline shows the new text and the agent can
// unfold the rest. The history starts at the first attribution ("On … wrote:"),
// Outlook separator or header block, or at a block of "> " lines that runs to
// the end. Quotes interleaved with answers are left alone: cutting them would
// hide what the customer wrote between them. When nothing new would remain,
// nothing is folded.
func FoldQuoted(body string) (fresh, quoted string) {
	body = strings.TrimRight(strings.ReplaceAll(body, "\r\n", "\n"), " \t\n")
	lines := strings.Split(body, "\n")
	cut := quoteStart(lines)
	if cut < 0 {
		return body, ""
	}
	fresh = strings.TrimRight(strings.Join(lines[:cut], "\n"), " \t\n")
	if strings.TrimSpace(fresh) == "" {
		return body, ""
	}
	return fresh, strings.TrimSpace(strings.Join(lines[cut:], "\n"))
}

// quoteStart is the index of the line where quoted history begins, or -1.
func quoteStart(lines []string) int {
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			continue
		case separator.MatchString(t):
			return i
		case isAttribution(lines, i):
			return i
		case outlookHeader(lines, i):
			if j := prevNonBlank(lines, i); j >= 0 && underscores.MatchString(strings.TrimSpace(lines[j])) {
				return j
			}
			return i
		case strings.HasPrefix(t, ">") && quotedToEnd(lines[i:]):
			return i
		}
	}
	return -1
}

// isAttribution reports whether an attribution line starts at i; clients wrap
// long ones ("On Wed, … Support <\nsupport@…> wrote:"), so up to three lines
// are read together.
func isAttribution(lines []string, i int) bool {
	joined := ""
	for j := i; j < len(lines) && j < i+3; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			return false
		}
		if joined != "" {
			joined += " "
		}
		joined += t
		if attribution.MatchString(joined) {
			return true
		}
	}
	return false
}

// outlookHeader reports whether a quoted Outlook header block ("From: …",
// then "Sent:" or "Date:", and "To:" or "Subject:") starts at i.
func outlookHeader(lines []string, i int) bool {
	if !hasField(lines[i], "From", "Von", "De") {
		return false
	}
	var sent, to bool
	for j := i + 1; j < len(lines) && j < i+7; j++ {
		sent = sent || hasField(lines[j], "Sent", "Date", "Gesendet", "Envoyé")
		to = to || hasField(lines[j], "To", "Subject", "An", "Betreff", "À", "Objet")
	}
	return sent && to
}

func hasField(line string, names ...string) bool {
	k, _, ok := strings.Cut(strings.TrimLeft(strings.TrimSpace(line), "*"), ":")
	if !ok {
		return false
	}
	k = strings.Trim(k, "* ")
	for _, n := range names {
		if strings.EqualFold(k, n) {
			return true
		}
	}
	return false
}

func quotedToEnd(lines []string) bool {
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}

func prevNonBlank(lines []string, i int) int {
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			return j
		}
	}
	return -1
}
