package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// A business system posts a customer's message on the API channel, an agent
// answers on it, the answer reaches the system as a signed api_channel.message
// webhook, and the system's receipt moves the message to delivered.
func TestAPIChannelRoundTrip(t *testing.T) {
	w := newWorld(t)
	type hook struct {
		sig  string
		body []byte
	}
	got := make(chan hook, 20)
	recv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- hook{r.Header.Get("Switchboard-Signature"), b}
		rw.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	admin := w.A.admin.in(t)
	var ep struct{ ID, Secret string }
	admin.do("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL, "description": "gateway", "event_types": []string{"api_channel.message"}}).
		want(http.StatusCreated).decode(&ep)

	system := keyClient(t, w.A.admin, "conversations:write")
	post := map[string]any{"from": map[string]string{"kind": "external", "value": "crm-4711"}, "name": "Ana Lima",
		"external_id": "wa-1", "body": "Is my card on its way?",
		"attachments": []map[string]any{{"name": "photo.txt", "content_type": "text/plain", "data": []byte("a photo, say")}}}
	var in struct {
		Persona      struct{ ID string }
		Conversation struct{ ID, Channel string }
		Message      struct {
			ID          string
			Attachments []struct{ ID string }
		}
		Duplicate bool
	}
	system.do("POST", "/api/v1/channels/api/messages", post).want(http.StatusCreated).decode(&in)
	if in.Conversation.Channel != "api" || len(in.Message.Attachments) != 1 || in.Duplicate {
		t.Fatalf("ingested %+v", in)
	}
	var again struct{ Duplicate bool }
	system.do("POST", "/api/v1/channels/api/messages", post).want(http.StatusOK).decode(&again)
	if !again.Duplicate {
		t.Fatal("a retry with the same external_id was stored again")
	}
	system.do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "phone", "value": "not a number"}, "body": "x"}).
		wantProblem(http.StatusUnprocessableEntity, "validation")
	system.do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "external", "value": "x"}, "body": ""}).
		wantProblem(http.StatusUnprocessableEntity, "validation")

	var reply struct{ ID, Channel string }
	admin.do("POST", "/api/v1/conversations/"+in.Conversation.ID+"/messages", map[string]any{"body": "Yes, it left today."}).
		want(http.StatusCreated).decode(&reply)
	if reply.Channel != "api" {
		t.Fatalf("reply on %q", reply.Channel)
	}
	var h hook
	select {
	case h = <-got:
	case <-time.After(15 * time.Second):
		t.Fatal("no api_channel.message webhook")
	}
	if err := webhook.Verify(ep.Secret, h.sig, h.body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var ev struct {
		Type string
		Data struct {
			MessageID string `json:"message_id"`
			PersonaID string `json:"persona_id"`
			Body      string
		}
	}
	if err := json.Unmarshal(h.body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "api_channel.message" || ev.Data.MessageID != reply.ID || ev.Data.PersonaID != in.Persona.ID || ev.Data.Body != "Yes, it left today." {
		t.Fatalf("webhook %s", h.body)
	}
	system.do("POST", "/api/v1/channels/api/receipts", map[string]string{"message_id": reply.ID, "status": "delivered"}).want(http.StatusNoContent)
	var timeline struct {
		Items []struct{ ID, Status string }
	}
	admin.do("GET", "/api/v1/conversations/"+in.Conversation.ID+"/messages", nil).want(http.StatusOK).decode(&timeline)
	found := false
	for _, m := range timeline.Items {
		if m.ID == reply.ID {
			found = m.Status == "delivered"
		}
	}
	if !found {
		t.Fatalf("reply not delivered in %+v", timeline.Items)
	}

	// The agent reads the customer's message and types; both are accepted.
	var read struct{ Marked int }
	admin.do("POST", "/api/v1/conversations/"+in.Conversation.ID+"/read", map[string]any{}).want(http.StatusOK).decode(&read)
	if read.Marked != 1 {
		t.Fatalf("marked %d read, want 1", read.Marked)
	}
	admin.do("POST", "/api/v1/conversations/"+in.Conversation.ID+"/typing", map[string]any{"on": true}).want(http.StatusNoContent)

	// Tenant B's system cannot post into A's conversation.
	other := keyClient(t, w.B.admin, "conversations:write")
	other.do("POST", "/api/v1/channels/api/messages", map[string]any{"from": map[string]string{"kind": "external", "value": "crm-4711"},
		"conversation_id": in.Conversation.ID, "body": "sneaky"}).wantProblem(http.StatusNotFound, "not-found")
}

// Channel accounts: addresses are normalised, secrets shown once then masked,
// an address belongs to one tenant, and read-only keys cannot manage them.
func TestChannelAccounts(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin.in(t)
	var acc struct {
		ID, Address string
		Settings    map[string]string
	}
	admin.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "loop", "address": "desk-1",
		"settings": map[string]string{"auth_token": "tok_0123456789abcdef", "region": "eu"}}).want(http.StatusCreated).decode(&acc)
	if acc.Settings["auth_token"] != "tok_0123456789abcdef" {
		t.Fatalf("created account should show its secret once: %+v", acc.Settings)
	}
	var list struct {
		Items []struct {
			ID       string
			Settings map[string]string
		}
	}
	admin.do("GET", "/api/v1/channel-accounts?channel=loop", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 1 || list.Items[0].Settings["auth_token"] != "••••cdef" || list.Items[0].Settings["region"] != "eu" {
		t.Fatalf("listed %+v", list.Items)
	}
	if bytes.Contains(admin.do("GET", "/api/v1/channel-accounts", nil).want(http.StatusOK).body, []byte("0123456789")) {
		t.Fatal("the list leaks a secret")
	}
	w.B.admin.in(t).do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "loop", "address": "desk-1"}).
		wantProblem(http.StatusUnprocessableEntity, "validation")
	admin.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "fax", "address": "1"}).
		wantProblem(http.StatusUnprocessableEntity, "validation")
	reader := keyClient(t, w.A.admin, "read")
	reader.do("GET", "/api/v1/channel-accounts", nil).wantProblem(http.StatusForbidden, "forbidden")
	var chans struct {
		Items []struct {
			Name         string
			Capabilities struct{ Identifier string }
		}
	}
	reader.do("GET", "/api/v1/channels", nil).want(http.StatusOK).decode(&chans)
	if len(chans.Items) != 3 || chans.Items[0].Name != "api" || chans.Items[1].Name != "loop" || chans.Items[1].Capabilities.Identifier != "external" ||
		chans.Items[2].Name != "portal" {
		t.Fatalf("channels %+v", chans.Items)
	}
	admin.do("DELETE", "/api/v1/channel-accounts/"+acc.ID, nil).want(http.StatusNoContent)
	admin.do("DELETE", "/api/v1/channel-accounts/"+acc.ID, nil).wantProblem(http.StatusNotFound, "not-found")
}
