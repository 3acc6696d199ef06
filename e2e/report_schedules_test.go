package e2e

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// Issue 16's scheduled reports in Chromium against the demo: a supervisor
// creates a schedule on the Reports page and presses "send now"; the mail
// reaches the real SMTP relay the node is given, once per recipient, with
// the figures as text and HTML, a link to the Reports page, and every table
// attached as CSV.
func TestBrowserReportSchedules(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	relay := smtpsink.Start(t)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_SMTP_FROM=desk@northwind.example"}})
	out := runScript(t, chromium, "report-schedules.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword, "--name", "Weekly overview")
	if !strings.Contains(out, "PASS report-schedules") {
		t.Fatalf("script output does not end with PASS report-schedules")
	}
	var to []string
	for range 2 {
		msg, ok := centerMail(relay, 20*time.Second)
		if !ok {
			t.Fatalf("only %d report mails reached the relay", len(to))
		}
		to = append(to, msg.To...)
		checkReportMail(t, msg.Data, n.URL)
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"area.manager@example.com", "supervisor@northwind.example"}) {
		t.Fatalf("report mailed to %v", to)
	}
}

// checkReportMail takes a report mail apart as a mail reader does.
func checkReportMail(t *testing.T, raw []byte, base string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.HasPrefix(subject, "[sent now] Weekly overview: ") {
		t.Errorf("subject %q", subject)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	csvs := map[string][]byte{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		typ, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if typ == "multipart/alternative" {
			ar := multipart.NewReader(p, pp["boundary"])
			q, err := ar.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(q)
			text = string(b)
			continue
		}
		b, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
		csvs[p.FileName()] = b
	}
	if !strings.Contains(text, "Conversations") || !strings.Contains(text, base+"/admin/reports?from=") || !strings.Contains(text, "tz=Europe%2FLisbon") {
		t.Errorf("text body:\n%s", text)
	}
	var summary []byte
	for name, b := range csvs {
		if strings.HasPrefix(name, "report-summary-") {
			summary = b
		}
	}
	if len(csvs) < 6 || !bytes.HasPrefix(summary, []byte("\uFEFFfigure,current (")) || !bytes.Contains(summary, []byte("\r\nconversations,")) {
		t.Errorf("attachments %d; summary %q", len(csvs), summary)
	}
}
