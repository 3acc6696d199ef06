package email

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Bounds on a mail's MIME tree: beyond them the rest is kept only in the
// original, so a crafted mail cannot make reading it expensive.
const (
	maxDepth = 20
	maxParts = 500
)

// mimeLeaf is one part of a mail that is not a multipart, its transfer encoding
// undone (the charset is the reader's business).
type mimeLeaf struct {
	n        int // 1-based, in the order of the mail
	header   textproto.Header
	ct       string // media type, lower case; text/plain when the part gave none
	params   map[string]string
	name     string // the file name it gave, decoded
	body     []byte
	complete bool // false when the part was cut short
}

// walker reads a MIME tree leniently, collecting its leaves and noting in d
// what it could not read as sent.
type walker struct {
	d      *damage
	leaves []mimeLeaf
	parts  int
}

// entity reads one entity: a multipart is split into its parts, anything else
// becomes a leaf. complete is false for an entity known to be cut short (the
// last part of a multipart whose closing boundary never came).
func (w *walker) entity(h textproto.Header, body []byte, depth int, complete bool) {
	w.parts++
	n := w.parts
	if w.parts > maxParts {
		if w.parts == maxParts+1 {
			w.d.add("more than %d parts; the rest are only in the original", maxParts)
		}
		return
	}
	ct, params := contentType(h.Get("Content-Type"))
	if strings.HasPrefix(ct, "multipart/") {
		boundary := params["boundary"]
		switch {
		case boundary == "":
			w.d.add("part %d (%s) names no boundary; shown as text", n, ct)
			ct, params = "text/plain", nil
		case depth >= maxDepth:
			w.d.add("part %d (%s) is nested deeper than %d levels; kept as a file", n, ct, maxDepth)
			ct = "application/octet-stream"
		default:
			w.multipart(ct, boundary, body, depth, complete)
			return
		}
	}
	l := mimeLeaf{n: n, header: h, ct: ct, params: params, complete: complete}
	l.name = decodeWord(dispositionName(h.Get("Content-Disposition")))
	if l.name == "" {
		l.name = decodeWord(params["name"])
	}
	l.body = w.decode(&l, h.Get("Content-Transfer-Encoding"), body)
	w.leaves = append(w.leaves, l)
}

// multipart splits body at its boundary lines (RFC 2046 5.1.1) and reads
// each part. The preamble and epilogue are dropped, as clients do. A
// multipart that never closes ends at the end of the data, its last part
// marked as possibly cut short; one whose boundary never appears is shown as
// text.
func (w *walker) multipart(ct, boundary string, body []byte, depth int, complete bool) {
	delim := []byte("--" + boundary)
	var starts []int // offsets where parts begin (after a delimiter line)
	var ends []int   // offsets where parts end (before the line break ahead of the next delimiter)
	closed := false
	off := 0
	for off < len(body) && !closed {
		end := bytes.IndexByte(body[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(body)-off, len(body)
		}
		line := bytes.TrimRight(body[off:off+end], " \t\r")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			if len(rest) == 0 || bytes.Equal(rest, []byte("--")) {
				if len(starts) > 0 {
					ends = append(ends, lineBreakBefore(body, off))
				}
				if len(rest) == 0 {
					starts = append(starts, next)
				} else {
					closed = true
				}
			}
		}
		off = next
	}
	if len(starts) == 0 {
		w.d.add("%s: its boundary never appears; the body is shown as text", ct)
		w.leaves = append(w.leaves, mimeLeaf{n: w.parts, ct: "text/plain", body: body, complete: complete})
		return
	}
	if !closed {
		w.d.add("%s has no closing boundary; its last part may be cut short", ct)
		ends = append(ends, len(body))
	}
	for i, s := range starts {
		e := ends[i]
		if e < s { // a delimiter right after another
			e = s
		}
		ph, pbody, _ := readHeader(body[s:e], w.d, fmt.Sprintf("part %d", w.parts+1))
		w.entity(ph, pbody, depth+1, complete && (closed || i < len(starts)-1))
	}
}

// lineBreakBefore is off less the CRLF or LF that ends the line before it,
// which belongs to the delimiter that follows.
func lineBreakBefore(b []byte, off int) int {
	if off > 0 && b[off-1] == '\n' {
		off--
		if off > 0 && b[off-1] == '\r' {
			off--
		}
	}
	return off
}

var (
	paramRE    = regexp.MustCompile(`(?i)\b(boundary|charset|name)\s*=\s*(?:"([^"]*)"|([^\s;"]+))`)
	filenameRE = regexp.MustCompile(`(?i)filename\s*=\s*(?:"([^"]*)"|([^\s;"]+))`)
)

// contentType reads a Content-Type field; a part without one is text/plain
// (RFC 2045 5.2). Parameters that mime cannot parse are read one by one, so a
// boundary survives a stray quote elsewhere in the field.
func contentType(v string) (string, map[string]string) {
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}
	}
	ct, params, err := mime.ParseMediaType(v)
	if err != nil {
		ct, _, _ = strings.Cut(v, ";")
		ct = strings.ToLower(strings.TrimSpace(ct))
		params = map[string]string{}
		for _, m := range paramRE.FindAllStringSubmatch(v, 10) {
			params[strings.ToLower(m[1])] = m[2] + m[3]
		}
	}
	if !strings.Contains(ct, "/") {
		ct = "text/plain"
	}
	return ct, params
}

// dispositionName is the file name a Content-Disposition field gives.
func dispositionName(v string) string {
	if v == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(v); err == nil {
		return params["filename"]
	}
	if m := filenameRE.FindStringSubmatch(v); m != nil {
		return m[1] + m[2]
	}
	return ""
}

// label names a part for an agent: its file name, or its number and type.
func (l *mimeLeaf) label() string {
	if l.name != "" {
		return "attachment " + validUTF8(l.name)
	}
	return fmt.Sprintf("part %d (%s)", l.n, l.ct)
}
