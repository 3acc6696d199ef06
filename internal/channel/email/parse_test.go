package email

import (
	"strings"
	"testing"
)

func crlfs(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestSplitRecipient(t *testing.T) {
	for _, tc := range []struct {
		in, account, token string
		ok                 bool
	}{
		{"Support@Northwind.Example", "support@northwind.example", "", true},
		{"support+abcdefgh23456723@northwind.example", "support@northwind.example", "abcdefgh23456723", true},
		{"support+ABCDEFGH23456723@northwind.example", "support@northwind.example", "abcdefgh23456723", true},
		{"support+sales@northwind.example", "support+sales@northwind.example", "", true},                       // not a token: part of the address
		{"support+abcdefgh2345671@northwind.example", "support+abcdefgh2345671@northwind.example", "", true},   // 15 characters
		{"support+abcdefgh23456781@northwind.example", "support+abcdefgh23456781@northwind.example", "", true}, // 8 is not base32
		{"+abcdefgh23456723@northwind.example", "+abcdefgh23456723@northwind.example", "", true},
		{"no-at-sign", "", "", false},
		{"a@b@c", "", "", false},
		{"@northwind.example", "", "", false},
	} {
		r, ok := splitRecipient(tc.in)
		if ok != tc.ok || r.Account != tc.account || r.Token != tc.token {
			t.Errorf("splitRecipient(%q) = %+v, %v; want %q %q %v", tc.in, r, ok, tc.account, tc.token, tc.ok)
		}
	}
	if got := replyAddress("support@northwind.example", "abcdefgh23456723"); got != "support+abcdefgh23456723@northwind.example" {
		t.Errorf("reply address %q", got)
	}
	if got := replyAddress("support@northwind.example", "not a token"); got != "support@northwind.example" {
		t.Errorf("reply address with a bad token %q", got)
	}
}

type hdr map[string]string

func (h hdr) Get(k string) string { return h[k] }

func TestAutomatic(t *testing.T) {
	for _, tc := range []struct {
		name       string
		h          hdr
		returnPath string
		from       string
		want       Automatic
	}{
		{"person", hdr{}, "zoe@example.com", "zoe@example.com", Human},
		{"auto-submitted no", hdr{"Auto-Submitted": "no"}, "zoe@example.com", "zoe@example.com", Human},
		{"out of office", hdr{"Auto-Submitted": "auto-replied"}, "zoe@example.com", "zoe@example.com", AutoReply},
		{"auto-generated", hdr{"Auto-Submitted": "Auto-Generated"}, "zoe@example.com", "zoe@example.com", AutoReply},
		{"x-autoreply", hdr{"X-Autoreply": "yes"}, "zoe@example.com", "zoe@example.com", AutoReply},
		{"x-autorespond", hdr{"X-Autorespond": "vacation"}, "zoe@example.com", "zoe@example.com", AutoReply},
		{"precedence bulk", hdr{"Precedence": "bulk"}, "news@example.com", "news@example.com", AutoReply},
		{"precedence junk", hdr{"Precedence": "junk"}, "news@example.com", "news@example.com", AutoReply},
		{"precedence auto_reply", hdr{"Precedence": "auto_reply"}, "zoe@example.com", "zoe@example.com", AutoReply},
		{"precedence first-class", hdr{"Precedence": "first-class"}, "zoe@example.com", "zoe@example.com", Human},
		{"null sender", hdr{}, "", "zoe@example.com", AutoReply},
		{"report", hdr{"Content-Type": `multipart/report; report-type=delivery-status; boundary="x"`}, "", "postmaster@mx.example", Bounce},
		{"mailer-daemon", hdr{}, "", "MAILER-DAEMON@mx.example", Bounce},
	} {
		if got := automatic(tc.h, tc.returnPath, tc.from); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if !dsnFailed("Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; zoe@example.com\nAction: failed\nStatus: 5.1.1\n") {
		t.Error("failed DSN not recognised")
	}
	if dsnFailed("Final-Recipient: rfc822; zoe@example.com\nAction: delayed\nStatus: 4.4.1\n") {
		t.Error("a delay taken for a failure")
	}
}

func TestFoldQuoted(t *testing.T) {
	for _, tc := range []struct{ name, in, fresh, quotedPrefix string }{
		{"gmail", "Thanks, that worked!\n\nOn Wed, Nov 25, 2026 at 10:02 AM Northwind Support <\nsupport@northwind.example> wrote:\n\n> Hallo Zoë,\n> please try again.\n",
			"Thanks, that worked!", "On Wed, Nov 25"},
		{"apple", "Still broken.\n\n> On 25. Nov 2026, at 10:02, Northwind Support <support@northwind.example> wrote:\n> \n> please try again.\n",
			"Still broken.", "> On 25. Nov"},
		{"outlook separator", "It failed again.\r\n\r\n-----Original Message-----\r\nFrom: Northwind Support\r\nSent: Wednesday\r\n",
			"It failed again.", "-----Original Message-----"},
		{"outlook header", "It failed again.\n\n________________________________\nFrom: Northwind Support <support@northwind.example>\nSent: Wednesday, November 25, 2026 10:02\nTo: Zoë Müller\nSubject: Re: Überweisung\n\nHallo Zoë",
			"It failed again.", "________________"},
		{"german", "Danke!\n\nAm Mi., 25. Nov. 2026 um 10:02 Uhr schrieb Northwind Support <support@northwind.example>:\n> Hallo",
			"Danke!", "Am Mi., 25. Nov."},
		{"interleaved answers stay", "> Which card?\nThe blue one.\n> Since when?\nMonday.", "> Which card?\nThe blue one.\n> Since when?\nMonday.", ""},
		{"nothing new: nothing folded", "> only a quote\n> of old text", "> only a quote\n> of old text", ""},
		{"no quote", "Hello,\nmy transfer failed.", "Hello,\nmy transfer failed.", ""},
		{"a From: line in prose stays", "From: the branch I was told to call you.\nThanks", "From: the branch I was told to call you.\nThanks", ""},
	} {
		fresh, quoted := FoldQuoted(tc.in)
		if fresh != tc.fresh || !strings.HasPrefix(quoted, tc.quotedPrefix) || (tc.quotedPrefix == "") != (quoted == "") {
			t.Errorf("%s: fresh %q quoted %q; want fresh %q quoted starting %q", tc.name, fresh, quoted, tc.fresh, tc.quotedPrefix)
		}
	}
}

func TestFoldQuotedHTML(t *testing.T) {
	for _, tc := range []struct{ name, in, freshHas, quotedHas string }{
		{"gmail", `<div dir="ltr">Thanks, that worked!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Wed, Nov 25, 2026 Northwind Support wrote:<br></div><blockquote class="gmail_quote">Hallo Zoë</blockquote></div>`,
			"Thanks, that worked!", "Hallo Zoë"},
		{"outlook", `<div>It failed again.</div><hr style="display:inline-block"><div id="divRplyFwdMsg"><b>From:</b> Northwind</div><div>Hallo Zoë</div>`,
			"It failed again.", "Hallo Zoë"},
		{"thunderbird", `<p>Still broken.</p><div class="moz-cite-prefix">On 25/11/2026 Northwind wrote:<br></div><blockquote type="cite">Hallo Zoë</blockquote>`,
			"Still broken.", "Hallo Zoë"},
	} {
		fresh, quoted := FoldQuotedHTML(tc.in)
		if !strings.Contains(fresh, tc.freshHas) || strings.Contains(fresh, tc.quotedHas) || !strings.Contains(quoted, tc.quotedHas) || strings.Contains(quoted, tc.freshHas) {
			t.Errorf("%s: fresh %q quoted %q", tc.name, fresh, quoted)
		}
	}
	if fresh, quoted := FoldQuotedHTML(`<div class="gmail_quote">only old</div>`); quoted != "" || !strings.Contains(fresh, "only old") {
		t.Errorf("everything quoted: folded into %q / %q", fresh, quoted)
	}
}

func TestParseCharsetsAndParts(t *testing.T) {
	raw := "From: =?iso-8859-1?q?Zo=EB_M=FCller?= <Zoe@Example.com>\n" +
		"Subject: =?utf-8?q?=C3=9Cberweisung_fehlgeschlagen_=E2=80=93_Hilfe?=\n" +
		"Message-ID: <m1@example.com>\nIn-Reply-To: <a@x>\nReferences: <r1@x> (comment) <a@x>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n\n" +
		"--outer\nContent-Type: multipart/alternative; boundary=alt\n\n" +
		"--alt\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe =80\n" +
		"--alt\nContent-Type: text/html; charset=utf-8\n\n<p>Gr\xc3\xbc\xc3\x9fe</p><script>alert(1)</script><img src=\"cid:logo@x\"><img src=\"javascript:alert(1)\">\n" +
		"--alt--\n" +
		"--outer\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n" +
		"--outer\nContent-Type: application/pdf; name=\"=?utf-8?q?Kontoauszug_M=C3=A4rz.pdf?=\"\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n" +
		"--outer\nContent-Type: text/plain; charset=x-unknown-charset\n\nkept anyway\n" +
		"--outer--\n"
	m, err := Parse(crlfs(raw), "zoe@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if m.From != "Zoe@Example.com" || m.FromName != "Zoë Müller" || m.Subject != "Überweisung fehlgeschlagen – Hilfe" || m.MessageID != "m1@example.com" {
		t.Fatalf("header: %+v", m)
	}
	if strings.Join(m.InReplyTo, " ") != "a@x" || strings.Join(m.References, " ") != "r1@x a@x" {
		t.Fatalf("threading: %v %v", m.InReplyTo, m.References)
	}
	if !strings.HasPrefix(m.Text, "Grüße €") || !strings.Contains(m.Text, "kept anyway") {
		t.Fatalf("text %q", m.Text)
	}
	if strings.Contains(m.HTML, "script") || strings.Contains(m.HTML, "javascript") || !strings.Contains(m.HTML, `src="cid:logo@x"`) || !strings.Contains(m.HTML, "Grüße") {
		t.Fatalf("html %q", m.HTML)
	}
	if len(m.Files) != 2 || m.Files[0].ContentID != "logo@x" || m.Files[0].ContentType != "image/png" || m.Files[1].Name != "Kontoauszug März.pdf" || string(m.Files[1].Data) != "%PDF-" {
		t.Fatalf("files %+v", m.Files)
	}
	in := m.Inbound("t1", "support@northwind.example", "abcdefgh23456723")
	if strings.Join(in.ThreadKeys, " ") != "reply:abcdefgh23456723 a@x a@x r1@x" || in.ExternalID != "m1@example.com" || in.ThreadKey != "m1@example.com" {
		t.Fatalf("inbound keys %v %q", in.ThreadKeys, in.ExternalID)
	}
}

func TestParseWithoutMessageIDDedupesRetries(t *testing.T) {
	raw := crlfs("From: zoe@example.com\nSubject: hi\n\nhello\n")
	a, err := Parse(raw, "zoe@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse(raw, "zoe@example.com")
	c, _ := Parse(crlfs("From: zoe@example.com\nSubject: hi\n\nhello again\n"), "zoe@example.com")
	if a.MessageID == "" || a.MessageID != b.MessageID || a.MessageID == c.MessageID {
		t.Fatalf("derived ids %q %q %q", a.MessageID, b.MessageID, c.MessageID)
	}
}
