package email_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// firstMail is what a customer's mail program writes: Python's email package
// builds multipart/mixed with multipart/alternative inside, the HTML in
// multipart/related with an inline image, a PDF, and RFC 2047 and RFC 2231
// encoded non-ASCII names.
const firstMail = `
import sys, email.policy
from email.message import EmailMessage
from email.headerregistry import Address
m = EmailMessage()
m["From"] = Address("Zoë Müller", "zoe", "example.com")
m["To"] = Address("Northwind Support", "support", "northwind.example")
m["Subject"] = "Überweisung fehlgeschlagen – Hilfe"
m["Message-ID"] = "<first-1@mail.example.com>"
m.set_content("Hallo,\nmeine Überweisung ist fehlgeschlagen.\n")
m.add_alternative('<p>Hallo,</p><p>meine <b>Überweisung</b> ist fehlgeschlagen.</p><img src="cid:screen@example.com"><script>steal(document.cookie)</script>', subtype="html")
m.get_payload()[1].add_related(b"\x89PNG\r\n\x1a\nscreenshot", "image", "png", cid="<screen@example.com>", filename="screen.png")
m.add_attachment(b"%PDF-1.4 statement", maintype="application", subtype="pdf", filename="Kontoauszug März.pdf")
sys.stdout.buffer.write(m.as_bytes(policy=email.policy.SMTP))
`

