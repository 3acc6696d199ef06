package survey_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestWidgetSurvey: a visitor whose chat is resolved is asked at once in
// the widget, over its WebSocket; a rating out of range is refused with a
// clear error and loses nothing; the answer is stored, noted on the
// timeline and published as csat.answered with the conversation's queue
// and agent; the survey is not asked again on a new connection, and a
// second answer is refused. On both engines.
func TestWidgetSurvey(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			ws, token := f.visitor(t)
			ws.until("ready")
			ws.send(map[string]any{"type": "message", "client_id": "c1", "body": "Is my card blocked?"})
			conv := ws.until("ack").Message.ConversationID

			f.resolve(t, conv)
			sv := ws.until("survey")
			if sv.State != "sent" || sv.ConversationID != conv || sv.Question != "How did Northwind do? 1 (poor) to 5 (great)." {
				t.Fatalf("survey frame %+v", sv)
			}
			ws.send(map[string]any{"type": "csat", "rating": 9})
			if fr := ws.until("error"); fr.Code != "invalid" {
				t.Fatalf("rating 9: %+v", fr)
			}
			if v := f.surveyOf(t, conv, csat.Sent); v.Rating != 0 {
				t.Fatalf("a refused answer was stored: %+v", v)
			}
			ws.send(map[string]any{"type": "csat", "rating": 5, "comment": " Quick and kind "})
			thanks := ws.until("survey")
			if thanks.State != "answered" || thanks.Rating != 5 || thanks.Thanks == "" {
				t.Fatalf("thanks frame %+v", thanks)
			}
			ev := f.answered(t, conv)
			if ev.Rating != 5 || ev.Comment != "Quick and kind" || ev.Channel != "webchat" {
				t.Fatalf("csat.answered %+v", ev)
			}
			v := f.surveyOf(t, conv, csat.Answered)
			if v.Rating != 5 || v.Comment != "Quick and kind" {
				t.Fatalf("stored %+v", v)
			}
			note := lastSystemNote(t, f.db, f.tenant, conv)
			if !strings.Contains(note, "5/5") || !strings.Contains(note, "Quick and kind") {
				t.Fatalf("timeline note %q", note)
			}
			if got, err := f.svc.Of(ctx, f.tenant, conv); err != nil || got.Rating != 5 {
				t.Fatalf("Of: %+v %v", got, err)
			}

			ws.send(map[string]any{"type": "csat", "rating": 1})
			if fr := ws.until("error"); fr.Code != "closed" {
				t.Fatalf("second answer: %+v", fr)
			}
			// A new connection is told the chat ended, and asked nothing.
			again := f.dial(t, token)
			again.until("ended")
			again.send(map[string]string{"type": "ping"})
			ctx2, cancel := context.WithTimeout(ctx, waitTimeout)
			defer cancel()
			for {
				_, data, err := again.ws.Read(ctx2)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(data), `"survey"`) {
					t.Fatalf("asked again after answering: %s", data)
				}
				if strings.Contains(string(data), `"pong"`) {
					break
				}
			}
		})
	}
}

