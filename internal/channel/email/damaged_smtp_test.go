package email_test

import (
	"bytes"
	"context"
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