func TestMailRoundTrip(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.tenant}

			// The customer writes.
			f.mustAccept(t, "zoe@example.com", []string{"Support@northwind.example"}, python(t, firstMail))
			first := f.message(t, f.tenant, "first-1@mail.example.com")
			c, err := f.db.Conversation(ctx, f.tenant, first.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.db.Persona(ctx, f.tenant, c.PersonaID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Zoë Müller" || len(p.Identifiers) != 1 || p.Identifiers[0].Value != "zoe@example.com" {
				t.Fatalf("persona %+v", p)
			}
			if c.Subject != "Überweisung fehlgeschlagen – Hilfe" || c.Channel != "email" {
				t.Fatalf("conversation %+v", c)
			}
			if first.Body != "Hallo,\nmeine Überweisung ist fehlgeschlagen." {
				t.Fatalf("body %q", first.Body)
			}
			if strings.Contains(first.BodyHTML, "script") || strings.Contains(first.BodyHTML, "steal") ||
				!strings.Contains(first.BodyHTML, `<img src="cid:screen@example.com"`) || !strings.Contains(first.BodyHTML, "<b>Überweisung</b>") {
				t.Fatalf("html %q", first.BodyHTML)
			}
			if len(first.Attachments) != 2 {
				t.Fatalf("attachments %+v", first.Attachments)
			}
			for i, want := range []struct{ name, ct, cid, data string }{
				{"screen.png", "image/png", "screen@example.com", "\x89PNG\r\n\x1a\nscreenshot"},
				{"Kontoauszug März.pdf", "application/pdf", "", "%PDF-1.4 statement"},
			} {
				a := first.Attachments[i]
				_, data, err := f.db.Attachment(ctx, f.tenant, a.ID)
				if err != nil || a.Name != want.name || a.ContentType != want.ct || a.ContentID != want.cid || string(data) != want.data {
					t.Fatalf("attachment %d: %+v %q %v", i, a, data, err)
				}
			}
			// Another tenant sees none of it.
			f.noMessage(t, f.other, "first-1@mail.example.com")
			// The client retries (it never saw our 250): stored once.
			f.mustAccept(t, "zoe@example.com", []string{"support@northwind.example"}, python(t, firstMail))
			if n := messages(t, f, c.ID); n != 1 {
				t.Fatalf("a retried mail was stored %d times", n)
			}

			// The agent answers; the relay receives a threaded mail.
			out, err := f.svc.Reply(ctx, actor, c.ID, inbox.ReplyInput{Body: "Hallo Zoë,\nbitte versuchen Sie es noch einmal.",
				BodyHTML: "<p>Hallo Zoë,</p><p>bitte versuchen Sie es noch einmal.</p>"})
			if err != nil {
				t.Fatal(err)
			}
			got := f.relayed(t)
			f.waitJob(t)
			token := inbox.ReplyToken(c.ID)
			outID := out.ID + "@" + hostname
			checkReply(t, got, map[string]string{
				"From":        "Northwind Support <support@northwind.example>",
				"Reply-To":    "Northwind Support <support+" + token + "@northwind.example>",
				"To":          "Zoë Müller <zoe@example.com>",
				"Subject":     "Re: Überweisung fehlgeschlagen – Hilfe",
				"Message-Id":  "<" + outID + ">",
				"In-Reply-To": "<first-1@mail.example.com>",
				"References":  "<first-1@mail.example.com>",
			}, "Hallo Zoë,\r\nbitte versuchen Sie es noch einmal.", "<p>Hallo Zoë,</p><p>bitte versuchen Sie es noch einmal.</p>")
			if got.From != "support@northwind.example" || strings.Join(got.To, ",") != "zoe@example.com" {
				t.Fatalf("envelope %s → %v", got.From, got.To)
			}
			if sent, _ := f.db.Message(ctx, f.tenant, out.ID); sent.Status != conversation.DeliverySent || sent.ExternalID != outID {
				t.Fatalf("after sending: %s %q", sent.Status, sent.ExternalID)
			}

			// Zoë answers from Gmail, to the plain address: only In-Reply-To and
			// References can thread it, since the conversation is resolved.
			resolve(t, f, c.ID)
			f.mustAccept(t, "zoe@example.com", []string{"support@northwind.example"}, lf(`
From: =?UTF-8?Q?Zo=C3=AB_M=C3=BCller?= <zoe@example.com>
To: Northwind Support <support@northwind.example>
Subject: =?UTF-8?Q?Re=3A_=C3=9Cberweisung_fehlgeschlagen_=E2=80=93_Hilfe?=
Message-ID: <gmail-2@mail.gmail.com>
In-Reply-To: <`+outID+`>
References: <first-1@mail.example.com> <`+outID+`>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Danke, jetzt hat es geklappt!

On Wed, Nov 25, 2026 at 10:02=E2=80=AFAM Northwind Support <
support+`+token+`@northwind.example> wrote:

> Hallo Zo=C3=AB,
> bitte versuchen Sie es noch einmal.
>

--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Danke, jetzt hat es geklappt!</div><br><div class=3D"gmail=
_quote"><div dir=3D"ltr" class=3D"gmail_attr">On Wed, Nov 25, 2026 Northwind=
 Support wrote:<br></div><blockquote class=3D"gmail_quote"><p>Hallo Zo=C3=AB=
,</p><p>bitte versuchen Sie es noch einmal.</p></blockquote></div>

--000000000000a1b2c3--
`))
			gmail := f.message(t, f.tenant, "gmail-2@mail.gmail.com")
			if gmail.ConversationID != c.ID {
				t.Fatalf("the Gmail reply started conversation %s, want %s", gmail.ConversationID, c.ID)
			}
			gm := meta(t, gmail)
			if gmail.Body != "Danke, jetzt hat es geklappt!" || !strings.Contains(gm["quoted"].(string), "> bitte versuchen Sie es noch einmal.") {
				t.Fatalf("gmail body %q, quoted %q", gmail.Body, gm["quoted"])
			}
			if strings.Contains(gmail.BodyHTML, "bitte") || !strings.Contains(gmail.BodyHTML, "Danke") || !strings.Contains(gm["quoted_html"].(string), "bitte versuchen") {
				t.Fatalf("gmail html %q, quoted %q", gmail.BodyHTML, gm["quoted_html"])
			}

			// Zoë answers from a client that drops the threading headers (here
			// Outlook, in windows-1252): the token in the address threads it.
			resolve(t, f, c.ID)
			f.mustAccept(t, "zoe@example.com", []string{"support+" + token + "@northwind.example"}, lf(`
From: zoe@example.com
To: support+`+token+`@northwind.example
Subject: AW: =?windows-1252?Q?=DCberweisung?=
Message-ID: <outlook-3@eurprd01.outlook.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

Es geht schon wieder nicht.

-----Original Message-----
From: Northwind Support <support@northwind.example>
Sent: Wednesday, November 25, 2026 10:02 AM
To: Zo=EB M=FCller <zoe@example.com>
Subject: Re: =DCberweisung fehlgeschlagen

Hallo Zo=EB,
bitte versuchen Sie es noch einmal.
`))
			outlook := f.message(t, f.tenant, "outlook-3@eurprd01.outlook.com")
			if outlook.ConversationID != c.ID {
				t.Fatalf("the Outlook reply started conversation %s, want %s", outlook.ConversationID, c.ID)
			}
			om := meta(t, outlook)
			if outlook.Body != "Es geht schon wieder nicht." || !strings.HasPrefix(om["quoted"].(string), "-----Original Message-----") ||
				!strings.Contains(om["quoted"].(string), "Hallo Zoë,") {
				t.Fatalf("outlook body %q, quoted %q", outlook.Body, om["quoted"])
			}

			// A new mail with neither is a new conversation: threading above was
			// the headers' and the token's doing.
			resolve(t, f, c.ID)
			f.mustAccept(t, "zoe@example.com", []string{"support@northwind.example"}, lf(`
From: zoe@example.com
To: support@northwind.example
Subject: Neue Frage
Message-ID: <new-4@mail.example.com>

Eine andere Sache.
`))
			if fresh := f.message(t, f.tenant, "new-4@mail.example.com"); fresh.ConversationID == c.ID {
				t.Fatal("an unrelated mail joined the resolved conversation")
			}

			// An out-of-office reply is taken and dropped.
			f.mustAccept(t, "zoe@example.com", []string{"support+" + token + "@northwind.example"}, lf(`
From: zoe@example.com
To: support+`+token+`@northwind.example
Subject: Abwesenheitsnotiz
Auto-Submitted: auto-replied
Message-ID: <ooo-5@mail.example.com>

Ich bin bis Montag nicht im Büro.
`))
			f.noMessage(t, f.tenant, "ooo-5@mail.example.com")

			// A bounce of our reply: dropped, and the reply is marked failed.
			f.mustAccept(t, "", []string{"support@northwind.example"}, lf(`
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
To: support@northwind.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-6@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="rep"

--rep
Content-Type: text/plain

Your message could not be delivered.
--rep
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; zoe@example.com
Action: failed
Status: 5.1.1
--rep
Content-Type: text/rfc822-headers

From: Northwind Support <support@northwind.example>
Message-ID: <`+outID+`>
Subject: Re: Hilfe
--rep--
`))
			f.noMessage(t, f.tenant, "bounce-6@mx.example.com")
			if m, _ := f.db.Message(ctx, f.tenant, out.ID); m.Status != conversation.DeliveryFailed {
				t.Fatalf("bounced reply is %s, want failed", m.Status)
			}
			if n := messages(t, f, c.ID); n != 4 {
				t.Fatalf("timeline has %d messages, want 4 (mail, reply, Gmail, Outlook)", n)
			}
		})
	}
}

