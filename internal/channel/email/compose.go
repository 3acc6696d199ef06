package email

import (
	"bytes"
	"fmt"
	"mime"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// maxRefs bounds References: long threads keep their newest ids.
const maxRefs = 20

// node is one MIME entity of a message being written: a leaf with its bytes,
// or a multipart with its parts.
type node struct {
	header message.Header
	body   []byte
	parts  []*node
}

// Compose writes an agent's reply as an RFC 5322 message: from the tenant's
// address, Reply-To the conversation's reply address, threaded by In-Reply-To
// and References, with a Message-ID derived from the message's id (so a retry
// sends the same one) in hostname's domain. It returns the message and its
// Message-ID without angle brackets. The parts are text, text and HTML as
// multipart/alternative, inline images beside the HTML in
// multipart/related, and files in multipart/mixed. out.Headers are added as
// they are (see setExtra).
func Compose(out channel.Outbound, hostname string, now time.Time) ([]byte, string, error) {
	if out.Account.Address == "" {
		return nil, "", fmt.Errorf("the tenant has no email address to send from: %w", channel.ErrPermanent)
	}
	to, err := mail.ParseAddress(out.To)
	if err != nil || strings.ContainsAny(out.To, "\r\n") {
		return nil, "", fmt.Errorf("customer address %q: %w", out.To, channel.ErrPermanent)
	}
	to.Name = out.ToName
	id := out.MessageID + "@" + hostname

	var h mail.Header
	h.SetAddressList("From", []*mail.Address{{Name: out.Account.Name, Address: out.Account.Address}})
	h.SetAddressList("Reply-To", []*mail.Address{{Name: out.Account.Name, Address: replyAddress(out.Account.Address, out.ReplyToken)}})
	h.SetAddressList("To", []*mail.Address{to})
	h.SetDate(now)
	h.SetMessageID(id)
	var refs []string
	for _, r := range out.ThreadRefs {
		if r != "" && r != id && !strings.ContainsAny(r, "<> \t\r\n") {
			refs = append(refs, r)
		}
	}
	if len(refs) > maxRefs {
		refs = refs[len(refs)-maxRefs:]
	}
	subject := strings.Join(strings.Fields(out.Subject), " ")
	if len(refs) > 0 {
		h.SetMsgIDList("In-Reply-To", refs[len(refs)-1:])
		h.SetMsgIDList("References", refs)
		if !isReply(subject) {
			subject = strings.TrimSpace("Re: " + subject)
		}
	}
	h.SetSubject(subject)
	if err := setExtra(&h, out.Headers); err != nil {
		return nil, "", err
	}

	root := body(out)
	ct, params, _ := root.header.ContentType()
	h.SetContentType(ct, params)
	if cte := root.header.Get("Content-Transfer-Encoding"); cte != "" {
		h.Set("Content-Transfer-Encoding", cte)
	}
	root.header = h.Header
	var buf bytes.Buffer
	if err := write(&buf, root, nil); err != nil {
		return nil, "", fmt.Errorf("compose message: %w", err)
	}
	return buf.Bytes(), id, nil
}

// composed are the headers Compose writes itself: an extra header may not
// replace them, so who a message is from and to stays Compose's to say.
var composed = map[string]bool{
	"from": true, "sender": true, "reply-to": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true,
	"message-id": true, "in-reply-to": true, "references": true, "return-path": true, "received": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true, "content-disposition": true, "content-id": true,
}

// setExtra writes a message's extra headers (a notification's
// List-Unsubscribe and List-Unsubscribe-Post), in name order so a retry writes
// the same bytes. A name that is no header name, one Compose writes itself, or
// a value that could start another header (CR, LF or any control character)
// is refused: such a message would be wrong however often it is retried.
// Values outside ASCII are written as RFC 2047 words.
func setExtra(h *mail.Header, extra map[string]string) error {
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := extra[k]
		if !validFieldName(k) || composed[strings.ToLower(k)] {
			return fmt.Errorf("header %q cannot be set on a message: %w", k, channel.ErrPermanent)
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return fmt.Errorf("header %s: value has a line break or control character: %w", k, channel.ErrPermanent)
		}
		h.SetText(k, v)
	}
	return nil
}

// validFieldName is RFC 5322's field-name: printable ASCII but the colon.
func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < '!' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// body is the MIME tree of the reply's content.
func body(out channel.Outbound) *node {
	text := leaf("text/plain", map[string]string{"charset": "utf-8"}, "quoted-printable", []byte(crlf(out.Body)))
	content := text
	if out.BodyHTML != "" {
		content = multipart("alternative", text, leaf("text/html", map[string]string{"charset": "utf-8"}, "quoted-printable", []byte(crlf(out.BodyHTML))))
	}
	var inline, files []*node
	for _, f := range out.Attachments {
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		// Names go in RFC 2231 form (mime.FormatMediaType), which every
		// client reads; go-message would write RFC 2047 words there.
		n := &node{body: f.Data}
		name, cid := headerSafe(f.Name), headerSafe(strings.Trim(f.ContentID, "<>"))
		n.header.Set("Content-Type", formatMediaType(ct, "name", name))
		n.header.Set("Content-Transfer-Encoding", "base64")
		if cid != "" && out.BodyHTML != "" {
			n.header.Set("Content-ID", "<"+cid+">")
			n.header.Set("Content-Disposition", formatMediaType("inline", "filename", name))
			inline = append(inline, n)
		} else {
			n.header.Set("Content-Disposition", formatMediaType("attachment", "filename", name))
			files = append(files, n)
		}
	}
	if len(inline) > 0 {
		content = multipart("related", append([]*node{content}, inline...)...)
	}
	if len(files) > 0 {
		content = multipart("mixed", append([]*node{content}, files...)...)
	}
	return content
}

// headerSafe drops what could end a header line or a parameter early.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '<' || r == '>' {
			return -1
		}
		return r
	}, s)
}

// formatMediaType is a header value with one parameter; a type or a name it
// cannot write is left out rather than written wrong.
func formatMediaType(v, key, value string) string {
	if s := mime.FormatMediaType(v, map[string]string{key: value}); s != "" {
		return s
	}
	if s := mime.FormatMediaType(v, nil); s != "" {
		return s
	}
	return "application/octet-stream"
}

func leaf(ct string, params map[string]string, cte string, data []byte) *node {
	n := &node{body: data}
	n.header.SetContentType(ct, params)
	n.header.Set("Content-Transfer-Encoding", cte)
	return n
}

func multipart(sub string, parts ...*node) *node {
	n := &node{parts: parts}
	n.header.SetContentType("multipart/"+sub, map[string]string{})
	return n
}

// write renders n into buf, as the whole message (parent nil) or as a part.
func write(buf *bytes.Buffer, n *node, parent *message.Writer) error {
	var w *message.Writer
	var err error
	if parent == nil {
		w, err = message.CreateWriter(buf, n.header)
	} else {
		w, err = parent.CreatePart(n.header)
	}
	if err != nil {
		return err
	}
	for _, p := range n.parts {
		if err := write(buf, p, w); err != nil {
			return err
		}
	}
	if n.parts == nil {
		if _, err := w.Write(n.body); err != nil {
			return err
		}
	}
	return w.Close()
}

func isReply(subject string) bool {
	s := strings.ToLower(subject)
	return strings.HasPrefix(s, "re:") || strings.HasPrefix(s, "aw:") || strings.HasPrefix(s, "sv:")
}

// crlf gives text the line endings mail wants.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
