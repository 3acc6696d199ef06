package sms_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// A text carrying control characters (a phone's stray escape, a bell) is
// stored with them taken out and the change noted, not refused: a provider
// drops a webhook answered 4xx, and the customer would never know.
func TestInboundControlCharactersKept(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			form := twiliotest.InboundForm("SM0042", f.a.sid, customer, f.a.address, "Card\x1b[31m blocked\a, call me\x00")
			if status, _, body := f.post(t, inboundPath, form, f.a.token); status != 200 || !strings.Contains(body, "<Response/>") {
				t.Fatalf("inbound answered %d %q, want 200", status, body)
			}
			m := f.message(t, f.a.tenantID, "SM0042")
			if m.Body != "Card[31m blocked, call me" {
				t.Fatalf("stored body %q", m.Body)
			}
			damaged, _ := meta(t, m)["damaged"].([]any)
			if len(damaged) != 1 || !strings.Contains(damaged[0].(string), "body: control characters") {
				t.Fatalf("meta.damaged %v, want the body's change noted", damaged)
			}
		})
	}
}
