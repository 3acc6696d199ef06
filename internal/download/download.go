// Package download holds the headers that make a stored file safe to send
// back: files come from customers and agents, and a browser must never run
// one as a page of the center's origin. The desk's attachments and the chat
// widget's both use it, so an HTML or SVG file is handled alike everywhere.
package download

import (
	"mime"
	"net/http"
	"strings"
)

// Policy is the Content-Security-Policy of every served file: a sandbox (no
// script, an opaque origin) that loads nothing and may not be framed, so even
// a file a browser does render (an SVG, an HTML page) cannot act as us.
const Policy = "sandbox; default-src 'none'; frame-ancestors 'none'"

// inline are the types a browser may show in place: raster images, which
// carry no script and no links. SVG is a document and is not among them.
var inline = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// Inline reports whether a file of contentType may be shown in the browser
// rather than saved.
func Inline(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && inline[strings.ToLower(mt)]
}

// Header sets the headers of a file response: its type, saved under its name
// unless it is a plain image, never sniffed, and sandboxed.
func Header(h http.Header, contentType, name string) {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	disposition := "attachment"
	if Inline(contentType) {
		disposition = "inline"
	}
	cd := mime.FormatMediaType(disposition, map[string]string{"filename": name})
	if cd == "" { // a name FormatMediaType cannot encode
		cd = disposition
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", cd)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", Policy)
}
