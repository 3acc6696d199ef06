package notice

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Channels lists the channels a type may name: the ones notices are pushed
// on, and the conversation channels a tenant may use for them.
var Channels = []string{"email", "sms", "webpush", "voice", "telegram", "whatsapp", "webchat", "api"}

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)

// Validate checks a type before it is saved and fills its defaults (send
// time "now"; the default language when the templates have only one). Every
// template is parsed, so a broken one is refused here and not when an event
// is raised. The error is a *tenant.FieldError naming the field.
func (t *Type) Validate() error {
	if !keyRE.MatchString(t.Key) {
		return &tenant.FieldError{Field: "key", Reason: "1–100 lowercase letters, digits, dots, dashes or underscores, such as card.blocked"}
	}
	if strings.TrimSpace(t.Name) == "" {
		t.Name = t.Key
	}
	if err := textfield.Line("name", t.Name, textfield.MaxName); err != nil {
		return err
	}
	if !slices.Contains(prefs.Categories, t.Category) {
		return &tenant.FieldError{Field: "category", Reason: "use critical, transactional or marketing"}
	}
	for i, ch := range t.Channels {
		if !slices.Contains(Channels, ch) {
			return &tenant.FieldError{Field: fmt.Sprintf("channels[%d]", i), Reason: fmt.Sprintf("unknown channel %q; use %s", ch, strings.Join(Channels, ", "))}
		}
		if slices.Index(t.Channels, ch) < i {
			return &tenant.FieldError{Field: fmt.Sprintf("channels[%d]", i), Reason: fmt.Sprintf("%s is listed twice", ch)}
		}
	}
	switch t.SendTime {
	case "":
		t.SendTime = SendNow
	case SendNow, SendBest:
	default:
		return &tenant.FieldError{Field: "send_time", Reason: `use "now" or "best"`}
	}
	if t.ConfirmWithin < 0 {
		return &tenant.FieldError{Field: "confirm_within", Reason: "cannot be negative"}
	}
	if t.DefaultLanguage == "" && len(t.Templates) == 1 {
		for lang := range t.Templates {
			t.DefaultLanguage = lang
		}
	}
	if t.DefaultLanguage == "" {
		return &tenant.FieldError{Field: "default_language", Reason: "name the language used when a customer's has no template, such as en"}
	}
	if len(t.Templates[t.DefaultLanguage]) == 0 {
		return &tenant.FieldError{Field: "templates", Reason: fmt.Sprintf("no template in the default language %q", t.DefaultLanguage)}
	}
	for _, lang := range slices.Sorted(maps.Keys(t.Templates)) {
		for _, ch := range slices.Sorted(maps.Keys(t.Templates[lang])) {
			if ch != prefs.Web && !slices.Contains(Channels, ch) {
				return &tenant.FieldError{Field: "templates." + lang, Reason: fmt.Sprintf("unknown channel %q; use web or %s", ch, strings.Join(Channels, ", "))}
			}
			tpl := t.Templates[lang][ch]
			field := "templates." + lang + "." + ch
			if strings.TrimSpace(tpl.Body) == "" && strings.TrimSpace(tpl.Short) == "" {
				return &tenant.FieldError{Field: field + ".body", Reason: "a template needs a body"}
			}
			for _, err := range []error{
				textfield.Line(field+".subject", tpl.Subject, textfield.MaxTitle),
				textfield.Block(field+".body", tpl.Body, textfield.MaxBody),
				textfield.Block(field+".short", tpl.Short, textfield.MaxBody),
			} {
				if err != nil {
					return err
				}
			}
			if err := checkKeypad(field, ch, tpl.Keypad); err != nil {
				return err
			}
			if err := checkWhatsApp(field, ch, tpl.WhatsApp); err != nil {
				return err
			}
			for _, part := range tpl.parts() {
				if _, err := parse(part.text); err != nil {
					return &tenant.FieldError{Field: field + "." + part.name, Reason: err.Error()}
				}
			}
		}
	}
	return nil
}

// Rendered is a template executed with an event's data.
type Rendered struct {
	Subject, Body, Short string
}

// Variables the center adds to every event's data.
const (
	VarLink            = "link"
	VarPreferencesLink = "preferences_link"
	VarUnsubscribeLink = "unsubscribe_link"
	VarName            = "name"
)

