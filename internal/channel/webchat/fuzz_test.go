package webchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// FuzzClientFrame feeds arbitrary bytes to the widget's frame decoder: it
// never panics, accepts only known types (a message only with a usable
// client_id), and what it answers is a JSON error frame the widget can read.
func FuzzClientFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"message","client_id":"c1","body":"hi","context":{"url":"https://shop.example/"}}`,
		`{"type":"typing","on":true}`,
		`{"type":"read","message_id":"01a24a30-3f0c-77b1-a274-99a26bc3b49e"}`,
		`{"type":"ping"}`,
		`{"type":"message","client_id":"","body":"x"}`,
		`{"type":"message","client_id":` + `"` + strings.Repeat("x", 101) + `"}`,
		`{"type":"\xff\xfe` + strings.Repeat("é", 30) + `"}`,
		`{"type":null}`, `[]`, `"message"`, `{"type":"message","client_id":1}`, ``, `{`,
	} {
		f.Add(true, []byte(s))
	}
	f.Add(false, []byte(`{"type":"ping"}`))
	f.Fuzz(func(t *testing.T, text bool, data []byte) {
		typ := websocket.MessageBinary
		if text {
			typ = websocket.MessageText
		}
		fr, bad := decodeFrame(typ, data)
		if bad == nil {
			if !text || !frameTypes[fr.Type] {
				t.Fatalf("accepted %q (text %v) as %+v", data, text, fr)
			}
			if fr.Type == "message" && (fr.ClientID == "" || len(fr.ClientID) > 100) {
				t.Fatalf("accepted a message with client_id %q", fr.ClientID)
			}
			return
		}
		var back map[string]any
		if err := json.Unmarshal(mustJSON(*bad), &back); err != nil || back["type"] != "error" || back["code"] == "" {
			t.Fatalf("error frame %s does not decode: %v", mustJSON(*bad), err)
		}
		if len(bad.ClientID) > 100 {
			t.Fatalf("error frame echoes %d bytes of client_id", len(bad.ClientID))
		}
	})
}

// FuzzVisitorToken: no token but one the server signed opens a session, and a
// signed token cannot be altered into another visitor — in particular not
// into a signed-in user, whose history crosses channels.
func FuzzVisitorToken(f *testing.F) {
	key := bytes.Repeat([]byte("k"), MinKeyLen)
	now := time.Unix(1_800_000_000, 0)
	anon := Visitor{TenantID: "t1", AccountID: "a1", ID: "v1", Email: "kim@example.com", Expires: now.Add(time.Hour).UnixMilli()}
	signed := anon
	signed.UserID = "cust-7"
	for _, v := range []Visitor{anon, signed} {
		tok := signToken(key, v)
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(strings.Replace(tok, ".", "..", 1))
	}
	f.Add("")
	f.Add("e30.AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		v, err := parseToken(key, token, now)
		if err != nil {
			return
		}
		if !sameVisitor(v, signed) && !sameVisitor(v, anon) {
			t.Fatalf("token %q opened a visitor nobody signed: %+v", token, v)
		}
	})
}

func sameVisitor(a, b Visitor) bool {
	return a.TenantID == b.TenantID && a.AccountID == b.AccountID && a.ID == b.ID && a.UserID == b.UserID && a.Email == b.Email
}

// FuzzPrechat: whatever the pre-chat form sends, the answer is either a field
// error naming the field or a visitor whose email and phone are canonical —
// the same address written two ways is the same claim.
func FuzzPrechat(f *testing.F) {
	f.Add("Ana", "Ana@Example.com", "phone", "+49 151 1234 5678")
	f.Add("", "not an address", "email", "x@y")
	f.Add(strings.Repeat("n", 201), "", "name", "Zoe")
	f.Add("Kim", "", "Phone", "0151")
	f.Add("\xff", "\"Kim\" <KIM@example.com>", strings.Repeat("k", 51), "v")
	f.Fuzz(func(t *testing.T, name, email, field, answer string) {
		var v Visitor
		err := applyPrechat(&v, sessionRequest{Name: name, Email: email, Fields: map[string]string{field: answer}})
		if err != nil {
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field == "" || !utf8.Valid(mustJSON(map[string]string{"f": fe.Field})) {
				t.Fatalf("pre-chat error %v names no field", err)
			}
			return
		}
		if v.Email != "" {
			if id, err := persona.Normalize(persona.KindEmail, v.Email); err != nil || id.Value != v.Email {
				t.Fatalf("email %q is not canonical (%v)", v.Email, err)
			}
		}
		if v.Phone != "" {
			if p, err := persona.E164(v.Phone); err != nil || p != v.Phone {
				t.Fatalf("phone %q is not E.164 (%v)", v.Phone, err)
			}
		}
		if len(v.Name) > 200 {
			t.Fatalf("name of %d bytes accepted", len(v.Name))
		}
	})
}
