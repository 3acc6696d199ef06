package articles

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// The two formats articles are imported in: JSON lines (one article per
// line) and a zip of Markdown files with a front matter. Parsing is pure;
// Import stores what parsed.

// ImportRow is one article to import, and where it came from.
type ImportRow struct {
	Line int    // 1-based line of the JSON lines body, or of the Markdown file
	File string // the Markdown file's path in the zip; empty for JSON lines
	// ExternalID keys the article across imports.
	ExternalID string
	Content    knowledge.Content
	State      knowledge.State // empty keeps an existing article's, wip for a new one
}

// ImportFailure is a row that was not imported, and why.
type ImportFailure struct {
	Line   int    `json:"line"`
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported  int             `json:"imported"`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Failed    []ImportFailure `json:"failed"`
}

// MaxImportRows bounds the articles of one import.
const MaxImportRows = 10000

// jsonRow is one line of a JSON lines import.
type jsonRow struct {
	ExternalID string `json:"external_id"`
	knowledge.Content
	State knowledge.State `json:"state"`
}

// ParseJSONLines reads one article per line; blank lines are skipped, and a
// line that is not an article is a failure naming its line.
func ParseJSONLines(r io.Reader) ([]ImportRow, []ImportFailure, error) {
	var rows []ImportRow
	var failed []ImportFailure
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4*MaxArticleBytes)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(rows)+len(failed) >= MaxImportRows {
			return nil, nil, fmt.Errorf("%w: more than %d articles in one import", knowledge.ErrTooLarge, MaxImportRows)
		}
		var jr jsonRow
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&jr); err != nil {
			failed = append(failed, ImportFailure{Line: n, Reason: "not an article object: " + jsonReason(err)})
			continue
		}
		if dec.More() {
			failed = append(failed, ImportFailure{Line: n, Reason: "more than one JSON value on the line"})
			continue
		}
		rows = append(rows, ImportRow{Line: n, ExternalID: jr.ExternalID, Content: jr.Content, State: jr.State})
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, nil, fmt.Errorf("%w: a line is longer than %d bytes", knowledge.ErrTooLarge, 4*MaxArticleBytes)
		}
		return nil, nil, fmt.Errorf("read import: %w", err)
	}
	return rows, failed, nil
}

func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case asErr(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case asErr(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the object is not closed"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// maxZipBytes bounds what a zip may unpack to, against zip bombs.
const maxZipBytes = 64 << 20

// ParseMarkdownZip reads every .md file of a zip: a front matter between
// lines of "---" (title, external_id, audience, locale, tags, category,
// state), then the body: the resolution, or "## Issue", "## Environment",
// "## Cause" and "## Resolution" sections. A file without external_id is
// keyed by its path, so importing the same zip again is idempotent.
func ParseMarkdownZip(data []byte) ([]ImportRow, []ImportFailure, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fieldError("body", "is not a zip archive")
	}
	var rows []ImportRow
	var failed []ImportFailure
	var total int64
	for _, f := range zr.File {
		name := f.Name
		if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(name), ".md") || strings.HasPrefix(name, "__MACOSX/") ||
			strings.HasPrefix(path.Base(name), ".") {
			continue
		}
		if len(rows)+len(failed) >= MaxImportRows {
			return nil, nil, fmt.Errorf("%w: more than %d articles in one import", knowledge.ErrTooLarge, MaxImportRows)
		}
		rc, err := f.Open()
		if err != nil {
			failed = append(failed, ImportFailure{Line: 1, File: name, Reason: "cannot be unpacked: " + err.Error()})
			continue
		}
		body, err := io.ReadAll(io.LimitReader(rc, 2*MaxArticleBytes+1))
		rc.Close()
		if err != nil {
			failed = append(failed, ImportFailure{Line: 1, File: name, Reason: "cannot be unpacked: " + err.Error()})
			continue
		}
		if total += int64(len(body)); total > maxZipBytes {
			return nil, nil, fmt.Errorf("%w: the zip unpacks to more than %d bytes", knowledge.ErrTooLarge, maxZipBytes)
		}
		if len(body) > 2*MaxArticleBytes {
			failed = append(failed, ImportFailure{Line: 1, File: name, Reason: fmt.Sprintf("larger than %d bytes", MaxArticleBytes)})
			continue
		}
		row, fail := parseMarkdown(name, string(body))
		if fail != nil {
			failed = append(failed, *fail)
			continue
		}
		rows = append(rows, row)
	}
	return rows, failed, nil
}

// parseMarkdown reads one Markdown article.
func parseMarkdown(name, text string) (ImportRow, *ImportFailure) {
	row := ImportRow{Line: 1, File: name, ExternalID: strings.TrimSuffix(name, path.Ext(name))}
	text = strings.ReplaceAll(strings.TrimPrefix(text, "\uFEFF"), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	bodyFrom := 0
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "---" {
		end := -1
		for i := 1; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "---" {
				end = i
				break
			}
		}
		if end < 0 {
			return row, &ImportFailure{Line: 1, File: name, Reason: "the front matter opened with --- is never closed"}
		}
		for i := 1; i < end; i++ {
			l := strings.TrimSpace(lines[i])
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			key, val, ok := strings.Cut(l, ":")
			if !ok {
				return row, &ImportFailure{Line: i + 1, File: name, Reason: "front matter line is not key: value"}
			}
			key, val = strings.ToLower(strings.TrimSpace(key)), unquote(strings.TrimSpace(val))
			switch key {
			case "title":
				row.Content.Title = val
			case "external_id":
				row.ExternalID = val
			case "audience":
				row.Content.Audience = knowledge.Audience(val)
			case "locale":
				row.Content.Locale = val
			case "category":
				row.Content.Category = val
			case "state":
				row.State = knowledge.State(val)
			case "tags":
				row.Content.Tags = splitList(val)
			case "products":
				row.Content.Products = splitList(val)
			default:
				return row, &ImportFailure{Line: i + 1, File: name, Reason: fmt.Sprintf("unknown front matter key %q", key)}
			}
		}
		bodyFrom = end + 1
	}
	body := strings.Join(lines[bodyFrom:], "\n")
	sections := map[string]*string{"issue": &row.Content.Issue, "environment": &row.Content.Environment,
		"cause": &row.Content.Cause, "resolution": &row.Content.Resolution}
	var current *string
	found := false
	for _, l := range strings.Split(body, "\n") {
		if h, ok := strings.CutPrefix(strings.TrimSpace(l), "## "); ok {
			if dst, ok := sections[strings.ToLower(strings.TrimSpace(h))]; ok {
				current, found = dst, true
				continue
			}
		}
		if current != nil {
			*current += l + "\n"
		}
	}
	if !found {
		row.Content.Resolution = body
	}
	for _, dst := range sections {
		*dst = strings.TrimSpace(*dst)
	}
	if row.Content.Title == "" {
		// A first-level heading names the article when the front matter does not.
		for _, l := range strings.Split(body, "\n") {
			if h, ok := strings.CutPrefix(strings.TrimSpace(l), "# "); ok {
				row.Content.Title = strings.TrimSpace(h)
				break
			}
		}
	}
	return row, nil
}

// splitList reads "[a, b]" or "a, b".
func splitList(v string) []string {
	v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "["), "]")
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = unquote(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}
