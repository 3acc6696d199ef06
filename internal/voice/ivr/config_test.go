package ivr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

const bankMenu = `{
  "language": "en",
  "greeting": {"en": "Welcome to Acme Bank.", "de": "Willkommen bei der Acme Bank."},
  "closed": "We are closed. Our hours are nine to five.",
  "retries": 1,
  "menu": {
    "prompt": {"en": "Press 1 for cards, 2 for loans, 0 for an operator.", "de": "Drücken Sie 1 für Karten, 2 für Kredite, 0 für die Zentrale."},
    "options": {
      "1": {"prompt": "Press 1 for a lost card, 2 for anything else, star to go back.",
            "options": {"1": {"action": {"type": "queue", "queue": "q_cards_urgent"}},
                        "2": {"action": {"type": "queue", "queue": "q_cards"}},
                        "*": {"action": {"type": "back"}}}},
      "2": {"action": {"type": "queue", "queue": "q_loans"}},
      "9": {"action": {"type": "repeat"}},
      "#": {"action": {"type": "voicemail"}},
      "0": {"action": {"type": "operator"}}
    }
  }
}`

func TestParseMenu(t *testing.T) {
	m, err := ivr.ParseMenu([]byte(bankMenu))
	if err != nil {
		t.Fatal(err)
	}
	if m.Menu.Options["1"].Options["2"].Action.Queue != "q_cards" || m.Menu.Prompt.In("de", "en") == "" {
		t.Errorf("parsed %+v", m.Menu)
	}
	deep := `{"prompt":"d4","options":{"1":{"action":{"type":"operator"}}}}`
	for range 3 {
		deep = `{"prompt":"d","options":{"1":` + deep + `}}`
	}
	if _, err := ivr.ParseMenu([]byte(`{"language":"en","menu":` + deep + `}`)); err != nil {
		t.Errorf("a menu four deep: %v", err)
	}
	tooDeep := `{"prompt":"d","options":{"1":` + deep + `}}`

	op := `{"action":{"type":"operator"}}`
	menu := func(options string) string {
		return `{"language":"en","menu":{"prompt":"Hello","options":` + options + `}}`
	}
	for _, tc := range []struct {
		name, json, field, says string
	}{
		{"not JSON", `{"language":`, "menu", "not valid JSON"},
		{"unknown field", `{"language":"en","colour":"red","menu":{}}`, "colour", "unknown field"},
		{"wrong type", `{"language":"en","retries":"two","menu":{}}`, "retries", "want int"},
		{"bad text type", `{"language":"en","greeting":5,"menu":{}}`, "menu", "string or an object"},
		{"two values", menu(`{"1":`+op+`}`) + `{}`, "menu", "more than one"},
		{"language", `{"language":"it","menu":{"prompt":"Ciao","options":{"1":` + op + `}}}`, "language", `"it" is not one of en, de, fr, es`},
		{"no options", menu(`{}`), "menu.options", "at least one option"},
		{"no prompt", `{"language":"en","menu":{"options":{"1":` + op + `}}}`, "menu.prompt", "menu's language en"},
		{"prompt in another language only", `{"language":"en","menu":{"prompt":{"de":"Hallo"},"options":{"1":` + op + `}}}`, "menu.prompt", "language en"},
		{"text language", `{"language":"en","menu":{"prompt":{"en":"Hi","it":"Ciao"},"options":{"1":` + op + `}}}`, "menu.prompt.it", "not one of"},
		{"two-digit key", menu(`{"12":` + op + `}`), "menu.options.12", "0-9, * or #"},
		{"letter key", menu(`{"a":` + op + `}`), "menu.options.a", "0-9, * or #"},
		{"empty option", menu(`{"1":null}`), "menu.options.1", "empty"},
		{"action and prompt", menu(`{"1":{"prompt":"x","action":{"type":"operator"}}}`), "menu.options.1", "cannot have a prompt"},
		{"queue without id", menu(`{"1":{"action":{"type":"queue"}}}`), "menu.options.1.action.queue", "queue's id"},
		{"operator with queue", menu(`{"1":{"action":{"type":"operator","queue":"q"}}}`), "menu.options.1.action.queue", "only a queue action"},
		{"unknown action", menu(`{"1":{"action":{"type":"dance"}}}`), "menu.options.1.action.type", `"dance" is not one of`},
		{"repeat as on_fail", `{"language":"en","on_fail":{"type":"repeat"},"menu":{"prompt":"Hi","options":{"1":` + op + `}}}`, "on_fail.type", "not a way to end"},
		{"action at the top", `{"language":"en","menu":{"action":{"type":"operator"}}}`, "menu", "main menu needs a prompt"},
		{"too deep", `{"language":"en","menu":` + tooDeep + `}`, "menu.options.1.options.1.options.1.options.1", "at most 4 deep"},
		{"timeout", `{"language":"en","timeout":"500ms","menu":{"prompt":"Hi","options":{"1":` + op + `}}}`, "timeout", "between 1s and 1m"},
		{"retries", `{"language":"en","retries":9,"menu":{"prompt":"Hi","options":{"1":` + op + `}}}`, "retries", "between 0 and 5"},
		{"long text", `{"language":"en","menu":{"prompt":"` + strings.Repeat("a", 4001) + `","options":{"1":` + op + `}}}`, "menu.prompt", "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ivr.ParseMenu([]byte(tc.json))
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Reason, tc.says) {
				t.Fatalf("err = %v; want field %s saying %q", err, tc.field, tc.says)
			}
		})
	}
}
