package httpapi

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/tenantdata"
)

func init() {
	isolationFixtures["exportID"] = func(f *fixtures) string {
		var e struct{ ID string }
		f.tf.admin.in(f.t).do("POST", "/api/v1/workspace/exports", nil).want(http.StatusCreated).decode(&e)
		return e.ID
	}
}

type exportJSON struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	Percent     int    `json:"percent"`
	RowsDone    int64  `json:"rows_done"`
	RowsTotal   int64  `json:"rows_total"`
	Bytes       int64  `json:"bytes"`
	DownloadURL string `json:"download_url"`
}

// TestWorkspaceExportStreamsWithProgress downloads an export slowly: while
// the client holds back, the export's progress reads running and partial
// (the zip is written as it is read, not made first); once read, done.
func TestWorkspaceExportStreamsWithProgress(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ctx := context.Background()
			// Files that do not compress, more than the connection buffers
			// hold, so the writer must wait for the reader.
			const files, size = 12, 2 << 20
			for i := 0; i < files; i++ {
				data := make([]byte, size)
				rand.Read(data)
				att := conversation.Attachment{ID: ids.New(), Name: "scan.bin", ContentType: "application/octet-stream", Size: size}
				if err := w.db.InsertAttachment(ctx, w.A.Tenant.ID, att, data, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			admin := w.A.admin.in(t)
			var ex exportJSON
			admin.do("POST", "/api/v1/workspace/exports", nil).want(http.StatusCreated).decode(&ex)
			if ex.State != "pending" || ex.DownloadURL == "" {
				t.Fatalf("new export %+v", ex)
			}
			key := keyClient(t, w.A.admin, "admin")
			req, _ := http.NewRequest("POST", w.srv.URL+ex.DownloadURL, nil)
			req.Header.Set("Authorization", "Bearer "+key.bearer)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
				t.Fatalf("download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			head := make([]byte, 64<<10)
			if _, err := io.ReadFull(res.Body, head); err != nil {
				t.Fatal(err)
			}
			// The server is blocked writing; its progress says so.
			var mid exportJSON
			deadline := time.Now().Add(10 * time.Second)
			for {
				admin.do("GET", "/api/v1/workspace/exports/"+ex.ID, nil).want(http.StatusOK).decode(&mid)
				if mid.State == "running" && mid.RowsTotal > 0 && mid.Bytes > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if mid.State != "running" || mid.Percent >= 100 || mid.RowsDone >= mid.RowsTotal {
				t.Errorf("progress while the client holds back: %+v, want running and partial", mid)
			}
			rest, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			all := append(head, rest...)
			zr, err := zip.NewReader(bytes.NewReader(all), int64(len(all)))
			if err != nil {
				t.Fatalf("the download is not a zip: %v", err)
			}
			var got int
			for _, f := range zr.File {
				if f.Name == tenantdata.ManifestPath || len(f.Name) > 12 && f.Name[:12] == "attachments/" {
					got++
				}
			}
			if got != files+1 {
				t.Errorf("%d files and manifest in the zip, want %d", got, files+1)
			}
			var end exportJSON
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				admin.do("GET", "/api/v1/workspace/exports/"+ex.ID, nil).want(http.StatusOK).decode(&end)
				if end.State != "running" {
					break
				}
			}
			if end.State != "done" || end.Percent != 100 || end.RowsDone != end.RowsTotal || end.Bytes != int64(len(all)) {
				t.Errorf("after the download: %+v, want done, 100%%, %d bytes", end, len(all))
			}
			admin.do("POST", ex.DownloadURL, nil).wantProblem(http.StatusConflict, "conflict")
			// Tenant B neither reads nor downloads it.
			w.B.admin.in(t).do("GET", "/api/v1/workspace/exports/"+ex.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			w.B.admin.in(t).do("POST", ex.DownloadURL, nil).wantProblem(http.StatusNotFound, "not-found")
		})
	}
}

// TestWorkspaceDeletionRequestAndCancel walks the grace period through the
// API: only admins ask and cancel, after typing the slug; every user of the
// workspace sees the pending deletion, no other workspace does.
func TestWorkspaceDeletionRequestAndCancel(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)).in(t)
			type deletion struct {
				Pending      bool      `json:"pending"`
				DueAt        time.Time `json:"due_at"`
				GraceSeconds int64     `json:"grace_seconds"`
			}
			var d deletion
			agent.do("GET", "/api/v1/workspace/deletion", nil).want(http.StatusOK).decode(&d)
			if d.Pending || d.GraceSeconds != int64(tenantdata.DefaultGrace/time.Second) {
				t.Fatalf("before any request: %+v", d)
			}
			agent.do("POST", "/api/v1/workspace/deletion", map[string]any{"confirm": "tenant-a"}).wantProblem(http.StatusForbidden, "forbidden")
			agent.do("POST", "/api/v1/workspace/exports", nil).wantProblem(http.StatusForbidden, "forbidden")
			admin.do("POST", "/api/v1/workspace/deletion", map[string]any{"confirm": "tenant-b"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			admin.do("POST", "/api/v1/workspace/deletion", map[string]any{"confirm": "tenant-a"}).want(http.StatusCreated).decode(&d)
			if !d.Pending || d.DueAt.Sub(time.Now()) < tenantdata.DefaultGrace-time.Minute {
				t.Fatalf("after the request: %+v", d)
			}
			admin.do("POST", "/api/v1/workspace/deletion", map[string]any{"confirm": "tenant-a"}).wantProblem(http.StatusConflict, "conflict")
			agent.do("GET", "/api/v1/workspace/deletion", nil).want(http.StatusOK).decode(&d)
			if !d.Pending {
				t.Error("the agent does not see the pending deletion")
			}
			w.B.admin.in(t).do("GET", "/api/v1/workspace/deletion", nil).want(http.StatusOK).decode(&d)
			if d.Pending {
				t.Error("tenant B sees tenant A's pending deletion")
			}
			w.B.admin.in(t).do("DELETE", "/api/v1/workspace/deletion", nil).wantProblem(http.StatusNotFound, "not-found")
			agent.do("DELETE", "/api/v1/workspace/deletion", nil).wantProblem(http.StatusForbidden, "forbidden")
			admin.do("DELETE", "/api/v1/workspace/deletion", nil).want(http.StatusNoContent)
			agent.do("GET", "/api/v1/workspace/deletion", nil).want(http.StatusOK).decode(&d)
			if d.Pending {
				t.Error("still pending after the cancel")
			}
			var audit struct{ Items []struct{ Action string } }
			admin.do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&audit)
			var actions []string
			for _, a := range audit.Items {
				actions = append(actions, a.Action)
			}
			if !containsAll(actions, "workspace.deletion_request", "workspace.deletion_cancel") {
				t.Errorf("audit log %v lacks the request and the cancel", actions)
			}
		})
	}
}

func containsAll(have []string, want ...string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}
