package email

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // the legacy charsets (ISO-8859-*, Windows-125*, Shift_JIS, …) for go-message
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

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
}

// ErrMalformed is wrapped by Parse's errors for mail that cannot be read.
var ErrMalformed = errors.New("malformed message")

// Parse reads a raw RFC 5322 message as received with the envelope's return
// path (empty for the null sender). A mail whose header or MIME structure
// cannot be read, whose From is not an address, or one of whose parts cannot be
// decoded is refused whole with an error wrapping ErrMalformed that says what
// is wrong: the sender learns of it from the bounce, and nothing is stored
// half-read. A text part in a charset nobody knows is kept with its bytes made
// valid UTF-8.
func Parse(raw []byte, returnPath string) (*Message, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	h := mail.Header{Header: e.Header}
	m := &Message{}
	from, err := h.AddressList("From")
	if err != nil || len(from) == 0 {
		return nil, fmt.Errorf("%w: From is not an address", ErrMalformed)
	}
	m.From, m.FromName = from[0].Address, from[0].Name
	m.Automatic = automatic(&h, returnPath, m.From)
	if m.Subject, err = h.Subject(); err != nil {
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

	var text, htm []string
	var status string
	r := mail.NewReader(e)
	for n := 1; ; n++ {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			return nil, fmt.Errorf("%w: MIME structure: %v", ErrMalformed, err)
		}
		ph := partHeader(p)
		ct, params, _ := ph.ContentType()
		disp, dparams, _ := ph.ContentDisposition()
		body, rerr := io.ReadAll(p.Body)
		if rerr != nil {
			return nil, fmt.Errorf("%w: part %d (%s): %v", ErrMalformed, n, ct, rerr)
		}
		name := decodeWord(dparams["filename"])
		if name == "" {
			name = decodeWord(params["name"])
		}
		switch {
		case (ct == "text/plain" || ct == "text/html" || ct == "") && disp != "attachment" && name == "":
			if ct == "text/html" {
				htm = append(htm, validUTF8(string(body)))
			} else {
				text = append(text, validUTF8(string(body)))
			}
			continue
		case ct == "message/delivery-status" || ct == "message/global-delivery-status":
			status += string(body)
			continue
		case ct == "message/rfc822" || ct == "text/rfc822-headers" || ct == "message/rfc822-headers":
			if m.Automatic == Bounce {
				if hdr, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(body))); err == nil {
					m.BounceOf = append(m.BounceOf, msgIDs(hdr.Get("Message-Id"))...)
				}
				continue
			}
		}
		m.Files = append(m.Files, inbox.File{Name: fileName(name, ct, n), ContentType: ct,
			ContentID: strings.Trim(strings.TrimSpace(ph.Get("Content-Id")), "<>"), Data: body})
	}
	if m.Automatic == Bounce && !dsnFailed(status) {
		m.BounceOf = nil // delayed, relayed or delivered: nothing failed
	}
	m.fold(strings.Join(text, "\n"), strings.Join(htm, "\n"))
	return m, nil
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
		Meta: map[string]any{"to": to}}
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
