package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/smtp"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// inboundMark is how an inbound message of the load names itself in its body.
var inboundMark = regexp.MustCompile(`\[chaos:([a-z]+-[0-9-]+)\]`)

// load is the chaos test's traffic: customers on three channels, a business
// system raising notices, agents taking offers. Every client spreads over the
// live nodes and moves to another when its node dies, as behind a load
// balancer.
type load struct {
	f     *fleet
	admin http.CookieJar // the admin's session, for the API channel and notices

	mu    sync.Mutex
	acked map[string]string // inbound marker → channel, once its sender was told "stored"
	sent  map[string]bool   // inbound markers sent at least once

	notices     map[string]int // event reference → recipients, once 202 came back
	noticeSlice int
	personas    int

	retries atomic.Int64 // requests sent again on another node after a failure
}

func newLoad(f *fleet, admin http.CookieJar, personas, slice int) *load {
	return &load{f: f, admin: admin, acked: map[string]string{}, sent: map[string]bool{}, notices: map[string]int{},
		personas: personas, noticeSlice: slice}
}

func (l *load) markSent(marker string) {
	l.mu.Lock()
	l.sent[marker] = true
	l.mu.Unlock()
}

func (l *load) ack(channel, marker string) {
	l.mu.Lock()
	l.acked[marker] = channel
	l.mu.Unlock()
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// visitor is one web chat customer: a session, a socket on a live node, a
// message at a time, each sent again (same client_id) on another node until
// it is acknowledged.
func (l *load) visitor(ctx context.Context, v int, every time.Duration) {
	hc := &http.Client{Timeout: 10 * time.Second}
	var token string
	for token == "" && ctx.Err() == nil {
		n := l.f.pick()
		body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("Visitor %d", v)})
		resp, err := hc.Post(n.URL+"/channels/webchat/wk_northwind_demo/session", "application/json", bytes.NewReader(body))
		if err != nil {
			pause(ctx, 200*time.Millisecond)
			continue
		}
		var sess struct {
			VisitorToken string `json:"visitor_token"`
		}
		json.NewDecoder(resp.Body).Decode(&sess)
		resp.Body.Close()
		token = sess.VisitorToken
	}
	var ws *websocket.Conn
	defer func() {
		if ws != nil {
			ws.CloseNow()
		}
	}()
	for i := 0; ctx.Err() == nil; i++ {
		marker := fmt.Sprintf("chat-%d-%d", v, i)
		l.markSent(marker)
		for try := 0; ctx.Err() == nil; try++ {
			if try > 0 {
				l.retries.Add(1)
			}
			if ws == nil {
				n := l.f.pick()
				dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				c, _, err := websocket.Dial(dctx, strings.Replace(n.URL, "http", "ws", 1)+"/channels/webchat/wk_northwind_demo/socket?token="+token, nil)
				cancel()
				if err != nil {
					pause(ctx, 200*time.Millisecond)
					continue
				}
				ws = c
			}
			if l.sendChat(ws, marker) {
				l.ack("chat", marker)
				break
			}
			ws.CloseNow()
			ws = nil
		}
		pause(ctx, every)
	}
}

// sendChat writes one chat message and reads up to its ack.
func (l *load) sendChat(ws *websocket.Conn, marker string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if wsjson.Write(ctx, ws, map[string]any{"type": "message", "client_id": marker, "body": "Question [chaos:" + marker + "]"}) != nil {
		return false
	}
	for {
		var f struct {
			Type     string `json:"type"`
			ClientID string `json:"client_id"`
		}
		if wsjson.Read(ctx, ws, &f) != nil {
			return false
		}
		if f.Type == "ack" && f.ClientID == marker {
			return true
		}
	}
}

