package ivr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

var fieldName = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// MaxDepth is how deep menus nest: the main menu and three levels below it.
// Callers lose their way in deeper trees.
const MaxDepth = 4

// Text is a sentence in one or more languages. In JSON it is a string (in
// the menu's language) or an object by language: {"en": "…", "de": "…"}.
type Text map[string]string

// UnmarshalJSON reads a string or an object by language. A bare string's
// language is not known here: it is stored under "" and taken as the menu's
// language.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text{"": s}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return errors.New(`want a string or an object by language ({"en": "…"})`)
	}
	*t = m
	return nil
}

// In is the text in lang, else in the fallback language, else "".
func (t Text) In(lang, fallback string) string {
	for _, l := range []string{lang, fallback, ""} {
		if s := strings.TrimSpace(t[l]); s != "" {
			return s
		}
	}
	return ""
}

// MenuConfig is a number's keypad menu as a tenant writes it.
type MenuConfig struct {
	// Language is the menu's own language: the caller hears it unless the
	// menu has their language too.
	Language string `json:"language"`
	// Greeting is said once, before the first menu.
	Greeting Text `json:"greeting,omitempty"`
	// Closed is said outside the number's hours, before voicemail.
	Closed Text `json:"closed,omitempty"`
	// Invalid and NoInput replace the built-in "not one of the choices" and
	// "did not hear a choice".
	Invalid Text `json:"invalid,omitempty"`
	NoInput Text `json:"no_input,omitempty"`
	// Timeout is how long to wait for a key after a menu is said (default
	// 6s); Retries how many times a menu is said again after no key or a
	// wrong one (default 2) before OnFail (default: operator).
	Timeout notice.Duration `json:"timeout,omitempty"`
	Retries *int            `json:"retries,omitempty"`
	OnFail  *Action         `json:"on_fail,omitempty"`
	Menu    Node            `json:"menu"`
}

// Node is one menu, a number to collect, or a final action: a key leads to
// a Node with a Prompt and Options (a submenu), with a Prompt, Collect and
// Next (digits to enter, then Next), or with an Action.
type Node struct {
	Prompt  Text             `json:"prompt,omitempty"`
	Options map[string]*Node `json:"options,omitempty"`
	Collect *Collect         `json:"collect,omitempty"`
	Next    *Node            `json:"next,omitempty"`
	Action  *Action          `json:"action,omitempty"`
}

// Collect asks for a number of Min to Max digits ("your customer number,
// then the pound key"), ended by #, by reaching Max, or by a pause of the
// menu's timeout once Min are in; * starts it over. The digits travel with
// the call as End.Collected[Field]; they are not part of End.Digits.
type Collect struct {
	Field string `json:"field"`
	Min   int    `json:"min"`
	Max   int    `json:"max"`
}

// Defaults for a menu.
const (
	DefaultTimeout = 6 * time.Second
	DefaultRetries = 2
)

// ParseMenu reads and validates a menu. Errors name the field at fault
// ("menu.options.1.action.queue: …") as *tenant.FieldError.
func ParseMenu(b []byte) (*MenuConfig, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c MenuConfig
	if err := dec.Decode(&c); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &tenant.FieldError{Field: "menu", Reason: "more than one JSON value"}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// jsonError turns a decoding error into one that names the field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &tenant.FieldError{Field: te.Field, Reason: fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value)}
	}
	if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &tenant.FieldError{Field: strings.Trim(s, `"`), Reason: "unknown field"}
	}
	return &tenant.FieldError{Field: "menu", Reason: "not valid JSON: " + err.Error()}
}

// Validate reports the first thing wrong with the menu.
func (c *MenuConfig) Validate() error {
	if !slices.Contains(speech.Languages, c.Language) {
		return &tenant.FieldError{Field: "language", Reason: fmt.Sprintf("%q is not one of %s", c.Language, strings.Join(speech.Languages, ", "))}
	}
	for name, t := range map[string]Text{"greeting": c.Greeting, "closed": c.Closed, "invalid": c.Invalid, "no_input": c.NoInput} {
		if t != nil {
			if err := checkText(name, t, c.Language); err != nil {
				return err
			}
		}
	}
	if d := time.Duration(c.Timeout); d != 0 && (d < time.Second || d > time.Minute) {
		return &tenant.FieldError{Field: "timeout", Reason: "must be between 1s and 1m"}
	}
	if c.Retries != nil && (*c.Retries < 0 || *c.Retries > 5) {
		return &tenant.FieldError{Field: "retries", Reason: "must be between 0 and 5"}
	}
	if c.OnFail != nil {
		if err := checkAction("on_fail", *c.OnFail, false); err != nil {
			return err
		}
	}
	if c.Menu.Action != nil {
		return &tenant.FieldError{Field: "menu", Reason: "the main menu needs a prompt and options, not an action"}
	}
	return checkNode("menu", &c.Menu, 1, c.Language)
}