// Vars returns the data a template sees: the event's, with the center's
// variables over it.
func Vars(data map[string]any, link, preferencesLink, unsubscribeLink, name string) map[string]any {
	vars := make(map[string]any, len(data)+4)
	maps.Copy(vars, data)
	vars[VarLink], vars[VarPreferencesLink], vars[VarUnsubscribeLink], vars[VarName] = link, preferencesLink, unsubscribeLink, name
	return vars
}

// Render executes the type's template for lang and channel with vars: the
// channel's own template, else the "web" one, else the email one, else any
// of the language's. Short falls back to Body. A variable the template uses
// that vars lack is an error (a *tenant.FieldError on "data"), so nothing
// goes out with a hole in it.
func Render(t Type, lang, channel string, vars map[string]any) (Rendered, error) {
	ch, tpl, ok := t.template(lang, channel)
	if !ok {
		return Rendered{}, &tenant.FieldError{Field: "data", Reason: fmt.Sprintf("type %s has no template in %q", t.Key, lang)}
	}
	var out Rendered
	for _, part := range tpl.parts() {
		s, err := execute(part.text, vars)
		if err != nil {
			return Rendered{}, &tenant.FieldError{Field: "data", Reason: fmt.Sprintf("%s/%s %s: %s", lang, ch, part.name, err)}
		}
		switch part.name {
		case "subject":
			out.Subject = s
		case "body":
			out.Body = s
		case "short":
			out.Short = s
		}
	}
	if tpl.Short == "" {
		out.Short = out.Body
	}
	return out, nil
}

// template picks the template for lang and channel, and names the channel
// it was written for.
func (t Type) template(lang, channel string) (string, Template, bool) {
	byChannel := t.Templates[lang]
	for _, ch := range []string{channel, prefs.Web, "email"} {
		if tpl, ok := byChannel[ch]; ok {
			return ch, tpl, true
		}
	}
	if len(byChannel) == 0 {
		return "", Template{}, false
	}
	ch := slices.Min(slices.Collect(maps.Keys(byChannel)))
	return ch, byChannel[ch], true
}

// Language is the language to write to a persona in: theirs if the type has
// templates in it (or in its base, "pt" for "pt-BR"), else the type's default.
func Language(t Type, personaLang string) string {
	if personaLang == "" {
		return t.DefaultLanguage
	}
	if _, ok := t.Templates[personaLang]; ok {
		return personaLang
	}
	if base, _, ok := strings.Cut(personaLang, "-"); ok {
		if _, ok := t.Templates[base]; ok {
			return base
		}
	}
	return t.DefaultLanguage
}

type part struct{ name, text string }

func (tpl Template) parts() []part {
	var out []part
	for _, p := range []part{{"subject", tpl.Subject}, {"body", tpl.Body}, {"short", tpl.Short}} {
		if p.text != "" {
			out = append(out, p)
		}
	}
	return out
}

func parse(text string) (*template.Template, error) {
	tpl, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, errors.New(explainParse(err))
	}
	return tpl, nil
}

// parsed caches templates by their text: the sender renders the same few
// thousands of times. Executing a parsed template is safe concurrently.
var parsed struct {
	sync.Mutex
	m map[string]*template.Template
}

// maxParsed bounds the cache; edited templates leave old texts behind.
const maxParsed = 1024

func cached(text string) (*template.Template, error) {
	parsed.Lock()
	tpl, ok := parsed.m[text]
	parsed.Unlock()
	if ok {
		return tpl, nil
	}
	tpl, err := parse(text)
	if err != nil {
		return nil, err
	}
	parsed.Lock()
	if parsed.m == nil || len(parsed.m) >= maxParsed {
		parsed.m = make(map[string]*template.Template)
	}
	parsed.m[text] = tpl
	parsed.Unlock()
	return tpl, nil
}

// execute runs a template text with vars, with an error that says what is
// missing rather than where the template engine was.
func execute(text string, vars map[string]any) (string, error) {
	tpl, err := cached(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := tpl.Execute(&b, vars); err != nil {
		return "", errors.New(explainExec(err))
	}
	return b.String(), nil
}
