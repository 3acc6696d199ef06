package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // the legacy charsets (ISO-8859-*, Windows-125*, Shift_JIS, …) for go-message
	"github.com/emersion/go-message/mail"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// Message is one received mail, read and cleaned: who wrote, what they wrote
// now (HTML sanitised), the history they quoted, the files, and how it threads.
type Message struct {
	MessageID  string   // without angle brackets; derived from the content when the mail has none
	InReplyTo  []string // without angle brackets
	References []string
	From       string // the address, as written
	FromName   string
	Subject    string
	Text       string // the new text, quoted history folded away
	HTML       string // sanitised, quoted history folded away
	Quoted     string // the folded history as text
	QuotedHTML string // the folded history as sanitised HTML
	Files      []inbox.File
	// Automatic is set for machine-written mail; BounceOf then lists the
	// Message-IDs a failure report is about.
	Automatic Automatic
	BounceOf  []string
	// Damaged lists, for an agent, what could not be read as sent (an
	// attachment cut short, a header line skipped, an unknown charset); the
	// original is kept, so nothing is lost to it.
	Damaged []string
	// Raw is the message as received, kept beside the stored message.
	Raw []byte
}

// ErrMalformed is wrapped by Parse's errors for data that is not mail at all.
var ErrMalformed = errors.New("not a mail message")

// Parse reads a raw RFC 5322 message as received with the envelope's return
// path (empty for the null sender, "unknown" when there was no envelope).
//
// It reads what mail clients would show and notes the rest in Damaged rather
// than refusing the mail: a customer whose mail program wrote a broken header,
// cut an attachment short or named a charset nobody knows still reaches the
// business, and the original is kept beside the message. It refuses, with an
// error wrapping ErrMalformed that says why, only data that is not mail (see
// notMail) or mail from nobody: no address in From, Sender or Reply-To and no
// envelope sender.
func Parse(raw []byte, returnPath string) (*Message, error) {
	if why := notMail(raw); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	d := &damage{}
	th, body, _ := readHeader(raw, d, "header")
	h := mail.Header{Header: message.Header{Header: th}}
	m := &Message{}
	if err := m.readFrom(&h, returnPath, d); err != nil {
		return nil, err
	}
	m.Automatic = automatic(&h, returnPath, m.From)
	if m.Subject, _ = h.Subject(); m.Subject == "" {
		m.Subject = h.Get("Subject") // an unknown charset in an encoded word: keep what was sent
	}
	m.Subject = validUTF8(m.Subject)
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	} else {
		sum := sha256.Sum256(raw) // a client's retry of the same bytes still dedupes
		m.MessageID = "sha256-" + hex.EncodeToString(sum[:16]) + "@switchboard.invalid"
	}
	m.InReplyTo, m.References = msgIDs(h.Get("In-Reply-To")), msgIDs(h.Get("References"))

	w := &walker{d: d}
	w.entity(th, body, 0, true)
	var text, htm []string
	var status string
	for i := range w.leaves {
		l := &w.leaves[i]
		disp, _ := contentType(l.header.Get("Content-Disposition"))
		switch {
		case (l.ct == "text/plain" || l.ct == "text/html") && !strings.HasPrefix(disp, "attachment") && l.name == "":
			if l.ct == "text/html" {
				htm = append(htm, w.text(l))
			} else {
				text = append(text, w.text(l))
			}
			continue
		case l.ct == "message/delivery-status" || l.ct == "message/global-delivery-status":
			status += string(l.body)
			continue
		case l.ct == "message/rfc822" || l.ct == "text/rfc822-headers" || l.ct == "message/rfc822-headers":
			if m.Automatic == Bounce {
				hdr, _, _ := readHeader(l.body, &damage{}, "")
				m.BounceOf = append(m.BounceOf, msgIDs(hdr.Get("Message-Id"))...)
				continue
			}
		}
		m.Files = append(m.Files, inbox.File{Name: fileName(l.name, l.ct, l.n), ContentType: l.ct,
			ContentID: strings.Trim(strings.TrimSpace(l.header.Get("Content-Id")), "<>"), Data: l.body})
		if !l.complete && l.name != "" {
			d.add("%s truncated", l.label())
		}
	}
	if m.Automatic == Bounce && !dsnFailed(status) {
		m.BounceOf = nil // delayed, relayed or delivered: nothing failed
	}
	m.fold(strings.Join(text, "\n"), strings.Join(htm, "\n"))
	m.Damaged, m.Raw = d.notes, raw
	return m, nil
}

// readFrom sets who wrote: From's first address, or what can be made of a
// From that is not an address list, or Sender, Reply-To and the envelope's
// return path, in that order, noting the guess.
func (m *Message) readFrom(h *mail.Header, returnPath string, d *damage) error {
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.From, m.FromName = from[0].Address, validUTF8(from[0].Name)
		return nil
	}
	if v := h.Get("From"); v != "" {
		if a := bareAddress.FindString(v); a != "" {
			m.From = a
			d.add("From is not a valid address list; %s was read from it", validUTF8(a))
			return nil
		}
	}
	for _, key := range []string{"Sender", "Reply-To"} {
		if list, err := h.AddressList(key); err == nil && len(list) > 0 {
			m.From, m.FromName = list[0].Address, validUTF8(list[0].Name)
			d.add("no readable From; the %s address is used", key)
			return nil
		}
	}
	if returnPath != "" && returnPath != "unknown" {
		m.From = returnPath
		d.add("no readable From; the envelope sender %s is used", validUTF8(returnPath))
		return nil
	}
	if returnPath == "" { // the null sender: a notification, dropped as automatic
		m.From = "mailer-daemon"
		return nil
	}
	return fmt.Errorf("%w: no sender: neither From, Sender, Reply-To nor the envelope names an address", ErrMalformed)
}