// TestEmailSurvey: a customer who wrote by SMTP gets the survey by mail
// after the tenant's delay (not before), through the relay; the mail's
// link, followed over HTTP, opens the survey page with the rating the link
// chose; the form's answer is recorded once. The resolved conversation
// stays resolved. On both engines.
func TestEmailSurvey(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			msg := "From: Carla <carla@example.com>\r\nTo: " + supportMail + "\r\nSubject: Card blocked\r\nMessage-ID: <c1@example.com>\r\n\r\nMy card is blocked.\r\n"
			if err := smtp.SendMail(f.smtp, nil, "carla@example.com", []string{supportMail}, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			conv := waitConversation(t, f.db, f.tenant, "email")
			f.resolve(t, conv)
			f.surveyOf(t, conv, csat.Scheduled)
			if n, err := f.svc.SendDue(ctx); err != nil || n != 0 {
				t.Fatalf("sent before the delay: %d %v", n, err)
			}
			if n := f.sendDue(t); n != 1 {
				t.Fatalf("sent %d surveys after the delay, want 1", n)
			}
			var got []byte
			select {
			case m := <-f.relay.Messages:
				if len(m.To) != 1 || m.To[0] != "carla@example.com" {
					t.Fatalf("survey mailed to %v", m.To)
				}
				got = m.Data
			case <-time.After(waitTimeout):
				t.Fatal("no survey mail reached the relay")
			}
			link := surveyLink(t, got, f.srv.URL)
			if c, _ := f.db.Conversation(ctx, f.tenant, conv); c.Status != conversation.StatusResolved {
				t.Fatalf("the survey reopened the conversation: %s", c.Status)
			}

			resp, body := get(t, link+"?rating=4")
			if resp.StatusCode != 200 || !strings.Contains(body, `value="4" checked`) || !strings.Contains(body, "How did Northwind do?") {
				t.Fatalf("survey page: %d %s", resp.StatusCode, body)
			}
			if resp, _ := post(t, link, url.Values{"rating": {"0"}}); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("rating 0: %d", resp.StatusCode)
			}
			resp, body = post(t, link, url.Values{"rating": {"4"}, "comment": {"Fixed in a minute"}})
			if resp.StatusCode != 200 || !strings.Contains(body, "You rated us 4 out of 5") {
				t.Fatalf("answer: %d %s", resp.StatusCode, body)
			}
			ev := f.answered(t, conv)
			if ev.Rating != 4 || ev.Comment != "Fixed in a minute" || ev.Channel != "email" {
				t.Fatalf("csat.answered %+v", ev)
			}
			// Sent again (a double click): shown as answered, not changed.
			if resp, body := post(t, link, url.Values{"rating": {"1"}}); resp.StatusCode != 200 || !strings.Contains(body, "You rated us 4") {
				t.Fatalf("second post: %d %s", resp.StatusCode, body)
			}
			if v := f.surveyOf(t, conv, csat.Answered); v.Rating != 4 {
				t.Fatalf("rating changed to %d", v.Rating)
			}
			if resp, _ := get(t, f.srv.URL+"/csat/not-a-token"); resp.StatusCode != 404 {
				t.Fatalf("unknown token: %d", resp.StatusCode)
			}
		})
	}
}

// TestSMSSurvey: a customer who texted gets the survey by SMS after the
// delay; a question sent while it is pending goes to the inbox, not taken
// as a rating; "4 thanks" is the answer, and the provider's retry of it is
// no second answer and no message; a "5" once answered is a message again.
// On both engines.
func TestSMSSurvey(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			const customer = "+15551230001"
			f.textIn(t, "SM0001", customer, "Is my card blocked")
			conv := waitConversation(t, f.db, f.tenant, "sms")
			f.resolve(t, conv)
			f.surveyOf(t, conv, csat.Scheduled)
			f.textIn(t, "SM0002", customer, "5") // nothing asked yet: a message
			if n := countInbound(t, f.db, f.tenant); n != 2 {
				t.Fatalf("%d inbound messages, want 2 (a 5 before the survey is a message)", n)
			}
			// The "5" reopened the conversation; resolve it again (one survey per conversation).
			f.resolve(t, conv)
			f.surveyOf(t, conv, csat.Scheduled)
			if n := f.sendDue(t); n != 1 {
				t.Fatalf("sent %d surveys, want 1", n)
			}
			select {
			case form := <-f.twilio.Taken():
				if form.Get("To") != customer || !strings.Contains(form.Get("Body"), "How did Northwind do?") || !strings.Contains(form.Get("Body"), "1 to 5") {
					t.Fatalf("survey sms %v", form)
				}
			case <-time.After(waitTimeout):
				t.Fatal("no survey reached Twilio")
			}
			f.surveyOf(t, conv, csat.Sent)

			f.textIn(t, "SM0003", customer, "2 more things: can I raise my limit?")
			if n := countInbound(t, f.db, f.tenant); n != 3 {
				t.Fatalf("the question was swallowed: %d inbound messages, want 3", n)
			}
			f.surveyOf(t, conv, csat.Sent)

			f.textIn(t, "SM0004", customer, "4 thanks")
			ev := f.answered(t, conv)
			if ev.Rating != 4 || ev.Comment != "thanks" || ev.Channel != "sms" {
				t.Fatalf("csat.answered %+v", ev)
			}
			f.textIn(t, "SM0004", customer, "4 thanks") // Twilio retries the webhook
			if n := countInbound(t, f.db, f.tenant); n != 3 {
				t.Fatalf("the answer (or its retry) became a message: %d inbound", n)
			}
			f.textIn(t, "SM0005", customer, "5")
			if n := countInbound(t, f.db, f.tenant); n != 4 {
				t.Fatalf("a 5 after answering was swallowed: %d inbound", n)
			}
			if v := f.surveyOf(t, conv, csat.Answered); v.Rating != 4 {
				t.Fatalf("rating %d, want 4", v.Rating)
			}
			// Erasing the customer erases their answers (the comment is theirs).
			pid, err := f.db.PersonaIDByIdentifier(ctx, f.tenant, persona.Identifier{Kind: persona.KindPhone, Value: customer})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.ErasePersona(ctx, f.tenant, pid); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.SurveyOf(ctx, f.tenant, conv); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the survey outlived the erased customer: %v", err)
			}
		})
	}
}

