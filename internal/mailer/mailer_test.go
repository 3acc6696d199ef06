package mailer

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

func TestSendThroughRelay(t *testing.T) {
	s := smtpsink.Start(t)
	m := New(s.Addr, "switchboard@bank.example", "", "", clock.NewFake(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)))
	if err := m.Send(context.Background(), "ana@bank.example", "Réinitialiser le mot de passe", "Line one\nLine two\n"); err != nil {
		t.Fatal(err)
	}
	got := <-s.Messages
	if got.From != "switchboard@bank.example" || len(got.To) != 1 || got.To[0] != "ana@bank.example" {
		t.Fatalf("envelope from %q to %v", got.From, got.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got.Data)))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, got.Data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Réinitialiser le mot de passe" {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") != "Tue, 24 Nov 2026 10:00:00 +0000" {
		t.Errorf("headers: %v", msg.Header)
	}
	body, _ := io.ReadAll(msg.Body)
	if string(body) != "Line one\r\nLine two\r\n" {
		t.Errorf("body %q", body)
	}
}

func TestRefusesHeaderInjection(t *testing.T) {
	m := New("127.0.0.1:1", "a@b.example", "", "", clock.System{})
	if err := m.Send(context.Background(), "x@y.example\r\nBcc: all@y.example", "s", "b"); err == nil {
		t.Fatal("recipient with a line break accepted")
	}
}

// A mail with an HTML alternative and a CSV attachment arrives as
// multipart/mixed that a mail reader takes apart: the text, the HTML and the
// file, byte for byte.
func TestSendMultipart(t *testing.T) {
	s := smtpsink.Start(t)
	m := New(s.Addr, "switchboard@bank.example", "", "", clock.System{})
	csv := []byte("\uFEFFfigure,current\r\nconversations,12\r\n")
	err := m.SendMail(context.Background(), Mail{To: "ana@bank.example", Subject: "Weekly report", Text: "Conversations: 12\n",
		HTML: "<p>Conversations: <b>12</b> – été</p>", Attachments: []Attachment{{Name: "summary.csv", ContentType: "text/csv; charset=utf-8", Data: csv}}})
	if err != nil {
		t.Fatal(err)
	}
	got := <-s.Messages
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string][]byte{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if pt == "multipart/alternative" {
			ar := multipart.NewReader(p, pp["boundary"])
			for {
				q, err := ar.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(q) // NextPart decodes quoted-printable
				qt, _, _ := mime.ParseMediaType(q.Header.Get("Content-Type"))
				parts[qt] = b
			}
			continue
		}
		b, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
		parts[p.FileName()] = b
	}
	if string(parts["text/plain"]) != "Conversations: 12\r\n" || string(parts["text/html"]) != "<p>Conversations: <b>12</b> – été</p>" ||
		!bytes.Equal(parts["summary.csv"], csv) {
		t.Errorf("parts: %q", parts)
	}
}
