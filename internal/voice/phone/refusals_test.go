package phone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// invite is a hand-written INVITE to number at addr with body as SDP.
func invite(addr, number, body string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INVITE sip:%s@%s SIP/2.0\r\n", number, addr)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK%d\r\n", time.Now().UnixNano())
	b.WriteString("Max-Forwards: 70\r\nFrom: <sip:+15550113@127.0.0.1>;tag=abc\r\n")
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\nCall-ID: raw-%d\r\nCSeq: 1 INVITE\r\n", number, addr, time.Now().UnixNano())
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

// status sends msg over UDP and returns the first final response's status
// line.
func status(t *testing.T, addr, msg string) string {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(wait))
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no answer to %q: %v", strings.SplitN(msg, "\r\n", 2)[0], err)
		}
		first := strings.SplitN(string(buf[:n]), "\r\n", 2)[0]
		if !strings.HasPrefix(first, "SIP/2.0 1") {
			return first
		}
	}
}

const g729Only = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"

// TestPhoneRefusals: what the wired path cannot take is answered with a
// clear SIP status before anything is stored — an unknown number 404, an
// INVITE without Contact 400, an offer without PCMU/PCMA 488, a datagram
// that is not SIP nothing (and the server goes on serving) — and no
// conversation, call or routing work is left behind.
func TestPhoneRefusals(t *testing.T) {
	c := newCenter(t)
	c.menuTrunk(t)
	addr := c.app.SIP.UDPAddr()
	contact := "Contact: <sip:caller@127.0.0.1:9>"

	if got := status(t, addr, invite(addr, "+15550999", g729Only, contact)); !strings.HasPrefix(got, "SIP/2.0 404") {
		t.Errorf("unknown number: %q, want 404", got)
	}
	if got := status(t, addr, invite(addr, c.number, g729Only)); !strings.HasPrefix(got, "SIP/2.0 400") {
		t.Errorf("no Contact: %q, want 400", got)
	}
	if got := status(t, addr, invite(addr, c.number, g729Only, contact)); !strings.HasPrefix(got, "SIP/2.0 488") {
		t.Errorf("G.729 only: %q, want 488", got)
	}
	if got := status(t, addr, invite(addr, c.number, "", contact)); !strings.HasPrefix(got, "SIP/2.0 488") {
		t.Errorf("no offer: %q, want 488", got)
	}
	if conn, err := net.Dial("udp", addr); err == nil {
		conn.Write([]byte("\x00\x01 not SIP at all\r\n\r\n"))
		conn.Close()
	}
	if got := status(t, addr, invite(addr, "+15550998", g729Only, contact)); !strings.HasPrefix(got, "SIP/2.0 404") {
		t.Errorf("after garbage: %q, want the server still answering (404)", got)
	}

	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	c.do(t, "GET", "/api/v1/conversations?channel=phone&limit=10", nil, &list, 200)
	if len(list.Items) != 0 {
		t.Errorf("refused calls left %d conversations on the phone channel", len(list.Items))
	}
	work, err := c.app.DB.ActiveWork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range work {
		if w.Kind == "escalation" {
			t.Errorf("refused calls left routing work %+v", w)
		}
	}
}

// TestPhoneTrunkRules: the API refuses a trunk it could not use, naming the
// field; a number is one workspace's; the password is sealed, never
// answered, and opened for calls out (TrunkFor).
func TestPhoneTrunkRules(t *testing.T) {
	c := newCenter(t)
	c.menuTrunk(t)
	refused := func(body map[string]any, field string) {
		t.Helper()
		raw := c.do(t, "POST", "/api/v1/phone/trunks", body, nil, 422)
		var p struct {
			Errors []struct{ Field, Reason string }
		}
		json.Unmarshal(raw, &p)
		if len(p.Errors) == 0 || p.Errors[0].Field != field {
			t.Errorf("refusal names %+v, want field %s: %s", p.Errors, field, raw)
		}
	}
	num := func(n string, extra map[string]any) []map[string]any {
		m := map[string]any{"number": n, "queue_id": c.front}
		for k, v := range extra {
			m[k] = v
		}
		return []map[string]any{m}
	}
	accept := []string{"203.0.113.0/24"}
	refused(map[string]any{"name": "x", "accept_from": accept, "numbers": num("5550100", nil)}, "numbers")
	refused(map[string]any{"name": "x", "accept_from": accept, "numbers": num(c.number, nil)}, "numbers") // taken
	refused(map[string]any{"name": "x", "numbers": num("+15550200", nil)}, "accept_from")
	refused(map[string]any{"name": "x", "accept_from": []string{"not an address"}, "numbers": num("+15550200", nil)}, "accept_from.0")
	refused(map[string]any{"name": "x", "accept_from": accept, "numbers": num("+15550200", map[string]any{"queue_id": "nope"})}, "numbers.0.queue_id")
	refused(map[string]any{"name": "x", "accept_from": accept, "numbers": num("+15550200", map[string]any{"menu": map[string]any{
		"language": "en", "menu": map[string]any{"prompt": "Press 1.", "options": map[string]any{
			"1": map[string]any{"action": map[string]any{"type": "queue", "queue": "nope"}}}}}})}, "numbers.0.menu.menu.options.1.action.queue")
	refused(map[string]any{"name": "x", "accept_from": accept, "numbers": num("+15550200", map[string]any{"menu": map[string]any{
		"language": "en", "menu": map[string]any{"prompt": "Press 1.", "options": map[string]any{
			"1": map[string]any{"action": map[string]any{"type": "dance"}}}}}})}, "numbers.0.menu.menu.options.1.action.type")
	refused(map[string]any{"name": "x", "provider": "sip.example.com", "username": "u", "password": "p", "numbers": num("+15550200", nil)}, "provider")

	const secret = "trunk-password-never-shown"
	raw := c.do(t, "POST", "/api/v1/phone/trunks", map[string]any{"name": "Out", "provider": "sip.example.com:5060",
		"username": "acme", "password": secret, "numbers": num("+15550200", nil)}, nil, 201)
	if strings.Contains(string(raw), secret) || !strings.Contains(string(raw), `"password_set":true`) {
		t.Fatalf("the created trunk answers %s", raw)
	}
	var tr struct{ ID string }
	json.Unmarshal(raw, &tr)
	rec, err := c.app.DB.PhoneTrunk(context.Background(), c.tenantID, tr.ID)
	if err != nil || rec.PasswordSealed == "" || strings.Contains(rec.PasswordSealed, secret) {
		t.Fatalf("stored password %q (%v): want it sealed", rec.PasswordSealed, err)
	}
	// An update without a password keeps it.
	c.do(t, "PUT", "/api/v1/phone/trunks/"+tr.ID, map[string]any{"name": "Out (renamed)", "provider": "sip.example.com:5060",
		"username": "acme", "numbers": num("+15550200", nil)}, nil, 200)
	out, err := c.app.Phone.TrunkFor(context.Background(), c.tenantID)
	if err != nil || out.ID != tr.ID || out.Password != secret || out.Username != "acme" || out.Provider != "sip.example.com:5060" {
		t.Fatalf("TrunkFor: %+v %v; want the trunk with a provider, its password opened", out, err)
	}
	c.logs.mu.Lock()
	defer c.logs.mu.Unlock()
	for _, l := range c.logs.lines {
		if strings.Contains(l, secret) {
			t.Fatalf("the password reached the log: %s", l)
		}
	}
}
