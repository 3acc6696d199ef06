package ivr_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

func TestMenu(t *testing.T) {
	cfg, err := ivr.ParseMenu([]byte(bankMenu))
	if err != nil {
		t.Fatal(err)
	}
	queue := func(q string) ivr.Action { return ivr.Action{Type: ivr.ActionQueue, Queue: q} }
	for _, tc := range []struct {
		name   string
		lang   string
		closed bool
		script []event
		reason string
		action ivr.Action
		digits string
		says   []string // in order, among everything said
	}{
		{"straight to loans", "en", false, []event{played(), key('2')}, ivr.ReasonChosen, queue("q_loans"), "2",
			[]string{"Welcome to Acme Bank.", "Press 1 for cards", "Please hold while we connect you."}},
		{"barge in during the greeting", "en", false, []event{key('0')}, ivr.ReasonChosen, ivr.Action{Type: ivr.ActionOperator}, "0", nil},
		{"submenu", "en", false, []event{played(), key('1'), played(), key('1')}, ivr.ReasonChosen, queue("q_cards_urgent"), "11",
			[]string{"Press 1 for a lost card"}},
		{"back and elsewhere", "en", false, []event{key('1'), key('*'), key('2')}, ivr.ReasonChosen, queue("q_loans"), "1*2",
			[]string{"Press 1 for a lost card", "Press 1 for cards, 2 for loans"}},
		{"repeat", "en", false, []event{played(), key('9'), played(), key('#')}, ivr.ReasonChosen, ivr.Action{Type: ivr.ActionVoicemail}, "9#",
			[]string{"Press 1 for cards", "Press 1 for cards"}},
		{"one retry after silence", "en", false, []event{played(), wait(), played(), key('2')}, ivr.ReasonChosen, queue("q_loans"), "2",
			[]string{"Sorry, I did not hear a choice.", "Press 1 for cards"}},
		{"silence twice goes to the operator", "en", false, []event{played(), wait(), played(), wait()}, ivr.ReasonNoInput, ivr.Action{Type: ivr.ActionOperator}, "",
			[]string{"did not hear", "Please hold"}},
		{"wrong keys twice", "en", false, []event{played(), key('7'), key('8')}, ivr.ReasonInvalid, ivr.Action{Type: ivr.ActionOperator}, "",
			[]string{"Sorry, that is not one of the choices."}},
		{"misses count per menu", "en", false, []event{key('7'), key('1'), key('5'), key('2')}, ivr.ReasonChosen, queue("q_cards"), "12",
			[]string{"not one of", "not one of"}},
		{"prompts never played still time out", "en", false, []event{wait(), wait(), wait(), wait()}, ivr.ReasonNoInput, ivr.Action{Type: ivr.ActionOperator}, "", nil},
		{"the caller's language", "de-DE", false, []event{played(), key('2')}, ivr.ReasonChosen, queue("q_loans"), "2",
			[]string{"Willkommen bei der Acme Bank.", "Drücken Sie 1 für Karten", "wir verbinden Sie"}},
		{"a language the menu lacks", "fr", false, []event{key('2')}, ivr.ReasonChosen, queue("q_loans"), "2",
			[]string{"Welcome to Acme Bank.", "Please hold"}},
		{"closed", "en", true, nil, ivr.ReasonClosed, ivr.Action{Type: ivr.ActionVoicemail}, "",
			[]string{"We are closed."}},
		{"hang up", "en", false, []event{played(), key('1'), hangup()}, ivr.ReasonHangup, ivr.Action{Type: ivr.ActionHangup}, "1", nil},
		{"keys that are not keys", "en", false, []event{key('x'), key('2')}, ivr.ReasonChosen, queue("q_loans"), "2", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ivr.NewMenu(cfg, tc.lang, !tc.closed)
			if err != nil {
				t.Fatal(err)
			}
			step, said, _ := run(t, m, tc.script...)
			if step.End == nil {
				t.Fatalf("not ended; said %s", joined(said))
			}
			e := step.End
			if e.Reason != tc.reason || e.Action != tc.action || e.Digits != tc.digits {
				t.Fatalf("ended %q → %+v after %q; want %q → %+v after %q", e.Reason, e.Action, e.Digits, tc.reason, tc.action, tc.digits)
			}
			all := joined(said)
			rest := all
			for _, s := range tc.says {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("did not say %q (in order); said %s", s, all)
				}
				rest = rest[i+len(s):]
			}
			// After the end, nothing changes.
			if s := m.Digit(t0.Add(time1h), '2'); s.End != e || s.Play != nil {
				t.Errorf("a key after the end changed something: %+v", s)
			}
		})
	}
}

func TestMenuRefusesInvalidConfig(t *testing.T) {
	if _, err := ivr.NewMenu(&ivr.MenuConfig{Language: "en"}, "en", true); err == nil {
		t.Fatal("a menu without options was accepted")
	}
	if _, err := ivr.NewMenu(nil, "en", true); err == nil {
		t.Fatal("no menu was accepted")
	}
}
