package mailcatch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // mails in legacy charsets read as UTF-8
)

// Header is one header field as received, decoded for reading.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// File is an attachment's description; the catcher shows mail, not files.
type File struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// Rendered is a mail taken apart for reading: its headers in order, its plain
// text and HTML bodies (the first of each), and its attachments.
type Rendered struct {
	Headers     []Header `json:"headers"`
	Text        string   `json:"text"`
	HTML        string   `json:"html,omitempty"`
	Attachments []File   `json:"attachments"`
}

// maxParts bounds how many MIME parts are walked, so a mail of a million
// empty parts costs no more than a normal one.
const maxParts = 100

// Render takes a raw mail apart. A mail that is not MIME at all is shown as
// its raw text, so the catcher never hides what was sent.
func Render(raw []byte) Rendered {
	out := Rendered{Attachments: []File{}}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		out.Text = string(raw)
		return out
	}
	fields := e.Header.Fields()
	for fields.Next() {
		v, derr := fields.Text()
		if derr != nil {
			v = fields.Value()
		}
		out.Headers = append(out.Headers, Header{Name: fields.Key(), Value: v})
	}
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		out.Text = string(raw)
		return out
	}
	parts := 0
	if werr := walk(e, &out, &parts); werr != nil && out.Text == "" && out.HTML == "" {
		out.Text = fmt.Sprintf("(the mail could not be read: %v)\n\n%s", werr, raw)
	}
	return out
}

// walk collects the bodies and attachments of e and its parts.
func walk(e *message.Entity, out *Rendered, parts *int) error {
	*parts++
	if *parts > maxParts {
		return errors.New("too many parts")
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil && p == nil {
				return fmt.Errorf("read part: %w", err)
			}
			if err := walk(p, out, parts); err != nil {
				return err
			}
		}
	}
	ct, _, _ := e.Header.ContentType()
	disp, dparams, _ := e.Header.ContentDisposition()
	body, err := io.ReadAll(io.LimitReader(e.Body, MaxBytes))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if disp == "attachment" || (!strings.HasPrefix(ct, "text/") && ct != "") {
		_, cparams, _ := e.Header.ContentType()
		name := dparams["filename"]
		if name == "" {
			name = cparams["name"]
		}
		out.Attachments = append(out.Attachments, File{Name: name, ContentType: ct, Size: len(body)})
		return nil
	}
	switch {
	case (ct == "text/plain" || ct == "") && out.Text == "":
		out.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
	case ct == "text/html" && out.HTML == "":
		out.HTML = string(body)
	}
	return nil
}

// Subject is a raw mail's subject, decoded; "" if it has none.
func Subject(raw []byte) string {
	e, _ := message.Read(bytes.NewReader(raw))
	if e == nil {
		return ""
	}
	s := e.Header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}