// mailer sends customers' mail to the live nodes' SMTP listeners, each mail
// again (same Message-ID) to another node until one answers 250.
func (l *load) mailer(ctx context.Context, every time.Duration) {
	for i := 0; ctx.Err() == nil; i++ {
		marker := fmt.Sprintf("mail-%d", i)
		from := fmt.Sprintf("writer%d@mail.example", i%25)
		msg := "From: Writer <" + from + ">\r\nTo: support@northwind.example\r\nSubject: Question " + marker +
			"\r\nMessage-ID: <chaos-" + marker + "@mail.example>\r\n\r\nPlease help [chaos:" + marker + "].\r\n"
		l.markSent(marker)
		for try := 0; ctx.Err() == nil; try++ {
			if try > 0 {
				l.retries.Add(1)
				pause(ctx, 100*time.Millisecond)
			}
			if sendMail(l.f.pick().SMTP, from, "support@northwind.example", msg) == nil {
				l.ack("mail", marker)
				break
			}
		}
		pause(ctx, every)
	}
}

// sendMail is net/smtp's SendMail with a deadline, so a node that dies
// mid-session fails the send rather than hanging it.
func sendMail(addr, from, to, msg string) error {
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		return err
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// apiWriter posts API-channel messages as a business system would, each
// again (same external_id) to another node until one answers 201.
func (l *load) apiWriter(ctx context.Context, w int, every time.Duration) {
	hc := &http.Client{Jar: l.admin, Timeout: 10 * time.Second}
	for i := 0; ctx.Err() == nil; i++ {
		marker := fmt.Sprintf("api-%d-%d", w, i)
		body, _ := json.Marshal(map[string]any{"from": map[string]string{"kind": "external", "value": fmt.Sprintf("crm-%d-%d", w, i%15)},
			"external_id": marker, "body": "Order [chaos:" + marker + "]"})
		l.markSent(marker)
		for try := 0; ctx.Err() == nil; try++ {
			if try > 0 {
				l.retries.Add(1)
				pause(ctx, 100*time.Millisecond)
			}
			status, _ := post(hc, l.f.pick().URL+"/api/v1/channels/api/messages", body, nil)
			if status == http.StatusCreated {
				l.ack("api", marker)
				break
			}
		}
		pause(ctx, every)
	}
}

// post sends a JSON POST and returns the status (0 when no answer came).
func post(hc *http.Client, url string, body []byte, header http.Header) (int, []byte) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// notifier raises a notice event to the next slice of the audience every
// period, with an Idempotency-Key, sent again to another node until one
// answers 202.
func (l *load) notifier(ctx context.Context, every time.Duration) {
	hc := &http.Client{Jar: l.admin, Timeout: 30 * time.Second}
	for k := 0; ctx.Err() == nil; k++ {
		ref := fmt.Sprintf("ev-%d", k)
		var recipients []map[string]any
		for j := range l.noticeSlice {
			i := (k*l.noticeSlice + j) % l.personas
			recipients = append(recipients, map[string]any{"to": map[string]string{"email": audienceEmail(i)}})
		}
		body, _ := json.Marshal(map[string]any{"type": chaosNoticeType, "recipients": recipients, "data": map[string]string{"ref": ref}})
		for try := 0; ctx.Err() == nil; try++ {
			if try > 0 {
				l.retries.Add(1)
				pause(ctx, 100*time.Millisecond)
			}
			status, _ := post(hc, l.f.pick().URL+"/api/v1/notifications/events", body, http.Header{"Idempotency-Key": {"chaos-" + ref}})
			if status == http.StatusAccepted {
				l.mu.Lock()
				l.notices[ref] = len(recipients)
				l.mu.Unlock()
				break
			}
		}
		pause(ctx, every)
	}
}

// chaosNoticeType is the notice type the load raises; its texts carry the
// event's reference for the peers to count.
const chaosNoticeType = "chaos.alert"

func audienceEmail(i int) string { return fmt.Sprintf("p%07d@audience.example", i) }
func audiencePhone(i int) string { return fmt.Sprintf("+1556%07d", i) }

// newJar returns an empty cookie jar.
func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}
