package email

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/charmap"
)

// readHeader splits an entity into its header fields and its body the way
// mail clients do: it reads what it can and notes in d what it had to skip or
// guess, where go-message's reader refuses the whole entity at the first line
// that breaks RFC 5322's grammar.
//
//   - A line that is neither a field ("Name: value") nor a folded continuation
//     is skipped when fields follow it; when none does, the body starts there
//     (the blank line was missing).
//   - A header that runs to the end of the data is a header without a body.
//   - NUL bytes are removed; 8-bit bytes that are not UTF-8 are read as
//     Windows-1252, the charset such headers almost always are in.
//
// LF and CRLF line endings are both taken. fields counts the fields read.
func readHeader(raw []byte, d *damage, where string) (h textproto.Header, body []byte, fields int) {
	var (
		name, value   string
		strayStart    = -1 // offset of a run of lines that are not fields
		strayLines    int
		nul, eightBit bool
	)
	flush := func() {
		if name != "" {
			h.Add(name, value)
			fields++
		}
		name, value = "", ""
	}
	off := 0
	for off < len(raw) {
		end := bytes.IndexByte(raw[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(raw)-off, len(raw)
		}
		line := bytes.TrimSuffix(raw[off:off+end], []byte("\r"))
		if len(line) == 0 { // the blank line: the body follows
			flush()
			noteBytes(d, where, nul, eightBit)
			if strayStart >= 0 {
				return finishStray(h, raw, strayStart, d, where, fields)
			}
			return h, raw[next:], fields
		}
		if bytes.IndexByte(line, 0) >= 0 {
			line, nul = bytes.ReplaceAll(line, []byte{0}, nil), true
		}
		s := string(line)
		if !utf8.ValidString(s) {
			s, eightBit = windows1252(line), true
		}
		switch {
		case (s[0] == ' ' || s[0] == '\t') && name != "" && strayStart < 0:
			value += s // unfolding removes only the line break
		case isField(s):
			flush()
			if strayStart >= 0 {
				d.add("%s: %d header line(s) that are not fields were skipped", where, strayLines)
				strayStart, strayLines = -1, 0
			}
			k, v, _ := strings.Cut(s, ":")
			name, value = strings.TrimRight(k, " \t"), strings.TrimLeft(v, " \t")
		default:
			flush()
			if strayStart < 0 {
				strayStart = off
			}
			strayLines++
		}
		off = next
	}
	flush()
	noteBytes(d, where, nul, eightBit)
	if strayStart >= 0 {
		return finishStray(h, raw, strayStart, d, where, fields)
	}
	if fields > 0 {
		d.add("%s: the data ends inside the header; there is no body", where)
	}
	return h, nil, fields
}

func noteBytes(d *damage, where string, nul, eightBit bool) {
	if nul {
		d.add("%s: NUL bytes in the header were removed", where)
	}
	if eightBit {
		d.add("%s: header bytes that are not UTF-8 were read as Windows-1252", where)
	}
}

// finishStray ends a header whose last lines are not fields: the blank line
// between header and body was missing, and the body starts at those lines.
func finishStray(h textproto.Header, raw []byte, start int, d *damage, where string, fields int) (textproto.Header, []byte, int) {
	if fields > 0 {
		d.add("%s: no blank line between the header and the body", where)
	}
	return h, raw[start:], fields
}

// isField reports whether a header line starts with a field name and a colon
// (RFC 5322 2.2: printable ASCII but the colon), allowing the obsolete
// white space before the colon.
func isField(s string) bool {
	k, _, ok := strings.Cut(s, ":")
	k = strings.TrimRight(k, " \t")
	if !ok || k == "" || len(k) > 76 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 33 || k[i] > 126 {
			return false
		}
	}
	return true
}

func windows1252(b []byte) string {
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return validUTF8(string(b))
	}
	return string(s)
}

// damage lists what could not be read as sent, in words an agent
// understands; the message is kept, with this list beside it.
type damage struct{ notes []string }

func (d *damage) add(format string, args ...any) {
	note := validUTF8(fmt.Sprintf(format, args...))
	for _, n := range d.notes {
		if n == note {
			return
		}
	}
	if len(d.notes) < maxDamageNotes {
		d.notes = append(d.notes, note)
	}
}

// maxDamageNotes bounds the list on a message broken in a thousand places.
const maxDamageNotes = 20
