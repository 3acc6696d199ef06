package email

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParse holds Parse to its contract on any bytes: it never panics, and it
// either refuses with ErrMalformed and a reason, or returns a message with a
// sender and valid UTF-8 text. The damaged corpus seeds it.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "damaged", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, "zoe@example.com")
	}
	f.Add([]byte("From: a@b.example\r\n\r\nhi\r\n"), "")
	f.Add([]byte("Subject: x\r\n\r\n"), "unknown")
	f.Fuzz(func(t *testing.T, raw []byte, returnPath string) {
		m, err := Parse(raw, returnPath)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || len(err.Error()) <= len(ErrMalformed.Error())+2 {
				t.Fatalf("refused without a reason: %v", err)
			}
			return
		}
		if m == nil || m.From == "" || m.MessageID == "" {
			t.Fatalf("accepted without a sender or id: %+v", m)
		}
		for what, s := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML, "quoted": m.Quoted, "name": m.FromName} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not UTF-8: %q", what, s)
			}
		}
		for _, d := range m.Damaged {
			if !utf8.ValidString(d) || d == "" {
				t.Fatalf("damage note %q", d)
			}
		}
		for _, f := range m.Files {
			if f.Name == "" || !utf8.ValidString(f.Name) {
				t.Fatalf("file name %q", f.Name)
			}
		}
	})
}
