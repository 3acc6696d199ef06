package htmlsafe_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		gone, kept []string
	}{
		{name: "script", in: `<p>hi</p><script>alert(1)</script>`, gone: []string{"<script", "alert"}, kept: []string{"<p>hi</p>"}},
		{name: "event handler", in: `<img src="https://x.example/a.png" onerror="alert(1)">`, gone: []string{"onerror", "alert"}, kept: []string{`src="https://x.example/a.png"`}},
		{name: "javascript link", in: `<a href="javascript:alert(1)">x</a>`, gone: []string{"javascript", "href"}, kept: []string{"x"}},
		{name: "iframe", in: `<iframe src="https://evil.example"></iframe><b>ok</b>`, gone: []string{"iframe", "evil"}, kept: []string{"<b>ok</b>"}},
		{name: "style attribute", in: `<p style="background:url(javascript:alert(1))">p</p>`, gone: []string{"style", "javascript"}, kept: []string{"<p>p</p>"}},
		{name: "form", in: `<form action="https://evil.example"><input name="pw"></form>`, gone: []string{"form", "input"}},
		{name: "svg script", in: `<svg><script>alert(1)</script></svg>`, gone: []string{"svg", "script", "alert"}},
		{name: "link keeps href with rel", in: `<a href="https://example.com/x">x</a>`, kept: []string{`href="https://example.com/x"`, `rel="nofollow"`}},
		{name: "mailto", in: `<a href="mailto:a@example.com">a</a>`, kept: []string{`href="mailto:a@example.com"`}},
		{name: "cid image", in: `<img src="cid:logo@x">`, kept: []string{`src="cid:logo@x"`}},
		{name: "data image", in: `<img src="data:image/png;base64,iVBORw0KGgo=">`, kept: []string{`src="data:image/png;base64,iVBORw0KGgo="`}},
		{name: "data html refused", in: `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, gone: []string{"data:"}},
		{name: "table", in: `<table><tr><td>1</td></tr></table>`, kept: []string{"<table>", "<td>1</td>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := htmlsafe.Sanitize(tc.in)
			for _, g := range tc.gone {
				if strings.Contains(strings.ToLower(out), g) {
					t.Errorf("Sanitize(%q) = %q, still has %q", tc.in, out, g)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(out, k) {
					t.Errorf("Sanitize(%q) = %q, lost %q", tc.in, out, k)
				}
			}
			if again := htmlsafe.Sanitize(out); again != out {
				t.Errorf("not idempotent: %q then %q", out, again)
			}
		})
	}
}
