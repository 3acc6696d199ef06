package twiliotest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Sign is the X-Twilio-Signature of a webhook as Twilio documents it,
// written here apart from the code under test: the full URL, then each
// parameter's name and value sorted by name, HMAC-SHA1 with the account's
// auth token, base64.
func Sign(token, fullURL string, form url.Values) string {
	s := fullURL
	for _, k := range slices.Sorted(maps.Keys(form)) {
		s += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// InboundForm is an incoming message as Twilio posts it.
func InboundForm(sid, accountSID, from, to, body string) url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {sid}, "NumMedia": {"0"}, "ToCity": {"SAN BRUNO"},
		"FromZip": {"94030"}, "SmsSid": {sid}, "FromState": {"CA"}, "SmsStatus": {"received"}, "FromCity": {"SAN BRUNO"},
		"Body": {body}, "FromCountry": {"US"}, "To": {to}, "ToZip": {"94030"}, "NumSegments": {"1"}, "MessageSid": {sid},
		"AccountSid": {accountSID}, "From": {from}, "ApiVersion": {APIVersion},
	}
}

// StatusForm is a status callback as Twilio posts it.
func StatusForm(sid, accountSID, from, to, status string) url.Values {
	return url.Values{"SmsSid": {sid}, "SmsStatus": {status}, "MessageStatus": {status}, "To": {to}, "MessageSid": {sid},
		"AccountSid": {accountSID}, "From": {from}, "ApiVersion": {APIVersion}}
}

// PostSigned posts a webhook to fullURL as Twilio does, signed with token
// ("" for no signature), and returns the status, content type and body.
func PostSigned(t testing.TB, fullURL, token string, form url.Values) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fullURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	if token != "" {
		req.Header.Set("X-Twilio-Signature", Sign(token, fullURL, form))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// PostStatus reports on a text the server took, as Twilio does: a status
// callback to the StatusCallback the text was sent with, about message sid,
// signed with the token of the account it was sent under. It fails the
// test unless the center answers 2xx.
func (s *Server) PostStatus(t testing.TB, text url.Values, sid, status string) {
	t.Helper()
	callback := text.Get("StatusCallback")
	if callback == "" {
		t.Fatalf("text to %s was sent without a StatusCallback", text.Get("To"))
	}
	account := s.accountOf(t, text)
	code, _, body := PostSigned(t, callback, s.accounts[account],
		StatusForm(sid, account, text.Get("From"), text.Get("To"), status))
	if code/100 != 2 {
		t.Fatalf("status callback answered %d: %s", code, body)
	}
}

// accountOf is the account a text taken by the server was sent under.
func (s *Server) accountOf(t testing.TB, form url.Values) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent {
		if sameForm(m.form, form) {
			return m.account
		}
	}
	t.Fatalf("the fake Twilio took no text to %s", form.Get("To"))
	return ""
}

func sameForm(a, b url.Values) bool {
	return maps.EqualFunc(a, b, slices.Equal)
}