// checkReply reads a relayed message with the standard library's parsers and
// checks its header and its multipart/alternative body.
func checkReply(t *testing.T, got smtpsink.Message, want map[string]string, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatalf("relayed message unreadable: %v\n%s", err, got.Data)
	}
	dec := new(mime.WordDecoder)
	for k, v := range want {
		var h string
		switch k {
		case "From", "Reply-To", "To":
			list, err := msg.Header.AddressList(k)
			if err != nil || len(list) != 1 {
				t.Errorf("%s: %q: %v", k, msg.Header.Get(k), err)
				continue
			}
			h = list[0].Name + " <" + list[0].Address + ">"
		default:
			h, err = dec.DecodeHeader(msg.Header.Get(k))
		}
		if err != nil || h != v {
			t.Errorf("%s: %q (%v), want %q", k, h, err, v)
		}
	}
	for _, k := range []string{"Date", "Mime-Version"} {
		if msg.Header.Get(k) == "" {
			t.Errorf("no %s", k)
		}
	}
	if v := msg.Header.Get("Auto-Submitted"); v != "" {
		t.Errorf("an agent's reply marked Auto-Submitted: %s", v)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q %v", mt, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct{ ct, body string }{{"text/plain", text}, {"text/html", html}} {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %s: %v", want.ct, err)
		}
		b, _ := io.ReadAll(p)
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct != want.ct || string(b) != want.body {
			t.Errorf("part %s: %q", ct, b)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more than two alternatives: %v", err)
	}
}

// messages counts the conversation's messages (not its system items).
func messages(t *testing.T, f *fixture, id string) int {
	t.Helper()
	tl, err := f.svc.Timeline(context.Background(), f.tenant, id, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range tl {
		if it.Kind == conversation.KindMessage {
			n++
		}
	}
	return n
}

func resolve(t *testing.T, f *fixture, id string) {
	t.Helper()
	if _, err := f.svc.SetStatus(context.Background(), inbox.Actor{TenantID: f.tenant}, id, conversation.StatusResolved); err != nil {
		t.Fatal(err)
	}
}
