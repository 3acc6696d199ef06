package inbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// proven is an address as a channel that proved it gives it.
func proven(id persona.Identifier, m persona.Method) persona.Identifier {
	id.Verified, id.VerifiedBy = true, m
	return id
}

// TestIdentityProof: who joins whom when a message arrives. Only the sender
// the channel authenticated is looked up; typed addresses are claims; a
// proven sender is never filed under a persona that did not prove the
// address, and an unproven one never under a persona that did.
func TestIdentityProof(t *testing.T) {
	visitor := persona.Identifier{Kind: persona.KindWidget, Value: "visitor-1"}
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			tests := []struct {
				name string
				run  func(t *testing.T, f *fixture)
			}{
				{"a claimed address is not looked up, and its owner's mail goes to the owner", func(t *testing.T, f *fixture) {
					chat := f.ingest(t, inbox.Inbound{Channel: "webchat", From: visitor, Also: []persona.Identifier{email("new@example.com")}, Body: "hi"})
					owner := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("new@example.com"), persona.MethodMailFromMailbox), Body: "mine"})
					if owner.Persona.ID == chat.Persona.ID || owner.Conversation.ID == chat.Conversation.ID {
						t.Fatalf("the owner's mail joined the visitor who typed the address")
					}
					if len(chat.Persona.Claims) != 1 || chat.Persona.Claims[0].VerifiedBy != persona.MethodUnverifiedForm {
						t.Fatalf("visitor's claims %+v", chat.Persona.Claims)
					}
					if id := owner.Persona.Identifiers[0]; !id.Verified || id.VerifiedBy != persona.MethodMailFromMailbox || id.VerifiedAt.IsZero() {
						t.Fatalf("owner's identifier %+v", id)
					}
				}},
				{"an unproven sender never joins a proven holder", func(t *testing.T, f *fixture) {
					f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("kim@example.com"), persona.MethodMailFromMailbox), Body: "mine"})
					_, err := f.svc.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "api", From: email("kim@example.com"), Body: "as kim"})
					if !isField(err, "from") {
						t.Fatalf("unproven sender as a proven customer: %v", err)
					}
				}},
				{"a proven sender takes an address over from an unproven holder", func(t *testing.T, f *fixture) {
					squat := f.ingest(t, inbox.Inbound{Channel: "api", From: email("lee@example.com"), Body: "as lee"})
					owner := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("lee@example.com"), persona.MethodMailFromMailbox), Body: "really lee"})
					if owner.Persona.ID == squat.Persona.ID || owner.Conversation.ID == squat.Conversation.ID {
						t.Fatalf("the proven sender joined the unproven holder")
					}
					old, err := f.db.Persona(ctx, f.tenant, squat.Persona.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(old.Identifiers) != 0 || len(old.Claims) != 1 || old.Claims[0].Value != "lee@example.com" {
						t.Fatalf("the old holder keeps %+v, claims %+v", old.Identifiers, old.Claims)
					}
				}},
				{"a reference to another customer's thread threads nothing", func(t *testing.T, f *fixture) {
					kim := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("kim@example.com"), persona.MethodMailFromMailbox),
						ThreadKey: "kim-1@example.com", Body: "mine"})
					eve := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("eve@example.com"), persona.MethodMailFromMailbox),
						ThreadKeys: []string{"kim-1@example.com"}, Body: "Re: mine"})
					if eve.Conversation.ID == kim.Conversation.ID || !eve.NewConversation {
						t.Fatalf("a stranger's reference threaded into Kim's conversation")
					}
					again := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("kim@example.com"), persona.MethodMailFromMailbox),
						ThreadKeys: []string{"kim-1@example.com"}, NewConversation: true, Body: "Re: mine"})
					if again.Conversation.ID != kim.Conversation.ID {
						t.Fatalf("Kim's own reply did not thread")
					}
				}},
				{"an address an agent enters is verified by the agent", func(t *testing.T, f *fixture) {
					chat := f.ingest(t, inbox.Inbound{Channel: "webchat", From: visitor, Body: "hi"})
					p, err := f.svc.AddIdentifier(ctx, inbox.Actor{TenantID: f.tenant}, chat.Persona.ID, email("ana@example.com"))
					if err != nil {
						t.Fatal(err)
					}
					var got persona.Identifier
					for _, id := range p.Identifiers {
						if id.Kind == persona.KindEmail {
							got = id
						}
					}
					if !got.Verified || got.VerifiedBy != persona.MethodAgentEntered {
						t.Fatalf("agent-entered email %+v", got)
					}
					mail := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("ana@example.com"), persona.MethodMailFromMailbox), Body: "it is me"})
					if mail.Persona.ID != chat.Persona.ID {
						t.Fatalf("mail from the agent-entered address went to %s, want %s", mail.Persona.ID, chat.Persona.ID)
					}
				}},
				{"claims move with a merge and back with its undo", func(t *testing.T, f *fixture) {
					a := f.ingest(t, inbox.Inbound{Channel: "webchat", From: visitor, Also: []persona.Identifier{email("a@example.com"), email("both@example.com")}, Body: "hi"})
					b := f.ingest(t, inbox.Inbound{Channel: "webchat", From: persona.Identifier{Kind: persona.KindWidget, Value: "visitor-2"},
						Also: []persona.Identifier{email("both@example.com"), phone("+4915112345678")}, Body: "hi"})
					actor := inbox.Actor{TenantID: f.tenant, UserID: "agent-1"}
					mergeID, err := f.svc.Merge(ctx, actor, a.Persona.ID, b.Persona.ID)
					if err != nil {
						t.Fatal(err)
					}
					claims := func(id string) string {
						p, err := f.db.Persona(ctx, f.tenant, id)
						if err != nil {
							t.Fatal(err)
						}
						var out []string
						for _, c := range p.Claims {
							out = append(out, c.Value)
						}
						return strings.Join(out, ",")
					}
					if got := claims(a.Persona.ID); got != "a@example.com,both@example.com,+4915112345678" {
						t.Fatalf("survivor's claims after the merge: %s", got)
					}
					if err := f.svc.Unmerge(ctx, actor, mergeID); err != nil {
						t.Fatal(err)
					}
					if got, back := claims(a.Persona.ID), claims(b.Persona.ID); got != "a@example.com,both@example.com" || back != "both@example.com,+4915112345678" {
						t.Fatalf("after the undo: %s and %s", got, back)
					}
				}},
				{"a merge with a proven customer leaves an unproven address outside their conversations", func(t *testing.T, f *fixture) {
					zoe := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("zoe@example.com"), persona.MethodMailFromMailbox), Body: "my account number is 123"})
					chat := f.ingest(t, inbox.Inbound{Channel: "api", From: phone("+4915112345678"), Body: "I am Zoe"})
					actor := inbox.Actor{TenantID: f.tenant, UserID: "agent-1"}
					mergeID, err := f.svc.Merge(ctx, actor, zoe.Persona.ID, chat.Persona.ID)
					if err != nil {
						t.Fatal(err)
					}
					merged, err := f.db.Persona(ctx, f.tenant, zoe.Persona.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(merged.Identifiers) != 1 || merged.Identifiers[0].Value != "zoe@example.com" || len(merged.Claims) != 1 || merged.Claims[0].Value != "+4915112345678" {
						t.Fatalf("after the merge: identifiers %+v, claims %+v", merged.Identifiers, merged.Claims)
					}
					// The past conversation is filed under the customer, but whoever
					// writes as the unproven number again reaches neither.
					c, err := f.db.Conversation(ctx, f.tenant, chat.Conversation.ID)
					if err != nil || c.PersonaID != zoe.Persona.ID {
						t.Fatalf("the visitor's chat after the merge: %+v, %v", c, err)
					}
					again := f.ingest(t, inbox.Inbound{Channel: "api", From: phone("+4915112345678"), Body: "what is my account number?"})
					if again.Persona.ID == zoe.Persona.ID || again.Conversation.ID == zoe.Conversation.ID || again.Conversation.ID == chat.Conversation.ID {
						t.Fatalf("the unproven number joined the proven customer after a merge")
					}
					if err := f.svc.Unmerge(ctx, actor, mergeID); err != nil {
						t.Fatal(err)
					}
					back, err := f.db.Persona(ctx, f.tenant, chat.Persona.ID)
					if err != nil {
						t.Fatal(err)
					}
					after, _ := f.db.Persona(ctx, f.tenant, zoe.Persona.ID)
					// The number was taken by the new contact meanwhile, so it stays a claim.
					if len(back.Identifiers) != 0 || len(after.Claims) != 1 {
						t.Fatalf("after the undo: visitor %+v, customer claims %+v", back.Identifiers, after.Claims)
					}
				}},
				{"an undone merge gives a demoted identifier back", func(t *testing.T, f *fixture) {
					zoe := f.ingest(t, inbox.Inbound{Channel: "mail", From: proven(email("zoe@example.com"), persona.MethodMailFromMailbox), Body: "hello"})
					chat := f.ingest(t, inbox.Inbound{Channel: "api", From: phone("+4915112345678"), Body: "hi"})
					actor := inbox.Actor{TenantID: f.tenant, UserID: "agent-1"}
					mergeID, err := f.svc.Merge(ctx, actor, chat.Persona.ID, zoe.Persona.ID) // the other way round
					if err != nil {
						t.Fatal(err)
					}
					if p, _ := f.db.Persona(ctx, f.tenant, chat.Persona.ID); len(p.Identifiers) != 1 || !p.Identifiers[0].Verified || len(p.Claims) != 1 {
						t.Fatalf("survivor after the merge: %+v / %+v", p.Identifiers, p.Claims)
					}
					if err := f.svc.Unmerge(ctx, actor, mergeID); err != nil {
						t.Fatal(err)
					}
					p, _ := f.db.Persona(ctx, f.tenant, chat.Persona.ID)
					if len(p.Identifiers) != 1 || p.Identifiers[0].Value != "+4915112345678" || p.Identifiers[0].Verified || len(p.Claims) != 0 {
						t.Fatalf("visitor after the undo: %+v / %+v", p.Identifiers, p.Claims)
					}
					if again := f.ingest(t, inbox.Inbound{Channel: "api", From: phone("+4915112345678"), Body: "back"}); again.Persona.ID != chat.Persona.ID {
						t.Fatal("the number does not find its own persona after the undo")
					}
				}},
				{"a verification method that is no proof is refused", func(t *testing.T, f *fixture) {
					_, err := f.svc.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "api",
						From: proven(email("x@example.com"), persona.MethodUnverifiedForm), Body: "hi"})
					if !isField(err, "from") {
						t.Fatalf("verified by a form: %v", err)
					}
				}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newFixture(t, e.Open)) })
			}
		})
	}
}
