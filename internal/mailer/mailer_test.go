package mailer

import (
	"context"
	"io"
	"mime"
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
