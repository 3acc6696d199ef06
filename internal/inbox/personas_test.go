package inbox_test

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

func ptr(s string) *string { return &s }

func TestEditPersona(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.tenant}
			zoe := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+4915112345678"), FromName: "Zoe", Body: "hallo"})
			p, err := f.svc.UpdatePersona(ctx, actor, zoe.Persona.ID, inbox.PersonaPatch{Name: ptr("Zoë Müller"), TimeZone: ptr("Europe/Berlin"),
				Language: ptr("de-de"), Attributes: map[string]*string{"segment": ptr("premier"), "branch": ptr("Köln")}})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Zoë Müller" || p.TimeZone != "Europe/Berlin" || p.Language != "de-DE" || p.Attributes["segment"] != "premier" {
				t.Fatalf("updated %+v", p)
			}
			p, err = f.svc.UpdatePersona(ctx, actor, zoe.Persona.ID, inbox.PersonaPatch{Attributes: map[string]*string{"branch": nil}})
			if err != nil || p.Attributes["branch"] != "" || p.Attributes["segment"] != "premier" || p.Name != "Zoë Müller" {
				t.Fatalf("removing one attribute: %+v, %v", p, err)
			}
			for field, patch := range map[string]inbox.PersonaPatch{
				"time_zone": {TimeZone: ptr("Mars/Olympus")},
				"language":  {Language: ptr("not a tag!")},
			} {
				if _, err := f.svc.UpdatePersona(ctx, actor, zoe.Persona.ID, patch); !isField(err, field) {
					t.Errorf("bad %s: %v", field, err)
				}
			}

			// Add her email; an email another persona holds is refused.
			p, err = f.svc.AddIdentifier(ctx, actor, zoe.Persona.ID, persona.Identifier{Kind: persona.KindEmail, Value: "Zoe@Example.com"})
			if err != nil || len(p.Identifiers) != 2 {
				t.Fatalf("add email: %+v, %v", p, err)
			}
			if _, err := f.svc.AddIdentifier(ctx, actor, zoe.Persona.ID, email("zoe@example.com")); err != nil {
				t.Fatalf("adding an identifier twice: %v", err)
			}
			other := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("kim@example.com"), Body: "hi"})
			if _, err := f.svc.AddIdentifier(ctx, actor, zoe.Persona.ID, email("kim@example.com")); !isField(err, "value") {
				t.Fatalf("taking kim's email: %v", err)
			}
			if _, err := f.svc.AddIdentifier(ctx, actor, other.Persona.ID, persona.Identifier{Kind: persona.KindPhone, Value: "12"}); !isField(err, "value") {
				t.Fatalf("bad phone: %v", err)
			}
			// Now an agent can answer the SMS conversation by mail.
			m, err := f.svc.Reply(ctx, actor, zoe.Conversation.ID, inbox.ReplyInput{Channel: "mail", Body: "Details by mail"})
			if err != nil || m.Channel != "mail" {
				t.Fatalf("reply by mail after adding the email: %v", err)
			}
		})
	}
}
