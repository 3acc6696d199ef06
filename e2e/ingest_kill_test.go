package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// acked collects the markers of messages whose sender was told "stored".
type acked struct {
	mu   sync.Mutex
	seen []string
}

func (a *acked) add(m string) {
	a.mu.Lock()
	a.seen = append(a.seen, m)
	a.mu.Unlock()
}

func (a *acked) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

// Customers write over three channels at once — mail to the SMTP listener (Go's
// net/smtp client), the web chat socket, and the API channel — and the node is
// killed with SIGKILL in the middle. After a restart, every message a sender
// had been told was accepted (250 after DATA, a chat ack, a 201) is in its
// conversation: nothing acknowledged is lost.
func TestInboundSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	n := startNode(t, nodeOptions{Demo: true})
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")

	var mail, chat, api acked
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // mail
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			marker := fmt.Sprintf("mail-%d", i)
			msg := "From: Kim Lee <kim@example.com>\r\nTo: support@northwind.example\r\nSubject: Statement " + marker +
				"\r\nMessage-ID: <" + marker + "@example.com>\r\n\r\nPlease resend " + marker + ".\r\n"
			if smtp.SendMail(n.SMTP, nil, "kim@example.com", []string{"support@northwind.example"}, []byte(msg)) == nil {
				mail.add(marker)
			}
		}
	}()
	go func() { // web chat
		defer wg.Done()
		var sess struct {
			VisitorToken string `json:"visitor_token"`
		}
		c.do("POST", "/channels/webchat/wk_northwind_demo/session", map[string]any{"name": "Vera Visitor"}, 200, &sess)
		ws, _, err := websocket.Dial(ctx, strings.Replace(n.URL, "http", "ws", 1)+"/channels/webchat/wk_northwind_demo/socket?token="+sess.VisitorToken, nil)
		if err != nil {
			t.Errorf("chat socket: %v", err)
			return
		}
		defer ws.CloseNow()
		for i := 0; ctx.Err() == nil; i++ {
			marker := fmt.Sprintf("chat-%d", i)
			if wsjson.Write(ctx, ws, map[string]any{"type": "message", "client_id": marker, "body": "Question " + marker}) != nil {
				return
			}
			for { // read up to this message's ack
				var f struct {
					Type     string `json:"type"`
					ClientID string `json:"client_id"`
				}
				if wsjson.Read(ctx, ws, &f) != nil {
					return
				}
				if f.Type == "ack" && f.ClientID == marker {
					chat.add(marker)
					break
				}
			}
		}
	}()
	go func() { // API channel
		defer wg.Done()
		api1 := newClient(t, n.URL)
		api1.http.Timeout = 5 * time.Second
		api1.http.Jar = c.http.Jar
		for i := 0; ctx.Err() == nil; i++ {
			marker := fmt.Sprintf("api-%d", i)
			body, _ := json.Marshal(map[string]any{"from": map[string]string{"kind": "external", "value": "crm-77"}, "external_id": marker, "body": "Order " + marker})
			req, _ := newJSONRequest(ctx, n.URL+"/api/v1/channels/api/messages", body)
			resp, err := api1.http.Do(req)
			if err != nil {
				continue
			}
			resp.Body.Close()
			if resp.StatusCode == 201 {
				api.add(marker)
			}
		}
	}()
	// Let every stream get going, then kill the node under load.
	deadline := time.Now().Add(60 * time.Second)
	for len(mail.all()) < 5 || len(chat.all()) < 5 || len(api.all()) < 5 {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("streams did not start: mail %d, chat %d, api %d acknowledged", len(mail.all()), len(chat.all()), len(api.all()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	n.Kill()
	stop()
	wg.Wait()
	n.Restart()

	c = newClient(t, n.URL)
	c.login("admin@northwind.example")
	stored := map[string]bool{}
	var convs struct {
		Items []struct{ ID string }
	}
	c.do("GET", "/api/v1/conversations?limit=100", nil, 200, &convs)
	for _, cv := range convs.Items {
		cursor := ""
		for {
			var page struct {
				Items      []struct{ Body string }
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
	for name, a := range map[string]*acked{"mail": &mail, "chat": &chat, "api": &api} {
		for _, m := range a.all() {
			if !stored[m] {
				t.Errorf("%s message %s was acknowledged before the SIGKILL but is not stored after the restart", name, m)
			}
		}
		t.Logf("%s: %d acknowledged messages, all stored", name, len(a.all()))
	}
}

func newJSONRequest(ctx context.Context, url string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}
