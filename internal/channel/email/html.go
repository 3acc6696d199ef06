package email

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
)

// sanitizer is the center's one HTML policy (htmlsafe), so a mail's HTML is
// cleaned exactly as an agent's or a business system's is.
func sanitizer() *bluemonday.Policy { return htmlsafe.Policy() }

// FoldQuotedHTML splits an HTML reply like FoldQuoted does plain text. It
// recognises the history by the markup the clients wrap it in: Gmail's
// gmail_quote, Thunderbird's and Apple Mail's blockquote type="cite" with its
// moz-cite-prefix, Outlook's divRplyFwdMsg and everything after it. The result
// is not sanitised yet. When nothing new would remain, nothing is folded.
func FoldQuotedHTML(src string) (fresh, quoted string) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return src, ""
	}
	body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		return src, ""
	}
	var cut []*html.Node
	if q := find(body, isQuoteBlock); q != nil {
		cut = quotedNodes(q)
	}
	if len(cut) == 0 {
		return src, ""
	}
	var old bytes.Buffer
	for _, n := range cut {
		html.Render(&old, n)
		n.Parent.RemoveChild(n)
	}
	if strings.TrimSpace(htmlText(body)) == "" {
		return src, ""
	}
	var now bytes.Buffer
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		html.Render(&now, c)
	}
	return now.String(), old.String()
}

func isQuoteBlock(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	return hasClass(n, "gmail_quote") || hasClass(n, "moz-cite-prefix") ||
		attr(n, "id") == "divRplyFwdMsg" || attr(n, "id") == "appendonsend" ||
		n.DataAtom == atom.Blockquote && attr(n, "type") == "cite"
}

// quotedNodes is the quote block q and what belongs to it: Outlook's blocks
// run to the end of the message, preceded by a rule; a cite prefix is followed
// by its blockquote.
func quotedNodes(q *html.Node) []*html.Node {
	out := []*html.Node{q}
	switch {
	case attr(q, "id") == "divRplyFwdMsg" || attr(q, "id") == "appendonsend":
		if p := prevElement(q); p != nil && p.DataAtom == atom.Hr {
			out = append([]*html.Node{p}, out...)
		}
		for s := q.NextSibling; s != nil; s = s.NextSibling {
			out = append(out, s)
		}
	case hasClass(q, "moz-cite-prefix"):
		for s := q.NextSibling; s != nil; s = s.NextSibling {
			if s.Type == html.ElementNode {
				if s.DataAtom == atom.Blockquote {
					out = append(out, s)
				}
				break
			}
		}
	}
	return out
}

func prevElement(n *html.Node) *html.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == html.ElementNode {
			return p
		}
		if p.Type == html.TextNode && strings.TrimSpace(p.Data) != "" {
			return nil
		}
	}
	return nil
}

func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// htmlToText is the readable text of an HTML body, for the plain Body when a
// message came as HTML only (and for search).
func htmlToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	return htmlText(doc)
}

func htmlText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(strings.Join(strings.Fields(n.Data), " "))
			if strings.HasSuffix(n.Data, " ") || strings.HasSuffix(n.Data, "\n") {
				b.WriteByte(' ')
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre, atom.Table:
				b.WriteByte('\n')
			}
		}
	}
	walk(n)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
