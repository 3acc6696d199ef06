package articles_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
)

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Card blocked!":                 "card-blocked",
		"  Carte bloquée — que faire ?": "carte-bloquee-que-faire",
		"Überweisung ins Ausland":       "uberweisung-ins-ausland",
		"!!!":                           "article",
		"日本語":                           "article",
		strings.Repeat("word ", 40):     strings.TrimSuffix(strings.Repeat("word-", 16), "-"),
	} {
		if got := articles.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseJSONLines(t *testing.T) {
	body := "{\"external_id\":\"a\",\"title\":\"A\",\"tags\":[\"x\"],\"state\":\"published\"}\n\n" +
		"{\"external_id\":\"b\",\"title\":3}\n" +
		"not json\n" +
		"{\"external_id\":\"c\"} {\"external_id\":\"d\"}\n"
	rows, failed, err := articles.ParseJSONLines(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Line != 1 || rows[0].ExternalID != "a" || rows[0].State != knowledge.Published || rows[0].Content.Tags[0] != "x" {
		t.Fatalf("rows %+v", rows)
	}
	lines := []int{}
	for _, f := range failed {
		lines = append(lines, f.Line)
	}
	if len(failed) != 3 || lines[0] != 3 || lines[1] != 4 || lines[2] != 5 || !strings.Contains(failed[0].Reason, "title") {
		t.Fatalf("failed %+v", failed)
	}
}

func TestParseMarkdownZip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, text := range map[string]string{
		"a/sections.md": "---\ntitle: \"Sections\"\ntags: cards, atm\n---\n# ignored heading\n## Issue\nIt broke.\n## Environment\nApp 5\n## Cause\nA bug\n## Resolution\nUpdate.\n",
		"b/plain.md":    "# Plain title\r\n\r\nJust do **this**.\r\n",
		"c/open.md":     "---\ntitle: never closed\n",
		"d/unknown.md":  "---\ntitle: x\ncolour: red\n---\nbody",
		"e/readme.txt":  "skipped",
	} {
		f, _ := zw.Create(name)
		f.Write([]byte(text))
	}
	zw.Close()
	rows, failed, err := articles.ParseMarkdownZip(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]articles.ImportRow{}
	for _, r := range rows {
		got[r.File] = r
	}
	s := got["a/sections.md"]
	if s.ExternalID != "a/sections" || s.Content.Title != "Sections" || s.Content.Issue != "It broke." || s.Content.Environment != "App 5" ||
		s.Content.Cause != "A bug" || s.Content.Resolution != "Update." || strings.Join(s.Content.Tags, ",") != "cards,atm" {
		t.Errorf("sections: %+v", s)
	}
	p := got["b/plain.md"]
	if p.Content.Title != "Plain title" || !strings.Contains(p.Content.Resolution, "Just do **this**.") || strings.Contains(p.Content.Resolution, "\r") {
		t.Errorf("plain: %+v", p)
	}
	if len(rows) != 2 || len(failed) != 2 {
		t.Fatalf("rows %d, failed %+v", len(rows), failed)
	}
	for _, f := range failed {
		switch f.File {
		case "c/open.md":
			if f.Line != 1 || !strings.Contains(f.Reason, "never closed") {
				t.Errorf("open front matter: %+v", f)
			}
		case "d/unknown.md":
			if f.Line != 3 || !strings.Contains(f.Reason, "colour") {
				t.Errorf("unknown key: %+v", f)
			}
		default:
			t.Errorf("unexpected failure %+v", f)
		}
	}
	if _, _, err := articles.ParseMarkdownZip([]byte("not a zip")); err == nil {
		t.Error("a body that is not a zip parsed")
	}
}
