package send_test

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Twilio can post a text's status callback before the sender has written
// the text's sid (it hears Twilio's answer after the callback, and writes
// outcomes in batches): the receipt is kept and applied when the sid is
// written, not dropped as one about an unknown message. Ana's "delivered"
// and Bo's "undelivered" both beat their sends' answers.
func TestReceiptBeforeTheSendsAnswer(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		for i, c := range []struct {
			name, phone, status, want, channel string
		}{
			{"Ana", "+15005550010", "delivered", notice.StatusDelivered, "sms"},
			{"Bo", "+15005550011", "undelivered", notice.StatusPending, "email"},
		} {
			id := f.raise(t, shipped, order, []string{"sms", "email"}, f.persona(t, c.name, "", c.phone))[0]
			took, release := f.twilio.HoldNext()
			done := make(chan error, 1)
			go func() { _, err := f.sender.Once(context.Background()); done <- err }()
			select {
			case <-took:
			case err := <-done:
				t.Fatalf("%s: the send finished without reaching Twilio: %v", c.name, err)
			}
			texts := f.twilio.Texts()
			f.twilio.PostStatus(t, texts[len(texts)-1], twiliotest.SID(i), c.status)
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if d := f.delivery(t, id); d.ExternalID != twiliotest.SID(i) && c.channel == "sms" {
				t.Errorf("%s: delivery's provider id %q, want %s", c.name, d.ExternalID, twiliotest.SID(i))
			}
			f.wantStatus(t, id, c.want, c.channel)
			left, err := f.db.TakeEarlyReceipts(context.Background(), f.tenant, "sms", twiliotest.SID(i))
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Errorf("%s: receipts %v still kept after the send recorded the sid", c.name, left)
			}
		}
	})
}
