package ivr_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

func payment(lang string) ivr.SpokenNotice {
	n := ivr.SpokenNotice{DeliveryID: "dlv_1", Language: lang, Queue: "q_payments",
		Text: "A payment of 120 euros to Acme Energy is waiting for your approval.",
		Choices: []ivr.NoticeChoice{
			{Key: "1", Label: "to confirm the payment", Response: "confirm"},
			{Key: "2", Label: "to talk to someone", Response: "talk", Talk: true},
			{Key: "#", Label: "to refuse it", Response: "refuse"},
		}}
	if lang == "de" {
		n.Text = "Eine Zahlung von 120 Euro an Acme Energie wartet auf Ihre Freigabe."
		n.Choices[0].Label, n.Choices[1].Label, n.Choices[2].Label = "um die Zahlung zu bestätigen", "um mit jemandem zu sprechen", "um sie abzulehnen"
	}
	return n
}

func TestNoticeDialogue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lang     string
		script   []event
		reason   string
		response string
		action   ivr.Action
		says     string
	}{
		{"confirm", "en", []event{played(), key('1')}, ivr.ReasonChosen, "confirm", ivr.Action{Type: ivr.ActionHangup}, "Thank you. Goodbye."},
		{"confirm while it speaks", "en", []event{key('1')}, ivr.ReasonChosen, "confirm", ivr.Action{Type: ivr.ActionHangup}, "Thank you"},
		{"talk to someone", "en", []event{played(), key('2')}, ivr.ReasonChosen, "talk", ivr.Action{Type: ivr.ActionQueue, Queue: "q_payments"}, "Please hold"},
		{"pound", "en", []event{played(), key('#')}, ivr.ReasonChosen, "refuse", ivr.Action{Type: ivr.ActionHangup}, "Goodbye"},
		{"timeout, then an answer", "en", []event{played(), wait(), played(), key('1')}, ivr.ReasonChosen, "confirm", ivr.Action{Type: ivr.ActionHangup}, "did not hear"},
		{"wrong key, then an answer", "en", []event{played(), key('5'), key('2')}, ivr.ReasonChosen, "talk", ivr.Action{Type: ivr.ActionQueue, Queue: "q_payments"}, "not one of the choices"},
		{"two timeouts", "en", []event{played(), wait(), played(), wait()}, ivr.ReasonNoInput, "", ivr.Action{Type: ivr.ActionHangup}, "Goodbye."},
		{"two wrong keys", "en", []event{key('5'), key('9')}, ivr.ReasonInvalid, "", ivr.Action{Type: ivr.ActionHangup}, "Goodbye."},
		{"hang up", "en", []event{played(), hangup()}, ivr.ReasonHangup, "", ivr.Action{Type: ivr.ActionHangup}, ""},
		{"German", "de", []event{played(), key('1')}, ivr.ReasonChosen, "confirm", ivr.Action{Type: ivr.ActionHangup}, "Drücken Sie 1, um die Zahlung zu bestätigen. Drücken Sie 2, um mit jemandem zu sprechen. Drücken Sie Raute, um sie abzulehnen."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ivr.NewNoticeDialogue(payment(tc.lang))
			if err != nil {
				t.Fatal(err)
			}
			step, said, _ := run(t, d, tc.script...)
			if step.End == nil {
				t.Fatalf("not ended; said %s", joined(said))
			}
			e := step.End
			if e.Reason != tc.reason || e.Response != tc.response || e.Action != tc.action {
				t.Fatalf("ended %q with response %q → %+v; want %q, %q → %+v", e.Reason, e.Response, e.Action, tc.reason, tc.response, tc.action)
			}
			if !strings.Contains(joined(said), tc.says) {
				t.Errorf("did not say %q; said %s", tc.says, joined(said))
			}
			if !strings.HasPrefix(said[0], "A payment") && !strings.HasPrefix(said[0], "Eine Zahlung") {
				t.Errorf("the notice was not said first: %q", said[0])
			}
			if tc.action.Type == ivr.ActionQueue && e.Context[ivr.ContextDelivery] != "dlv_1" {
				t.Errorf("the call goes to the queue without its notice: %v", e.Context)
			}
			if tc.action.Type != ivr.ActionQueue && e.Context != nil {
				t.Errorf("context without a queue: %v", e.Context)
			}
		})
	}
	// The English choices as said.
	d, _ := ivr.NewNoticeDialogue(payment("en"))
	if got := d.Start(t0).Play[0].Text; !strings.HasSuffix(got, "Press 1 to confirm the payment. Press 2 to talk to someone. Press pound to refuse it.") {
		t.Errorf("said %q", got)
	}
	// Talk without a queue goes to the operator.
	n := payment("en")
	n.Queue = ""
	d, _ = ivr.NewNoticeDialogue(n)
	if step, _, _ := run(t, d, key('2')); step.End.Action.Type != ivr.ActionOperator {
		t.Errorf("talk without a queue: %+v", step.End.Action)
	}
}

func TestNoticeDialogueRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*ivr.SpokenNotice)
		field string
	}{
		{"language", func(n *ivr.SpokenNotice) { n.Language = "pt" }, "language"},
		{"text", func(n *ivr.SpokenNotice) { n.Text = " " }, "text"},
		{"no choices", func(n *ivr.SpokenNotice) { n.Choices = nil }, "choices"},
		{"bad key", func(n *ivr.SpokenNotice) { n.Choices[0].Key = "10" }, "choices[0].key"},
		{"twice", func(n *ivr.SpokenNotice) { n.Choices[1].Key = "1" }, "choices[1].key"},
		{"label", func(n *ivr.SpokenNotice) { n.Choices[2].Label = "" }, "choices[2].label"},
		{"response", func(n *ivr.SpokenNotice) { n.Choices[0].Response = "" }, "choices[0].response"},
	} {
		n := payment("en")
		tc.edit(&n)
		_, err := ivr.NewNoticeDialogue(n)
		var fe *tenant.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: err = %v; want field %s", tc.name, err, tc.field)
		}
	}
	n := payment("en")
	n.Timeout = time.Hour
	if _, err := ivr.NewNoticeDialogue(n); err == nil {
		t.Error("an hour's timeout was accepted")
	}
}

// The context key is the one notify reads to know which notice a reply
// answers.
func TestContextDeliveryIsNotifyMeta(t *testing.T) {
	if ivr.ContextDelivery != notify.MetaDelivery {
		t.Fatalf("ivr.ContextDelivery %q != notify.MetaDelivery %q", ivr.ContextDelivery, notify.MetaDelivery)
	}
}
