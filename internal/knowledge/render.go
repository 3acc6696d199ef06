package knowledge

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
)

// markdown is CommonMark with GitHub's tables, strikethrough, autolinks and
// task lists. Raw HTML is let through to the renderer on purpose: authors
// paste <kbd> and <br>, and what they paste is sanitised afterwards by the
// center's one HTML policy, which is where safety is decided (not here).
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(html.WithUnsafe()),
)

// Render turns an article field's Markdown into HTML that is safe to show:
// scripts, event handlers, javascript: links, frames and forms are removed by
// htmlsafe. It is pure and deterministic, so it runs wherever an article is
// shown rather than being stored.
func Render(src string) string {
	if src == "" {
		return ""
	}
	var b bytes.Buffer
	if err := markdown.Convert([]byte(src), &b); err != nil {
		// goldmark fails only when writing to b fails, which a bytes.Buffer
		// does not; show the text escaped rather than nothing.
		return htmlsafe.Sanitize("<pre>" + escape(src) + "</pre>")
	}
	return htmlsafe.Sanitize(b.String())
}

func escape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&#34;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
