package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// A backup is taken with `switchboard backup` while a serving node takes chat
// and API messages as fast as they come; it is restored with `switchboard
// restore` into a new data directory and a node is started on it. Every message
// acknowledged before the backup began is there, and the restored database
// passes PRAGMA integrity_check. Restoring over the serving node's data, or
// into a directory that is not empty, is refused and changes nothing.
func TestBackupUnderLoadRestores(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	n := startNode(t, nodeOptions{DataDir: data, Demo: true})
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")

	ctx, stop := context.WithCancel(context.Background())
	var chat, api acked
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); chatLoad(ctx, t, c, n.URL, &chat) }()
	go func() { defer wg.Done(); apiLoad(ctx, c, n.URL, &api) }()
	pollUntil(t, "both streams acknowledged messages", func() bool { return len(chat.all()) >= 20 && len(api.all()) >= 20 })

	before := map[string][]string{"chat": chat.all(), "api": api.all()}
	out := filepath.Join(t.TempDir(), "backup")
	stdout, stderr := runSwitchboard(t, 0, "backup", "--data", data, "--out", out)
	if !strings.Contains(stdout, "backed up") || !strings.Contains(stderr, "copy database: 100%") {
		t.Errorf("backup said:\n%s\n%s", stdout, stderr)
	}
	during := len(chat.all()) + len(api.all()) - len(before["chat"]) - len(before["api"])
	stop()
	wg.Wait()
	if during == 0 {
		t.Errorf("no message was acknowledged while the backup ran; the test did not test a backup under load")
	}
	t.Logf("%d chat and %d api messages acknowledged before the backup, %d while it ran", len(before["chat"]), len(before["api"]), during)

	// Refusals first: a running node's data, then a directory with something in it.
	_, stderr = runSwitchboard(t, 1, "restore", "--from", out, "--data", data, "--force")
	if !strings.Contains(stderr, "open in a running node") {
		t.Errorf("restore over the serving node's data: %s", stderr)
	}
	busy := t.TempDir()
	os.WriteFile(filepath.Join(busy, "keep.txt"), []byte("mine"), 0o600)
	_, stderr = runSwitchboard(t, 1, "restore", "--from", out, "--data", busy)
	if !strings.Contains(stderr, "keep.txt") || !strings.Contains(stderr, "--force") {
		t.Errorf("restore into a directory that is not empty: %s", stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(busy, "keep.txt")); string(got) != "mine" {
		t.Errorf("a refused restore touched the directory")
	}
	// PostgreSQL has tools of its own; the commands say which, touching nothing.
	for _, cmd := range [][]string{{"backup", "--out", filepath.Join(t.TempDir(), "pg")}, {"restore", "--from", out}} {
		_, stderr = runSwitchboard(t, 1, append(cmd, "--db", "postgres://nobody@127.0.0.1:1/none")...)
		if !strings.Contains(stderr, "pg_dump") || !strings.Contains(stderr, "docs/backups.md") {
			t.Errorf("%s on PostgreSQL: %s", cmd[0], stderr)
		}
	}
	n.Stop()

	restored := filepath.Join(t.TempDir(), "restored")
	stdout, _ = runSwitchboard(t, 0, "restore", "--from", out, "--data", restored)
	if !strings.Contains(stdout, "restored the backup") {
		t.Errorf("restore said: %s", stdout)
	}
	db := openSQLite(t, restored)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the restored database: %q, %v", check, err)
	}
	db.Close()

	m := startNode(t, nodeOptions{DataDir: restored})
	c = newClient(t, m.URL)
	c.login("admin@northwind.example")
	stored := storedWords(t, c)
	for name, markers := range before {
		for _, mk := range markers {
			if !stored[mk] {
				t.Errorf("%s message %s was acknowledged before the backup began but is not in the restored center", name, mk)
			}
		}
	}
}

// runSwitchboard runs the binary with args, fails the test unless it exits with
// code, and returns what it printed.
func runSwitchboard(t *testing.T, code int, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if got := cmd.ProcessState.ExitCode(); got != code {
		t.Fatalf("switchboard %s: exit code %d (%v), want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, err, code, o.String(), e.String())
	}
	return o.String(), e.String()
}

// chatLoad sends web chat messages one after another, each after the last
// one's ack, until ctx ends.
func chatLoad(ctx context.Context, t *testing.T, c *client, base string, got *acked) {
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	c.do("POST", "/channels/webchat/wk_northwind_demo/session", map[string]any{"name": "Bea Backup"}, 200, &sess)
	ws, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/channels/webchat/wk_northwind_demo/socket?token="+sess.VisitorToken, nil)
	if err != nil {
		t.Errorf("chat socket: %v", err)
		return
	}
	defer ws.CloseNow()
	for i := 0; ctx.Err() == nil; i++ {
		marker := fmt.Sprintf("bkchat-%d", i)
		if wsjson.Write(ctx, ws, map[string]any{"type": "message", "client_id": marker, "body": "Question " + marker}) != nil {
			return
		}
		for {
			var f struct {
				Type     string `json:"type"`
				ClientID string `json:"client_id"`
			}
			if wsjson.Read(ctx, ws, &f) != nil {
				return
			}
			if f.Type == "ack" && f.ClientID == marker {
				got.add(marker)
				break
			}
		}
	}
}

// apiLoad posts messages to the API channel until ctx ends; a 201 is an ack.
func apiLoad(ctx context.Context, c *client, base string, got *acked) {
	for i := 0; ctx.Err() == nil; i++ {
		marker := fmt.Sprintf("bkapi-%d", i)
		body, _ := json.Marshal(map[string]any{"from": map[string]string{"kind": "external", "value": "crm-backup"}, "external_id": marker, "body": "Order " + marker})
		req, err := newJSONRequest(ctx, base+"/api/v1/channels/api/messages", body)
		if err != nil {
			return
		}
		resp, err := c.http.Do(req)
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == 201 {
			got.add(marker)
		}
	}
}

// storedWords returns every word of every message in every conversation the
// client's tenant has.
func storedWords(t *testing.T, c *client) map[string]bool {
	t.Helper()
	stored := map[string]bool{}
	convCursor := ""
	for {
		var convs struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		c.do("GET", "/api/v1/conversations?limit=100&cursor="+convCursor, nil, 200, &convs)
		for _, cv := range convs.Items {
			cursor := ""
			for {
				var page struct {
					Items []struct {
						Body string `json:"body"`
					} `json:"items"`
					NextCursor string `json:"next_cursor"`
				}
				c.do("GET", "/api/v1/conversations/"+cv.ID+"/messages?limit=100&cursor="+cursor, nil, 200, &page)
				for _, m := range page.Items {
					for _, w := range strings.Fields(m.Body) {
						stored[strings.TrimSuffix(w, ".")] = true
					}
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
		}
		if convs.NextCursor == "" {
			return stored
		}
		convCursor = convs.NextCursor
	}
}

// pollUntil polls cond until it holds, failing the test after a minute.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
