package httpapi

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type importResult struct {
	Imported, Updated, Unchanged int
	Failed                       []struct {
		Line   int
		File   string
		Reason string
	}
}

func ndjson(lines ...string) rawBody {
	return rawBody{contentType: "application/x-ndjson", data: []byte(strings.Join(lines, "\n") + "\n")}
}

// TestKnowledgeImport imports JSON lines and a Markdown zip on both engines:
// broken rows are reported with their line and reason while the rest is
// imported, a repeated import changes nothing, and tenant B's import of the
// same external ids never touches tenant A's articles.
func TestKnowledgeImport(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testKnowledgeImport(t, newWorld(t, withEngine(e)))
		})
	}
}

func testKnowledgeImport(t *testing.T, w *world) {
	const path = "/api/v1/knowledge/imports/articles"
	body := ndjson(
		`{"external_id":"kb-1","title":"Card blocked","issue":"My card is blocked","resolution":"Unblock it in the app","audience":"both","tags":["cards"],"state":"published"}`,
		`{"external_id":"kb-2","title":"Change your address","resolution":"Settings → Profile → Address"}`,
		``,
		`{"external_id":"kb-3","title":"Broken line"`,
		`{"external_id":"kb-4","resolution":"no title"}`,
		`{"external_id":"kb-5","title":"Huge","resolution":"`+strings.Repeat("x", 201<<10)+`"}`,
		`{"external_id":"kb-6","title":"Unknown field","colour":"red"}`,
		`{"title":"No external id"}`,
		`{"external_id":"kb-7","title":"Fees for international transfers","resolution":"0.5 %, at least 5 EUR","state":"validated"}`,
	)
	var res importResult
	w.A.admin.do("POST", path, body).want(http.StatusOK).decode(&res)
	if res.Imported != 3 || res.Updated != 0 || res.Unchanged != 0 {
		t.Fatalf("first import: %+v", res)
	}
	wantLines := map[int]string{4: "malformed JSON", 5: "title", 6: "larger than", 7: "colour", 8: "external_id"}
	if len(res.Failed) != len(wantLines) {
		t.Fatalf("failed rows %+v, want lines 4-8", res.Failed)
	}
	for _, f := range res.Failed {
		if want, ok := wantLines[f.Line]; !ok || !strings.Contains(f.Reason, want) {
			t.Errorf("line %d failed with %q, want a reason naming %q", f.Line, f.Reason, wantLines[f.Line])
		}
	}
	var list struct{ Items []articleJSON }
	w.A.admin.do("GET", "/api/v1/knowledge/articles?state=published", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 1 || list.Items[0].Title != "Card blocked" || list.Items[0].PublishedAt == nil {
		t.Fatalf("published after import: %+v", list.Items)
	}

	// Again: nothing changes. One line changed: one update, a new version.
	w.A.admin.do("POST", path, body).want(http.StatusOK).decode(&res)
	if res.Imported != 0 || res.Updated != 0 || res.Unchanged != 3 || len(res.Failed) != 5 {
		t.Fatalf("repeated import: %+v", res)
	}
	w.A.admin.do("POST", path, ndjson(`{"external_id":"kb-2","title":"Change your address","resolution":"Settings → Profile → Address, then confirm by SMS"}`)).
		want(http.StatusOK).decode(&res)
	if res.Updated != 1 {
		t.Fatalf("changed import: %+v", res)
	}
	var versions struct{ Items []struct{ Version int } }
	w.A.admin.do("GET", "/api/v1/knowledge/articles?tag=", nil).want(http.StatusOK)
	w.A.admin.do("GET", "/api/v1/knowledge/articles", nil).want(http.StatusOK).decode(&list)
	for _, a := range list.Items {
		if a.Title == "Change your address" {
			w.A.admin.do("GET", "/api/v1/knowledge/articles/"+a.ID+"/versions", nil).want(http.StatusOK).decode(&versions)
			if len(versions.Items) != 2 {
				t.Errorf("versions after the changed import: %+v", versions.Items)
			}
		}
	}

	// Tenant B imports the same external ids: its own articles, A's untouched.
	w.B.admin.do("POST", path, ndjson(`{"external_id":"kb-1","title":"B's own article","resolution":"B"}`)).want(http.StatusOK).decode(&res)
	if res.Imported != 1 {
		t.Fatalf("tenant B's import: %+v", res)
	}
	w.A.admin.do("GET", "/api/v1/knowledge/articles", nil).want(http.StatusOK).decode(&list)
	for _, a := range list.Items {
		if a.Title == "B's own article" {
			t.Errorf("tenant B's import shows in tenant A: %+v", a)
		}
	}
	if len(list.Items) != 3 {
		t.Errorf("tenant A has %d articles, want 3", len(list.Items))
	}

	// A zip of Markdown files; a broken front matter names its file and line.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, text := range map[string]string{
		"cards/atm-kept-card.md": "---\ntitle: The ATM kept my card\nexternal_id: md-1\naudience: customers\ntags: [cards, atm]\nstate: published\n---\n" +
			"## Issue\nThe cash machine swallowed my card.\n\n## Cause\nThe card was left in the slot too long.\n\n## Resolution\nBlock it in the app and order a new one.\n",
		"online/reset-password.md": "# Reset your online banking password\n\nUse **Forgot password** on the sign-in page.\n",
		"broken.md":                "---\ntitle: Broken\nthis line has no colon\n---\nbody\n",
		"notes.txt":                "not an article",
	} {
		f, _ := zw.Create(name)
		f.Write([]byte(text))
	}
	zw.Close()
	zipBody := rawBody{contentType: "application/zip", data: zbuf.Bytes()}
	w.A.admin.do("POST", path, zipBody).want(http.StatusOK).decode(&res)
	if res.Imported != 2 || len(res.Failed) != 1 || res.Failed[0].File != "broken.md" || res.Failed[0].Line != 3 {
		t.Fatalf("zip import: %+v", res)
	}
	var art struct {
		Title, Issue, Cause, Resolution, State string
	}
	w.A.admin.do("GET", "/api/v1/knowledge/articles?tag=atm", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 1 {
		t.Fatalf("articles tagged atm: %+v", list.Items)
	}
	w.A.admin.do("GET", "/api/v1/knowledge/articles/"+list.Items[0].ID, nil).want(http.StatusOK).decode(&art)
	if art.Issue != "The cash machine swallowed my card." || art.Cause == "" || !strings.HasPrefix(art.Resolution, "Block it") || art.State != "published" {
		t.Errorf("imported Markdown sections: %+v", art)
	}
	w.A.admin.do("POST", path, zipBody).want(http.StatusOK).decode(&res)
	if res.Imported != 0 || res.Unchanged != 2 {
		t.Fatalf("repeated zip import: %+v", res)
	}

	// Only publishers import; other bodies are refused.
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
	agent.do("POST", path, body).wantProblem(http.StatusForbidden, "forbidden")
	w.A.admin.do("POST", path, rawBody{contentType: "text/csv", data: []byte("a,b")}, outsideSpec).
		wantProblem(http.StatusUnsupportedMediaType, "unsupported-media-type")
	w.A.admin.do("POST", path, rawBody{contentType: "application/zip", data: []byte("not a zip")}).
		wantProblem(http.StatusUnprocessableEntity, "validation")
}
