package messenger_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestMetaExamples feeds Meta's published example payloads (the
// message_reads reference's example, the message_echoes reference's
// "Example 2" — a template sent from Meta's Page inbox app — moved from
// standby into messaging), with the placeholders filled in, through the
// webhook: numbers where other payloads have strings (app_id, attachment_id),
// and a watermark older than the message.
func TestMetaExamples(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Ana wrote in 2016, an agent answered; Meta's example read receipt is
	// from a moment after the answer.
	f.clock.Set(time.UnixMilli(1458668800000).UTC())
	f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_2016", "hello", f.clock.Now())))
	conv := f.message(t, f.a.tenantID, "messenger", "m_2016").ConversationID
	m := reply(t, f, f.a.tenantID, conv, "Hi!")
	f.waitJob(t)
	f.deliver(t, "messenger", f.a, read("meta_message_reads.json"))
	if got, _ := f.db.Message(t.Context(), f.a.tenantID, m.ID); got.Status != conversation.DeliveryRead {
		t.Fatalf("after Meta's example read receipt the answer is %s", got.Status)
	}

	f.deliver(t, "messenger", f.a, read("meta_message_echo_template.json"))
	echo := f.message(t, f.a.tenantID, "messenger", "qT7ywaKpO9kkQR7Gv-nM8LIfLZDamVrALniheUYEDdHJXjDXEAyaS1xxONzb2Iv-DFzmTihfWJV012P5pK0AhQ")
	if echo.AuthorType != "business" || echo.AuthorID != "263902037430900" || !strings.Contains(echo.Body, "Shared a template") ||
		echo.ConversationID != conv {
		t.Fatalf("Meta's example echo stored as %+v", echo)
	}
}