func checkNode(path string, n *Node, depth int, lang string) error {
	if n == nil {
		return &tenant.FieldError{Field: path, Reason: "empty; give a submenu (prompt and options) or an action"}
	}
	if n.Action != nil {
		if n.Prompt != nil || n.Options != nil || n.Collect != nil || n.Next != nil {
			return &tenant.FieldError{Field: path, Reason: "an action cannot have a prompt, options, collect or next"}
		}
		return checkAction(path+".action", *n.Action, true)
	}
	if depth > MaxDepth {
		return &tenant.FieldError{Field: path, Reason: fmt.Sprintf("menus nest at most %d deep", MaxDepth)}
	}
	if err := checkText(path+".prompt", n.Prompt, lang); err != nil {
		return err
	}
	if n.Collect != nil {
		if n.Options != nil {
			return &tenant.FieldError{Field: path, Reason: "give options (a menu) or collect (a number), not both"}
		}
		c := n.Collect
		if !fieldName.MatchString(c.Field) {
			return &tenant.FieldError{Field: path + ".collect.field", Reason: "a name of 1-40 lower-case letters, digits and _"}
		}
		if c.Min < 1 || c.Max < c.Min || c.Max > 20 {
			return &tenant.FieldError{Field: path + ".collect", Reason: "needs 1 <= min <= max <= 20"}
		}
		if n.Next == nil {
			return &tenant.FieldError{Field: path + ".next", Reason: "say where the call goes once the number is in"}
		}
		if n.Next.Action != nil && (n.Next.Action.Type == ActionRepeat || n.Next.Action.Type == ActionBack) {
			return &tenant.FieldError{Field: path + ".next.action.type", Reason: n.Next.Action.Type + " is a menu choice; after collect give a menu or a final action"}
		}
		return checkNode(path+".next", n.Next, depth+1, lang)
	}
	if n.Next != nil {
		return &tenant.FieldError{Field: path + ".next", Reason: "only a collect node has next"}
	}
	if len(n.Options) == 0 {
		return &tenant.FieldError{Field: path + ".options", Reason: "a menu needs at least one option"}
	}
	for _, k := range slices.Sorted(maps.Keys(n.Options)) {
		if !validKey(k) {
			return &tenant.FieldError{Field: path + ".options." + k, Reason: "a key is one of 0-9, * or #"}
		}
		if err := checkNode(path+".options."+k, n.Options[k], depth+1, lang); err != nil {
			return err
		}
	}
	return nil
}

func checkAction(path string, a Action, inMenu bool) error {
	switch a.Type {
	case ActionQueue:
		if q := strings.TrimSpace(a.Queue); q == "" || len(q) > 100 {
			return &tenant.FieldError{Field: path + ".queue", Reason: "a queue action needs the queue's id"}
		}
		return nil
	case ActionVoicemail, ActionOperator, ActionHangup:
	case ActionRepeat, ActionBack:
		if !inMenu {
			return &tenant.FieldError{Field: path + ".type", Reason: a.Type + " is a menu choice, not a way to end"}
		}
	default:
		return &tenant.FieldError{Field: path + ".type", Reason: fmt.Sprintf("%q is not one of queue, voicemail, operator, hangup, repeat, back", a.Type)}
	}
	if a.Queue != "" {
		return &tenant.FieldError{Field: path + ".queue", Reason: "only a queue action names a queue"}
	}
	return nil
}

func checkText(path string, t Text, lang string) error {
	if t.In(lang, lang) == "" {
		return &tenant.FieldError{Field: path, Reason: "needs text in the menu's language " + lang}
	}
	for l, s := range t {
		if l != "" && !slices.Contains(speech.Languages, l) {
			return &tenant.FieldError{Field: path + "." + l, Reason: "not one of " + strings.Join(speech.Languages, ", ")}
		}
		if len(s) > speech.MaxText {
			return &tenant.FieldError{Field: path, Reason: fmt.Sprintf("longer than %d bytes", speech.MaxText)}
		}
	}
	return nil
}
