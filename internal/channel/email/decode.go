package email

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-message"
)

// decode undoes a part's Content-Transfer-Encoding as far as the data allows,
// noting what it could not: a base64 body cut short keeps the bytes that
// arrived, an unknown encoding keeps the part as sent.
func (w *walker) decode(l *mimeLeaf, cte string, body []byte) []byte {
	switch enc := strings.ToLower(strings.TrimSpace(cte)); enc {
	case "", "7bit", "8bit", "binary":
		return body
	case "base64":
		out, cut, junk := decodeBase64(body)
		if junk {
			w.d.add("%s: characters that are not base64 were skipped", l.label())
		}
		if cut {
			w.d.add("%s truncated", l.label())
			l.complete = false
		}
		return out
	case "quoted-printable":
		out, bad := decodeQP(body)
		if bad {
			w.d.add("%s: broken quoted-printable escapes were kept as sent", l.label())
		}
		return out
	default:
		w.d.add("%s: unknown transfer encoding %q; kept as sent", l.label(), validUTF8(enc))
		return body
	}
}

// decodeBase64 decodes what it can: characters outside the alphabet are
// skipped (junk), and data that stops inside a 4-character group (cut) yields
// the whole bytes it holds.
func decodeBase64(body []byte) (out []byte, cut, junk bool) {
	clean := make([]byte, 0, len(body))
	padded := false
	for _, c := range body {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			if !padded {
				clean = append(clean, c)
			}
		case c == '=':
			padded = true // the data ends here; anything after is ignored
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			junk = true
		}
	}
	whole := len(clean) / 4 * 4
	out = make([]byte, base64.StdEncoding.DecodedLen(whole), base64.StdEncoding.DecodedLen(len(clean)))
	n, _ := base64.StdEncoding.Decode(out, clean[:whole]) // clean holds only the alphabet: cannot fail
	out = out[:n]
	if rest := clean[whole:]; len(rest) > 0 {
		// Padding completes a group; without it a group of 2 or 3 is the
		// unpadded tail RFC 4648 allows only when the encoder said so.
		if len(rest) > 1 {
			tail, _ := base64.RawStdEncoding.DecodeString(string(rest))
			out = append(out, tail...)
		}
		cut = !padded || len(rest) == 1
	}
	return out, cut, junk
}

// decodeQP decodes quoted-printable line by line; a line whose escapes are
// broken is kept as sent rather than losing the rest of the part.
func decodeQP(body []byte) ([]byte, bool) {
	out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
	if err == nil {
		return out, false
	}
	var buf bytes.Buffer
	for _, line := range bytes.SplitAfter(body, []byte("\n")) {
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(line)))
		if err != nil {
			dec = line
		}
		buf.Write(dec)
	}
	return buf.Bytes(), true
}

// text reads a text part as UTF-8. A charset nobody knows, or bytes that are
// not in the charset declared, are shown with the unreadable bytes replaced,
// and noted.
func (w *walker) text(l *mimeLeaf) string {
	cs := strings.ToLower(strings.TrimSpace(l.params["charset"]))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return validUTF8(string(l.body))
	}
	r, err := message.CharsetReader(cs, bytes.NewReader(l.body))
	if err != nil {
		w.d.add("%s: unknown charset %q; shown as UTF-8", l.label(), validUTF8(cs))
		return validUTF8(string(l.body))
	}
	out, err := io.ReadAll(r)
	if err != nil {
		w.d.add("%s: text not in its charset %q; shown as UTF-8", l.label(), validUTF8(cs))
		return validUTF8(string(l.body))
	}
	return validUTF8(string(out))
}
