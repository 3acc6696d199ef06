package suggest

import (
	"strings"
	"unicode"
)

// Terms splits text into the words the similarity of cases compares:
// lower-cased runs of letters and digits, common English function words
// dropped, plural and verb endings cut so that "cards", "card" and
// "carded" meet. It is deliberately plain: cases and conversations are
// short, written by the same customers, and a light stemmer errs less on
// them than a full one on product names.
func Terms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		w = strings.Trim(w, "'")
		if i := strings.IndexByte(w, '\''); i > 0 { // don't, it's, card's
			w = w[:i]
		}
		if len(w) < 2 || stopwords[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem cuts the commonest English inflections, and a final silent "e" so
// that "arrive", "arrived" and "arriving" meet.
func stem(w string) string {
	w = inflection(w)
	if len(w) > 4 && strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "ee") {
		return w[:len(w)-1]
	}
	return w
}

func inflection(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return undouble(w[:len(w)-3])
	case len(w) > 4 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		return undouble(w[:len(w)-2])
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

// undouble turns "stopp" (from "stopped") back into "stop".
func undouble(w string) string {
	if n := len(w); n > 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return strings.TrimSuffix(w, "e")
}

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but if of to in on at by for with from as is are was were be been
		being am do does did done have has had having i me my mine we us our you your he him his she her it its they them
		their this that these those there here what which who whom when where why how can could would should will shall
		may might must not no so than too very just also into out up down over about again then once all any both each
		few more most other some such only own same hi hello please thanks thank yes ok okay im ive id get got`) {
		m[w] = true
	}
	return m
}()
