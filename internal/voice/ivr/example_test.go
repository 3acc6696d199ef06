package ivr_test

import (
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

// A driver feeds a machine what happened and does what each Step says: here
// the caller hears the notice, presses 2 and is put through with the notice.
func ExampleNoticeDialogue() {
	d, err := ivr.NewNoticeDialogue(ivr.SpokenNotice{
		DeliveryID: "dlv_42", Language: "en", Queue: "q_payments",
		Text: "A payment of 120 euros is waiting for your approval.",
		Choices: []ivr.NoticeChoice{
			{Key: "1", Label: "to confirm the payment", Response: "confirm"},
			{Key: "2", Label: "to talk to someone", Response: "talk", Talk: true},
		},
	})
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	step := d.Start(now)
	fmt.Println("say:", step.Play[0].Text)
	now = now.Add(9 * time.Second) // the room reports the prompt played
	step = d.PlayDone(now)
	fmt.Println("wait until:", step.Until.Sub(now))
	step = d.Digit(now.Add(2*time.Second), '2') // a DTMF event from the phone leg
	fmt.Println("say:", step.Play[0].Text)
	fmt.Printf("end: %s, response %q, %s %s, context %v\n", step.End.Reason, step.End.Response,
		step.End.Action.Type, step.End.Action.Queue, step.End.Context)
	// Output:
	// say: A payment of 120 euros is waiting for your approval. Press 1 to confirm the payment. Press 2 to talk to someone.
	// wait until: 8s
	// say: Please hold while we connect you.
	// end: chosen, response "talk", queue q_payments, context map[notification_delivery_id:dlv_42]
}
