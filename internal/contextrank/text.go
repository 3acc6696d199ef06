package contextrank

import (
	"strings"
	"unicode"
)

// stopwords are words that say nothing about the reason of a contact; a
// customer's "hello, I have a question about my card" matches on "card" only.
var stopwords = func() map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(`the and for are but not you your yours with this that these those from have has had
	was were will would can could should shall may might must about into over under again there here what when where which
	who whom why how all any both each few more most other some such only own same than too very just now then also
	hello hi hey thanks thank please dear regards help need want know like get got its it's i'm i've don't can't
	our ours their they them him her his she he we me my mine a an is be to of in on at by or as it i do does did am
	yes no ok okay hallo question problem issue still again today yesterday`) {
		set[w] = true
	}
	return set
}()

// stem folds the common English endings so "invoices" meets "invoice" and
// "blocked" meets "block". It is deliberately crude: it must only make the
// same word meet itself, not be linguistics.
func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ied"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return w[:len(w)-2]
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

// words splits text into content words: lower case, letters and digits, no
// stopwords, at least three characters. It returns each stem once, in the
// order met, with the first spelling that produced it.
func words(text string) (stems []string, spelling map[string]string) {
	spelling = map[string]string{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		w = strings.Trim(w, "'")
		if len([]rune(w)) < 3 || stopwords[w] {
			continue
		}
		s := stem(w)
		if _, seen := spelling[s]; seen {
			continue
		}
		spelling[s] = w
		stems = append(stems, s)
	}
	return stems, spelling
}

// itemStems is the set of stems an item can be matched on.
func itemStems(it Item) map[string]bool {
	var b strings.Builder
	for _, s := range []string{it.Title, it.Type, it.Status, it.Text} {
		b.WriteString(s)
		b.WriteByte(' ')
	}
	for k, v := range it.Fields {
		b.WriteString(k)
		b.WriteByte(' ')
		b.WriteString(v)
		b.WriteByte(' ')
	}
	stems, _ := words(b.String())
	set := make(map[string]bool, len(stems))
	for _, s := range stems {
		set[s] = true
	}
	return set
}
