package ivr_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

const collectMenu = `{
  "language": "en", "retries": 1,
  "menu": {
    "prompt": "Press 3 to check a payment.",
    "options": {
      "3": {"prompt": "Enter your customer number, then press pound.",
            "collect": {"field": "customer", "min": 4, "max": 8},
            "next": {"prompt": "Enter the last four digits of your card.",
                     "collect": {"field": "card_last4", "min": 4, "max": 4},
                     "next": {"action": {"type": "queue", "queue": "q_payments"}}}}
    }
  }
}`

func keys(s string) []event {
	var out []event
	for _, k := range s {
		out = append(out, key(k))
	}
	return out
}

func TestMenuCollectsNumbers(t *testing.T) {
	cfg, err := ivr.ParseMenu([]byte(collectMenu))
	if err != nil {
		t.Fatal(err)
	}
	queue := ivr.Action{Type: ivr.ActionQueue, Queue: "q_payments"}
	op := ivr.Action{Type: ivr.ActionOperator}
	for _, tc := range []struct {
		name      string
		script    []event
		reason    string
		action    ivr.Action
		collected map[string]string
	}{
		{"pound ends a number", keys("312345#9876"), ivr.ReasonChosen, queue, map[string]string{"customer": "12345", "card_last4": "9876"}},
		{"the longest ends by itself", keys("3123456789876"), ivr.ReasonChosen, queue, map[string]string{"customer": "12345678", "card_last4": "9876"}},
		{"a pause after enough digits", append(append(keys("31234"), wait()), keys("4321")...), ivr.ReasonChosen, queue, map[string]string{"customer": "1234", "card_last4": "4321"}},
		{"too short, then right", append(keys("312#"), append([]event{played()}, keys("5555#1111")...)...), ivr.ReasonChosen, queue, map[string]string{"customer": "5555", "card_last4": "1111"}},
		{"star starts over", keys("399*1234#1111"), ivr.ReasonChosen, queue, map[string]string{"customer": "1234", "card_last4": "1111"}},
		{"too short twice", keys("312#34#"), ivr.ReasonInvalid, op, nil},
		{"too short and a pause, twice", append(append(keys("312"), wait(), played()), append(keys("1"), wait())...), ivr.ReasonInvalid, op, nil},
		{"nothing entered", []event{key('3'), played(), wait(), played(), wait()}, ivr.ReasonNoInput, op, nil},
		{"half-way", append(keys("312345#"), played(), wait(), played(), wait()), ivr.ReasonNoInput, op, map[string]string{"customer": "12345"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ivr.NewMenu(cfg, "en", true)
			if err != nil {
				t.Fatal(err)
			}
			step, said, _ := run(t, m, tc.script...)
			if step.End == nil {
				t.Fatalf("not ended; said %s", joined(said))
			}
			e := step.End
			if e.Reason != tc.reason || e.Action != tc.action || !maps.Equal(e.Collected, tc.collected) {
				t.Fatalf("ended %q → %+v with %v; want %q → %+v with %v", e.Reason, e.Action, e.Collected, tc.reason, tc.action, tc.collected)
			}
			if e.Digits != "3" {
				t.Errorf("digits %q: a collected number leaked into the menu path", e.Digits)
			}
		})
	}
}

func TestParseMenuCollect(t *testing.T) {
	wrap := func(node string) string {
		return `{"language":"en","menu":{"prompt":"Hi","options":{"1":` + node + `}}}`
	}
	next := `"next":{"action":{"type":"operator"}}`
	for _, tc := range []struct {
		name, json, field, says string
	}{
		{"options and collect", wrap(`{"prompt":"x","collect":{"field":"a","min":1,"max":2},"options":{"1":{"action":{"type":"operator"}}},` + next + `}`), "menu.options.1", "not both"},
		{"field", wrap(`{"prompt":"x","collect":{"field":"Account No","min":1,"max":2},` + next + `}`), "menu.options.1.collect.field", "lower-case"},
		{"min over max", wrap(`{"prompt":"x","collect":{"field":"a","min":3,"max":2},` + next + `}`), "menu.options.1.collect", "min <= max"},
		{"too long", wrap(`{"prompt":"x","collect":{"field":"a","min":1,"max":21},` + next + `}`), "menu.options.1.collect", "<= 20"},
		{"no next", wrap(`{"prompt":"x","collect":{"field":"a","min":1,"max":2}}`), "menu.options.1.next", "where the call goes"},
		{"repeat next", wrap(`{"prompt":"x","collect":{"field":"a","min":1,"max":2},"next":{"action":{"type":"repeat"}}}`), "menu.options.1.next.action.type", "menu choice"},
		{"no prompt", wrap(`{"collect":{"field":"a","min":1,"max":2},` + next + `}`), "menu.options.1.prompt", "language en"},
		{"next on a menu", wrap(`{"prompt":"x","options":{"1":{"action":{"type":"operator"}}},` + next + `}`), "menu.options.1.next", "only a collect"},
		{"action with collect", wrap(`{"action":{"type":"operator"},"collect":{"field":"a","min":1,"max":2}}`), "menu.options.1", "cannot have"},
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