// TestSurveyHonoursPreferences: a customer who switched surveys off gets
// none (the survey is suppressed, with the reason), and surveys the tenant
// switched off are not scheduled at all.
func TestSurveyHonoursPreferences(t *testing.T) {
	f := newFixture(t, storetest.Engines()[0].Open)
	ctx := context.Background()
	const customer = "+15551230002"
	f.textIn(t, "SM0101", customer, "Hello")
	conv := waitConversation(t, f.db, f.tenant, "sms")
	pid, err := f.db.PersonaIDByIdentifier(ctx, f.tenant, persona.Identifier{Kind: persona.KindPhone, Value: customer})
	if err != nil {
		t.Fatal(err)
	}
	off := false
	if err := f.db.SetPersonaPrefs(ctx, f.tenant, pid, prefs.Preferences{Types: map[string]prefs.TypePref{csat.NotificationType: {Enabled: &off}}}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.resolve(t, conv)
	f.surveyOf(t, conv, csat.Scheduled)
	if n := f.sendDue(t); n != 0 {
		t.Fatalf("sent %d surveys to a customer who said no", n)
	}
	v := f.surveyOf(t, conv, csat.Suppressed)
	if !strings.Contains(v.Reason, "csat_survey") {
		t.Fatalf("reason %q", v.Reason)
	}
	select {
	case form := <-f.twilio.Taken():
		t.Fatalf("Twilio got %v", form)
	default:
	}

	st, _ := f.svc.Settings(ctx, f.tenant)
	st.Enabled = false
	if _, err := f.svc.PutSettings(ctx, f.tenant, st); err != nil {
		t.Fatal(err)
	}
	ws, _ := f.visitor(t)
	ws.until("ready")
	ws.send(map[string]any{"type": "message", "client_id": "c1", "body": "hi"})
	chat := ws.until("ack").Message.ConversationID
	f.resolve(t, chat)
	ws.until("ended")
	if _, created, err := f.svc.Schedule(ctx, f.tenant, chat); created || err != nil {
		t.Fatalf("a survey was scheduled with surveys switched off: %v %v", created, err)
	}
	if _, err := f.db.SurveyOf(ctx, f.tenant, chat); err == nil {
		t.Fatal("a survey was scheduled with surveys switched off")
	}
}

func waitConversation(t *testing.T, db *store.DB, tenantID, channel string) string {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		list, err := db.Conversations(context.Background(), tenantID, store.ConversationFilter{}, store.Page{Limit: 10})
		if err == nil {
			for _, c := range list {
				if c.Channel == channel {
					return c.ID
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s conversation", channel)
	return ""
}

func countInbound(t *testing.T, db *store.DB, tenantID string) int {
	t.Helper()
	list, err := db.Conversations(context.Background(), tenantID, store.ConversationFilter{}, store.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range list {
		msgs, err := db.Messages(context.Background(), tenantID, c.ID, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Kind == conversation.KindMessage && m.Direction == conversation.Inbound {
				n++
			}
		}
	}
	return n
}

func lastSystemNote(t *testing.T, db *store.DB, tenantID, conv string) string {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		msgs, err := db.Messages(context.Background(), tenantID, conv, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Kind == conversation.KindSystem && strings.Contains(msgs[i].Body, "rated") {
				return msgs[i].Body
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return ""
}

// surveyLink reads the survey page's address from a mail's text part.
func surveyLink(t *testing.T, raw []byte, base string) string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	text := partsText(t, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	re := regexp.MustCompile(regexp.QuoteMeta(base) + `/csat/[A-Za-z0-9_-]+`)
	link := re.FindString(text)
	if link == "" {
		t.Fatalf("no survey link in the mail:\n%s", text)
	}
	return link
}

func partsText(t *testing.T, ctype, cte string, body io.Reader) string {
	t.Helper()
	mt, params, _ := mime.ParseMediaType(ctype)
	if strings.HasPrefix(mt, "multipart/") {
		var out strings.Builder
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				break
			}
			out.WriteString(partsText(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p))
		}
		return out.String()
	}
	if strings.EqualFold(cte, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, _ := io.ReadAll(body)
	return string(b)
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, fmt.Sprint(string(b))
}
