package email_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Damaged mail that clients display is taken (250), stored with what could
// be read and its damage noted, and its original is kept byte for byte, for
// its tenant alone. Only what is not mail is refused.
func TestDamagedMailIsAccepted(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "damaged", "*.eml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("the damaged corpus: %v %v", files, err)
	}
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			for _, path := range files {
				name := strings.TrimSuffix(filepath.Base(path), ".eml")
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				r := sendNetSMTP(t, f.addr, "zoe@example.com", []string{"support@northwind.example"}, raw, nil)
				if r.code != 250 {
					t.Errorf("%s: %d %s, want 250", name, r.code, r.msg)
					continue
				}
				m := f.message(t, f.tenant, "damaged-"+name+"@example.com")
				damaged, _ := meta(t, m)["damaged"].([]any)
				if len(damaged) == 0 && name != "lf-only" { // net/smtp sends CRLF: nothing to mark then
					t.Errorf("%s: stored without its damage marked: meta %s", name, m.Meta)
				}
				got, err := f.svc.Original(ctx, f.tenant, m.ID)
				if err != nil || !bytes.Equal(got, wireBytes(raw)) {
					t.Errorf("%s: original (%v) differs from what was sent:\n%q\nwant\n%q", name, err, got, wireBytes(raw))
				}
				if _, err := f.svc.Original(ctx, f.other, m.ID); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s: another tenant reads the original: %v", name, err)
				}
			}

			// Not mail at all: refused, saying why, and nothing stored.
			r := sendNetSMTP(t, f.addr, "zoe@example.com", []string{"support@northwind.example"},
				[]byte("Hello, this is just text.\r\nNo header at all.\r\n"), nil)
			if r.code != 554 || !strings.Contains(r.msg, "not a mail message") || !strings.Contains(r.msg, "header") {
				t.Errorf("not mail: %d %s, want 554 saying it is not mail", r.code, r.msg)
			}
		})
	}
}

// Mail beyond what a message keeps (its text, the number of its files) is
// trimmed with the cuts marked, not bounced; the original holds it whole.
func TestOversizedMailIsTrimmed(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	var b strings.Builder
	b.WriteString("From: zoe@example.com\nTo: support@northwind.example\nSubject: Everything\nMessage-ID: <big-trim@example.com>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n")
	for i := 0; i < 4000; i++ { // 4000 lines of 75 bytes: over the 256 KiB a text keeps
		b.WriteString(strings.Repeat("w", 74) + "\n")
	}
	for i := 1; i <= 12; i++ { // two more files than a message keeps apart
		b.WriteString("--b\nContent-Type: text/csv\nContent-Disposition: attachment; filename=\"f" + strings.Repeat("x", i) + ".csv\"\n\na,b\n")
	}
	b.WriteString("--b--\n")
	raw := lf("\n" + b.String())
	if r := sendNetSMTP(t, f.addr, "zoe@example.com", []string{"support@northwind.example"}, raw, nil); r.code != 250 {
		t.Fatalf("%d %s, want 250", r.code, r.msg)
	}
	m := f.message(t, f.tenant, "big-trim@example.com")
	notes, _ := meta(t, m)["damaged"].([]any)
	if len(m.Attachments) != 10 || len(notes) != 3 || len(m.Body) > 256<<10 {
		t.Fatalf("%d files, %d bytes of text, damaged %v", len(m.Attachments), len(m.Body), notes)
	}
	if got, err := f.svc.Original(context.Background(), f.tenant, m.ID); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("original: %v (%d bytes, want %d)", err, len(got), len(raw))
	}
}

// Erasing a customer erases the originals of their mail with the messages.
func TestOriginalIsErasedWithTheCustomer(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			f.mustAccept(t, "zoe@example.com", []string{"support@northwind.example"},
				lf("\nFrom: zoe@example.com\nTo: support@northwind.example\nSubject: Forget me\nMessage-ID: <erase-1@example.com>\n\nMy address is 1 Main St.\n"))
			m := f.message(t, f.tenant, "erase-1@example.com")
			id, _ := meta(t, m)["original_id"].(string)
			if _, _, err := f.db.Attachment(ctx, f.tenant, id); err != nil {
				t.Fatalf("original %q before erasure: %v", id, err)
			}
			if err := f.db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ErasePersona(ctx, f.tenant, m.AuthorID) }); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.db.Attachment(ctx, f.tenant, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("original after erasure: %v, want not found", err)
			}
		})
	}
}
