package sms

import "strings"

// Keyword is what a carrier keyword asks for.
type Keyword string

// The keyword kinds; KeywordNone is an ordinary message.
const (
	KeywordNone  Keyword = ""
	KeywordStop  Keyword = "stop"  // opt out of every message from this number
	KeywordStart Keyword = "start" // opt back in
	KeywordHelp  Keyword = "help"  // ask who is writing and how to stop
)

// keywords is Twilio's standard opt-out, opt-in and help set, which carriers
// in the US and Canada expect every sender to honour.
var keywords = map[string]Keyword{
	"STOP": KeywordStop, "STOPALL": KeywordStop, "UNSUBSCRIBE": KeywordStop, "CANCEL": KeywordStop, "END": KeywordStop, "QUIT": KeywordStop,
	"START": KeywordStart, "YES": KeywordStart, "UNSTOP": KeywordStart,
	"HELP": KeywordHelp, "INFO": KeywordHelp,
}

// ParseKeyword recognises a message that is only a keyword, in any case and
// with surrounding space: "stop " is a STOP, "please stop texting me" is not.
// It returns the kind and the keyword as upper-case text.
func ParseKeyword(body string) (Keyword, string) {
	word := strings.ToUpper(strings.TrimSpace(body))
	if k, ok := keywords[word]; ok {
		return k, word
	}
	return KeywordNone, ""
}
