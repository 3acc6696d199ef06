package email_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

func clockSystem() clock.Clock { return clock.System{} }
func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// A customer whose address is not ASCII reaches an account whose address is
// not ASCII either (RFC 6531 SMTPUTF8; net/smtp asks for it when offered).
func TestSMTPUTF8(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			team := f.account(t, "equipe", "équipe@northwind.example", "L'équipe")
			r := sendNetSMTP(t, f.addr, "zoë@example.com", []string{"équipe@northwind.example"},
				lf("\nFrom: Zoë <zoë@example.com>\nTo: équipe@northwind.example\nSubject: Grüße\nMessage-ID: <utf8-1@example.com>\nContent-Type: text/plain; charset=utf-8\n\nÇa marche.\n"), nil)
			if r.code != 250 {
				t.Fatalf("SMTPUTF8 mail: %d %s", r.code, r.msg)
			}
			m := f.message(t, team, "utf8-1@example.com")
			if m.Body != "Ça marche." {
				t.Fatalf("body %q", m.Body)
			}
			pid, err := f.db.PersonaIDByIdentifier(context.Background(), team, persona.Identifier{Kind: persona.KindEmail, Value: "zoë@example.com"})
			if err != nil || pid != m.AuthorID {
				t.Fatalf("persona by zoë@example.com: %q %v, author %q", pid, err, m.AuthorID)
			}
		})
	}
}