var bareAddress = regexp.MustCompile(`[^\s<>"(),;:@]+@[^\s<>"(),;:@]+\.[^\s<>"(),;:@]+`)

// notMail says why data is not a mail message, or "" when it is one. The line
// is drawn where no mail client would show anything: the data must start with
// a header field ("Name: value"), hold at least one of the fields every mail
// has one of, and its header must not be binary (more than one byte in ten a
// control character). Everything past that is read leniently.
func notMail(raw []byte) string {
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	first = bytes.TrimSuffix(first, []byte("\r"))
	if len(bytes.TrimSpace(raw)) == 0 {
		return "the message is empty"
	}
	if !isField(string(first)) {
		return "no header: the first line is not a header field"
	}
	head := raw
	if i := bytes.Index(raw, []byte("\n\r\n")); i >= 0 {
		head = raw[:i]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		head = raw[:i]
	}
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	ctl := 0
	for _, c := range head {
		if c < 32 && c != '\t' && c != '\r' && c != '\n' || c == 127 {
			ctl++
		}
	}
	if ctl*10 > len(head) {
		return "the header is binary data"
	}
	th, _, _ := readHeader(head, &damage{}, "")
	for _, k := range []string{"From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-Id", "Received", "Return-Path", "Mime-Version", "Content-Type"} {
		if th.Has(k) {
			return ""
		}
	}
	return "no header: none of the fields a mail has (From, To, Subject, Date, Message-ID, …)"
}

// fold splits the bodies into what is new and what is quoted, and sanitises
// the HTML.
func (m *Message) fold(text, htm string) {
	policy := sanitizer()
	if htm != "" {
		fresh, quoted := FoldQuotedHTML(htm)
		m.HTML = policy.Sanitize(fresh)
		if quoted != "" {
			m.QuotedHTML = policy.Sanitize(quoted)
		}
	}
	switch {
	case strings.TrimSpace(text) != "":
		m.Text, m.Quoted = FoldQuoted(text)
	case m.HTML != "":
		m.Text = htmlToText(m.HTML)
		if m.QuotedHTML != "" {
			m.Quoted = htmlToText(m.QuotedHTML)
		}
	}
}

// Inbound is the message as the inbox takes it, for one tenant's account; the
// token is the reply token the recipient address carried, if any.
func (m *Message) Inbound(tenantID, to, token string) inbox.Inbound {
	in := inbox.Inbound{TenantID: tenantID, Channel: Name, FromName: m.FromName, ExternalID: m.MessageID,
		ThreadKey: m.MessageID, Subject: m.Subject, Body: m.Text, BodyHTML: m.HTML, Attachments: m.Files,
		Meta: map[string]any{"to": to}, Original: m.Raw, Unrefusable: true}
	// Mail received from the address is the mail channel's proof of it
	// (persona.MethodMailFromMailbox): the sender is found by it, never by an
	// address someone typed into a form.
	in.From = persona.Identifier{Kind: persona.KindEmail, Value: m.From, Verified: true, VerifiedBy: persona.MethodMailFromMailbox}
	if token != "" { // the surest key: it names the conversation itself
		in.ThreadKeys = append(in.ThreadKeys, inbox.ReplyThreadKey(token))
	}
	in.ThreadKeys = append(in.ThreadKeys, m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- { // newest first
		in.ThreadKeys = append(in.ThreadKeys, m.References[i])
	}
	if m.Quoted != "" {
		in.Meta["quoted"] = m.Quoted
	}
	if m.QuotedHTML != "" {
		in.Meta["quoted_html"] = m.QuotedHTML
	}
	if len(m.Damaged) > 0 {
		in.Meta["damaged"] = m.Damaged
	}
	return in
}

func partHeader(p *mail.Part) message.Header {
	switch h := p.Header.(type) {
	case *mail.InlineHeader:
		return h.Header
	case *mail.AttachmentHeader:
		return h.Header
	}
	return message.Header{}
}

var msgID = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDs reads the message ids in a Message-ID, In-Reply-To or References
// field, without their angle brackets. It is lenient: clients write comments
// and odd spacing there, and a thread should not break over it.
func msgIDs(v string) []string {
	var out []string
	for _, m := range msgID.FindAllStringSubmatch(v, 50) {
		out = append(out, m[1])
	}
	if len(out) == 0 && strings.Contains(v, "@") && !strings.ContainsAny(strings.TrimSpace(v), " \t<>") {
		out = append(out, strings.TrimSpace(v)) // a bare id without brackets
	}
	return out
}

// decodeWord decodes an RFC 2047 encoded file name, as Outlook and
// Thunderbird write them (RFC 2231 ones are decoded by mime already).
func decodeWord(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
	if d, err := dec.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// fileName names a part that came without one after its type.
func fileName(name, ct string, n int) string {
	name = strings.TrimSpace(strings.NewReplacer("/", "_", "\\", "_", "\x00", "").Replace(name))
	if name != "" {
		return validUTF8(name)
	}
	ext := ".bin"
	if ct == "message/rfc822" {
		ext = ".eml"
	} else if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		ext = exts[0]
	}
	return fmt.Sprintf("part-%d%s", n, ext)
}

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
