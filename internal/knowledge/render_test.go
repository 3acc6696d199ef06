package knowledge_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		kept, gone []string
	}{
		{"markdown", "Press **Unblock**\n\n- one\n- two", []string{"<strong>Unblock</strong>", "<li>one</li>"}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"script", "hi <script>alert(1)</script>", []string{"hi"}, []string{"<script", "alert"}},
		{"javascript link", "[x](javascript:alert(1))", []string{"x"}, []string{"javascript", "href"}},
		{"event handler", `<img src="https://x.example/a.png" onerror="alert(1)">`, []string{"https://x.example/a.png"}, []string{"onerror"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"iframe", "evil"}},
		{"link", "[bank](https://bank.example)", []string{`href="https://bank.example"`, `rel="nofollow"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := knowledge.Render(tc.in)
			for _, k := range tc.kept {
				if !strings.Contains(out, k) {
					t.Errorf("Render(%q) = %q, lost %q", tc.in, out, k)
				}
			}
			for _, g := range tc.gone {
				if strings.Contains(strings.ToLower(out), g) {
					t.Errorf("Render(%q) = %q, still has %q", tc.in, out, g)
				}
			}
		})
	}
	if knowledge.Render("") != "" {
		t.Error("empty Markdown renders to something")
	}
}

func TestDiffWords(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want string // ops as op:text|…
	}{
		{"", "", ""},
		{"same text", "same text", "equal:same text"},
		{"press the button", "press the red button", "equal:press the |insert:red |equal:button"},
		{"call us today", "call them today", "equal:call |delete:us|insert:them|equal: today"},
		{"Karte gesperrt", "Karte entsperrt", "equal:Karte |delete:gesperrt|insert:entsperrt"},
	} {
		var got []string
		var a, b strings.Builder
		for _, op := range knowledge.DiffWords(tc.a, tc.b) {
			got = append(got, op.Op+":"+op.Text)
			if op.Op != "insert" {
				a.WriteString(op.Text)
			}
			if op.Op != "delete" {
				b.WriteString(op.Text)
			}
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("DiffWords(%q, %q) = %q, want %q", tc.a, tc.b, strings.Join(got, "|"), tc.want)
		}
		if a.String() != tc.a || b.String() != tc.b {
			t.Errorf("DiffWords(%q, %q) does not rebuild both sides: %q, %q", tc.a, tc.b, a.String(), b.String())
		}
	}
}
