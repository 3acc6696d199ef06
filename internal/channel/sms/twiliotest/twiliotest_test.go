package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
)

// call makes a request to the fake as Twilio's clients do and decodes the
// JSON answer.
func call(t *testing.T, tw *twiliotest.Server, method, sid, token, query string, form url.Values) (int, map[string]any) {
	t.Helper()
	u := tw.URL + "/2010-04-01/Accounts/" + sid + "/Messages.json"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(sid, token)
	resp, err := tw.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, u, err)
	}
	return resp.StatusCode, body
}

func text(to, body string) url.Values {
	return url.Values{"To": {to}, "From": {"+15005550006"}, "Body": {body}}
}

func TestCreateAndList(t *testing.T) {
	tw := twiliotest.New(t, map[string]string{"ACa": "token-a", "ACb": "token-b"})
	tw.FailTo("+15005550001", twiliotest.Failure{Status: 400, Code: 21211, Message: "not a valid phone number"})
	for _, tc := range []struct {
		name, sid, token string
		form             url.Values
		status           int
		code             float64 // Twilio's error code, 0 when taken
	}{
		{"taken", "ACa", "token-a", text("+4915112345678", "first"), 201, 0},
		{"a wrong token", "ACa", "token-b", text("+4915112345678", "forged"), 401, 20003},
		{"an unknown account", "ACz", "token-a", text("+4915112345678", "forged"), 401, 20003},
		{"a number that fails", "ACa", "token-a", text("+15005550001", "x"), 400, 21211},
		{"no sender", "ACa", "token-a", url.Values{"To": {"+4915112345678"}, "Body": {"x"}}, 400, 21603},
		{"taken again", "ACa", "token-a", text("+4915112345678", "second"), 201, 0},
		{"another number", "ACa", "token-a", text("+4915199999999", "third"), 201, 0},
	} {
		status, body := call(t, tw, http.MethodPost, tc.sid, tc.token, "", tc.form)
		if status != tc.status || body["code"] != nil && body["code"] != tc.code {
			t.Errorf("%s: %d %v, want %d with code %v", tc.name, status, body, tc.status, tc.code)
		}
		if tc.code == 0 && (body["sid"] == nil || body["status"] != "queued") {
			t.Errorf("%s: answer %v has no sid or is not queued", tc.name, body)
		}
		if tc.code != 0 && (body["message"] == nil || body["status"] != float64(tc.status)) {
			t.Errorf("%s: error body %v lacks Twilio's message and status", tc.name, body)
		}
	}
	if got := len(tw.Texts()); got != 3 || tw.Calls() != 7 {
		t.Fatalf("%d texts taken in %d calls, want 3 in 7", got, tw.Calls())
	}

	_, page := call(t, tw, http.MethodGet, "ACa", "token-a", "To=%2B4915112345678", nil)
	msgs, _ := page["messages"].([]any)
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, m.(map[string]any)["body"].(string))
	}
	if strings.Join(bodies, ",") != "second,first" {
		t.Errorf("list by To gave %v, want second,first (newest first)", bodies)
	}
	if _, page := call(t, tw, http.MethodGet, "ACb", "token-b", "To=%2B4915112345678", nil); len(page["messages"].([]any)) != 0 {
		t.Errorf("account ACb listed ACa's texts: %v", page["messages"])
	}
}

func TestFailAndAwait(t *testing.T) {
	tw := twiliotest.New(t, map[string]string{"ACa": "token-a"})
	tw.Fail(503)
	if status, body := call(t, tw, http.MethodPost, "ACa", "token-a", "", text("+4915112345678", "x")); status != 503 || body["code"] != float64(20500) {
		t.Fatalf("while failing: %d %v", status, body)
	}
	tw.Fail(0)
	done := tw.Await(2)
	call(t, tw, http.MethodPost, "ACa", "token-a", "", text("+4915112345678", "one"))
	select {
	case <-done:
		t.Fatal("Await(2) fired after one text")
	default:
	}
	call(t, tw, http.MethodPost, "ACa", "token-a", "", text("+4915112345678", "two"))
	<-done
	if got := (<-tw.Taken()).Get("Body"); got != "one" {
		t.Errorf("Taken gave %q first, want one", got)
	}
}

// TestSignVector checks Sign against the published vector of Twilio's Go
// helper library (twilio/twilio-go, client/request_validator_test.go).
func TestSignVector(t *testing.T) {
	params := url.Values{"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"}}
	if got := twiliotest.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params); got != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Errorf("Sign = %s, want RSOYDt4T1cUTdK1PDd93/VVr8B8=", got)
	}
}
