package email

import (
	"fmt"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// fit trims a mail to what the inbox stores — its text, its HTML, the number
// and size of its files — noting each cut in Damaged, rather than bouncing
// the whole mail: the original, kept beside the message, still holds it all.
func (m *Message) fit(l inbox.Limits) {
	if l.MaxBodyBytes > 0 && len(m.Text) > l.MaxBodyBytes {
		m.Text = cutUTF8(m.Text, l.MaxBodyBytes)
		m.Damaged = append(m.Damaged, fmt.Sprintf("the text is longer than %d bytes and was cut; the whole mail is in the original", l.MaxBodyBytes))
	}
	if l.MaxBodyBytes > 0 && len(m.HTML) > 4*l.MaxBodyBytes {
		m.HTML, m.QuotedHTML = "", "" // cut HTML would not be HTML: the text stands in for it
		m.Damaged = append(m.Damaged, fmt.Sprintf("the HTML is longer than %d bytes and is shown as text; the whole mail is in the original", 4*l.MaxBodyBytes))
	}
	var kept []inbox.File
	for _, f := range m.Files {
		switch {
		case l.MaxAttachmentBytes > 0 && int64(len(f.Data)) > l.MaxAttachmentBytes:
			m.Damaged = append(m.Damaged, fmt.Sprintf("attachment %s is larger than %d bytes and was not kept apart; it is in the original", f.Name, l.MaxAttachmentBytes))
		case l.MaxAttachments > 0 && len(kept) >= l.MaxAttachments:
			m.Damaged = append(m.Damaged, fmt.Sprintf("attachment %s is beyond the %d files a message keeps apart; it is in the original", f.Name, l.MaxAttachments))
		default:
			kept = append(kept, f)
		}
	}
	m.Files = kept
}

// cutUTF8 is s cut to at most n bytes, at a character boundary.
func cutUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
