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
// It returns the kind and the keyword as upper-case text. Only ASCII letters
// count, as carriers match them: Unicode case folding would read "ſtop" or
// "ınfo" as keywords the carrier never saw, and the consent recorded here
// would differ from the carrier's.
func ParseKeyword(body string) (Keyword, string) {
	word := strings.TrimSpace(body)
	for i := 0; i < len(word); i++ {
		if word[i] >= 0x80 {
			return KeywordNone, ""
		}
	}
	word = strings.ToUpper(word)
	if k, ok := keywords[word]; ok {
		return k, word
	}
	return KeywordNone, ""
}
