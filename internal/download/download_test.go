package download

import (
	"mime"
	"net/http"
	"testing"
)

// Only plain raster images are shown in place; documents that can carry
// script (HTML, SVG, XML) and everything else are saved, and every file is
// sandboxed and never sniffed.
func TestHeader(t *testing.T) {
	for _, tc := range []struct {
		contentType, name, disposition, wantType string
	}{
		{"image/png", "photo.png", "inline", "image/png"},
		{"IMAGE/JPEG", "photo.jpg", "inline", "IMAGE/JPEG"},
		{"image/gif", "a.gif", "inline", "image/gif"},
		{"image/webp", "a.webp", "inline", "image/webp"},
		{"image/svg+xml", "logo.svg", "attachment", "image/svg+xml"},
		{"text/html; charset=utf-8", "page.html", "attachment", "text/html; charset=utf-8"},
		{"text/xml; charset=utf-8", "logo.svg", "attachment", "text/xml; charset=utf-8"},
		{"application/pdf", "a.pdf", "attachment", "application/pdf"},
		{"text/plain; charset=utf-8", "notes.txt", "attachment", "text/plain; charset=utf-8"},
		{"", "blob", "attachment", "application/octet-stream"},
		{"not a type", "x", "attachment", "not a type"},
	} {
		h := http.Header{}
		Header(h, tc.contentType, tc.name)
		disposition, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
		if err != nil || disposition != tc.disposition || params["filename"] != tc.name {
			t.Errorf("%q %q: Content-Disposition %q, want %s with the file name", tc.contentType, tc.name, h.Get("Content-Disposition"), tc.disposition)
		}
		if h.Get("Content-Type") != tc.wantType {
			t.Errorf("%q: Content-Type %q, want %q", tc.contentType, h.Get("Content-Type"), tc.wantType)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != Policy {
			t.Errorf("%q: nosniff %q, CSP %q", tc.contentType, h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
		}
	}
}

// A name with quotes, non-ASCII letters or a newline still yields a header a
// browser parses back to a file name without the newline.
func TestHeaderOddNames(t *testing.T) {
	for _, name := range []string{`a "quoted" name.pdf`, "Kontoauszug März.pdf", "evil\r\nSet-Cookie: x=1.pdf"} {
		h := http.Header{}
		Header(h, "application/pdf", name)
		cd := h.Get("Content-Disposition")
		for _, c := range cd {
			if c == '\r' || c == '\n' {
				t.Fatalf("%q: Content-Disposition %q carries a line break", name, cd)
			}
		}
		if d, _, err := mime.ParseMediaType(cd); err != nil || d != "attachment" {
			t.Errorf("%q: Content-Disposition %q does not parse as an attachment: %v", name, cd, err)
		}
	}
}
