package email

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damagedCorpus is what each mail under testdata/damaged must read as: who
// wrote, a piece of its text, a damage note (empty: none expected) and the
// files kept.
var damagedCorpus = []struct {
	file, from, text, damage string
	subject                  string
	files                    []string
}{
	{file: "truncated-base64.eml", from: "zoe@example.com", text: "attached report", damage: "attachment report.pdf truncated", files: []string{"report.pdf"}},
	{file: "missing-closing-boundary.eml", from: "zoe@example.com", text: "never closes", damage: "no closing boundary", files: []string{"orders.csv"}},
	{file: "broken-header-line.eml", from: "zoe@example.com", text: "not a field", damage: "not fields were skipped", subject: "Broken header line"},
	{file: "qp-header-no-line-break.eml", from: "zoe@example.com", damage: "ends inside the header", subject: "Café au lait – order 17"},
	{file: "no-from.eml", from: "zoe@example.com", text: "envelope names the sender", damage: "envelope sender zoe@example.com is used"},
	{file: "unknown-charset.eml", from: "zoe@example.com", text: "from an unknown charset", damage: `unknown charset "x-klingon-9"`},
	{file: "unknown-transfer-encoding.eml", from: "zoe@example.com", text: "before the odd part", damage: `unknown transfer encoding "x-uuencode"`, files: []string{"data.bin"}},
	{file: "eight-bit-header.eml", from: "zoe@example.com", text: "Latin-1 bytes", damage: "read as Windows-1252", subject: "Café crème"},
	{file: "nested-multipart.eml", from: "zoe@example.com", text: "Inner text survives", damage: "multipart/alternative has no closing boundary", files: []string{"photo.png"}},
	{file: "lf-only.eml", from: "zoe@example.com", text: "as a Unix mailbox stores them", subject: "LF only"},
	{file: "nul-in-header.eml", from: "zoe@example.com", text: "NUL byte sits", damage: "NUL bytes in the header were removed", subject: "A NUL in the subject"},
	{file: "bad-from.eml", from: "zoe@example.com", text: "no closing bracket", damage: "From is not a valid address list"},
	{file: "bad-qp-body.eml", from: "zoe@example.com", text: "fine again", damage: "broken quoted-printable"},
	// Control characters and an over-long subject read as sent; the inbox
	// takes them out or cuts them when it stores the message (TestDamagedMailIsAccepted).
	{file: "control-characters.eml", from: "zoe@example.com", text: "a backspace\b in the text", damage: "From is not a valid address list", subject: "A bell\a and an escape\x1b[2J in the subject"},
	{file: "long-subject.eml", from: "zoe@example.com", text: "longer than any client shows"},
}

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "damaged", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Mail that clients display is read, not refused: what can be read is kept
// and the damage is noted.
func TestParseDamaged(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "damaged", "*.eml"))
	if len(files) != len(damagedCorpus) {
		t.Fatalf("%d files in testdata/damaged, %d in the table: keep them in step", len(files), len(damagedCorpus))
	}
	for _, c := range damagedCorpus {
		t.Run(c.file, func(t *testing.T) {
			m, err := Parse(readCorpus(t, c.file), "zoe@example.com")
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if m.From != c.from || m.Automatic != Human {
				t.Errorf("from %q (%q), want %q", m.From, m.Automatic, c.from)
			}
			if !strings.Contains(m.Text, c.text) {
				t.Errorf("text %q, want it to hold %q", m.Text, c.text)
			}
			if c.subject != "" && m.Subject != c.subject {
				t.Errorf("subject %q, want %q", m.Subject, c.subject)
			}
			notes := strings.Join(m.Damaged, " | ")
			if c.damage == "" && len(m.Damaged) > 0 || !strings.Contains(notes, c.damage) {
				t.Errorf("damaged %q, want a note holding %q", notes, c.damage)
			}
			var names []string
			for _, f := range m.Files {
				names = append(names, f.Name)
			}
			if strings.Join(names, ",") != strings.Join(c.files, ",") {
				t.Errorf("files %v, want %v", names, c.files)
			}
		})
	}
}

func TestParseTruncatedAttachmentKeepsWhatArrived(t *testing.T) {
	m, err := Parse(readCorpus(t, "truncated-base64.eml"), "zoe@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || !strings.HasPrefix(string(m.Files[0].Data), "%PDF-1.4\n") || len(m.Files[0].Data) < 200 {
		t.Fatalf("files %+v", m.Files)
	}
}

// Only data that is not mail, or mail from nobody, is refused, and the
// reason says which.
func TestParseRefusesNotMail(t *testing.T) {
	for _, c := range []struct {
		name, raw, returnPath, why string
	}{
		{"empty", "", "zoe@example.com", "empty"},
		{"blank lines", "\r\n\r\n\r\n", "zoe@example.com", "empty"},
		{"prose", "Hello, this is just text.\r\nNo header at all.\r\n", "zoe@example.com", "first line is not a header field"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "zoe@example.com", "first line is not a header field"},
		{"binary header", "X:\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\r\n\r\nbody", "zoe@example.com", "binary"},
		{"mbox garbage", "From zoe@example.com\x00\x01 garbage without colon\n\nhello\n", "zoe@example.com", "first line is not a header field"},
		{"no mail field", "Foo: bar\r\nBaz: qux\r\n\r\nhello\r\n", "zoe@example.com", "none of the fields"},
		{"from nobody", "Subject: hi\r\n\r\nhello\r\n", "unknown", "no sender"},
	} {
		_, err := Parse([]byte(c.raw), c.returnPath)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %v, want ErrMalformed saying %q", c.name, err, c.why)
		}
	}
}

// Mail polled over IMAP has no SMTP envelope: its return path and reply
// token are read from the stored header, as leniently as Parse reads it.
func TestMailboxEnvelopeDamagedHeader(t *testing.T) {
	raw := []byte("Return-Path: <zoe@example.com>\r\nX-Mailer Broken (no colon)\r\n" +
		"To: support+abcdefgh23456723@northwind.example\r\nSubject: hi\r\n\r\nhello\r\n")
	rp, token := mailboxEnvelope(raw, "support@northwind.example")
	if rp != "zoe@example.com" || token != "abcdefgh23456723" {
		t.Fatalf("return path %q, token %q", rp, token)
	}
}
