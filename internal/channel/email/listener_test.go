package email_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

func TestListenerRefusals(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			hello := func(id string) []byte {
				return lf("\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Hello\nMessage-ID: <" + id + ">\n\nHello there.\n")
			}

			for _, rcpt := range []string{"nobody@northwind.example", "support@elsewhere.example", "support+abcdefgh23456723@elsewhere.example"} {
				if r := f.send(t, "zoe@example.com", []string{rcpt}, hello("x@example.com")); r.Code != 550 {
					t.Errorf("RCPT %s: %d %s, want 550", rcpt, r.Code, r.Msg)
				}
			}

			big := lf("\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Big\nMessage-ID: <big@example.com>\n\n" +
				strings.Repeat(strings.Repeat("x", 76)+"\n", (2<<20)/77))
			if r := f.send(t, "zoe@example.com", []string{"support@northwind.example"}, big); r.Code != 552 {
				t.Errorf("2 MiB against a 1 MiB limit: %d %s, want 552", r.Code, r.Msg)
			}
			f.noMessage(t, f.tenant, "big@example.com")

			for name, raw := range map[string]string{
				"no header": "Hello there, no header at all.\n\nhello\n",
				"binary":    "\x00\x01\x02\x03 garbage\n",
			} {
				r := f.send(t, "zoe@example.com", []string{"support@northwind.example"}, lf(raw))
				if r.Code != 554 || !strings.Contains(r.Msg, "not a mail message") {
					t.Errorf("%s: %d %s, want 554 saying it is not mail", name, r.Code, r.Msg)
				}
			}

			// The listener still serves, and the refusals stored nothing.
			f.mustAccept(t, "zoe@example.com", []string{"support@northwind.example"}, hello("after@example.com"))
			f.message(t, f.tenant, "after@example.com")
		})
	}
}

// A mail to two tenants' addresses is a message in each, and neither sees
// the other's customer.
func TestMailToTwoTenants(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.mustAccept(t, "zoe@example.com", []string{"support@northwind.example", "help@contoso.example"},
		lf("\nFrom: zoe@example.com\nTo: support@northwind.example, help@contoso.example\nSubject: Both\nMessage-ID: <both@example.com>\n\nTo you both.\n"))
	a, b := f.message(t, f.tenant, "both@example.com"), f.message(t, f.other, "both@example.com")
	if a.ConversationID == b.ConversationID || a.AuthorID == b.AuthorID {
		t.Fatalf("two tenants share a conversation or a persona: %+v %+v", a, b)
	}
	if meta(t, a)["to"] != "support@northwind.example" || meta(t, b)["to"] != "help@contoso.example" ||
		meta(t, a)["original_id"] == meta(t, b)["original_id"] {
		t.Fatalf("meta %s %s", a.Meta, b.Meta)
	}
}
