package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// hit is one POST a webhook receiver got.
type hit struct {
	delivery, signature string
	body                []byte
}

// A node killed with SIGKILL while a webhook POST is in flight loses nothing:
// after a restart the delivery is made again, with the same delivery id.
func TestWebhookSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	hits := make(chan hit, 10)
	release := make(chan struct{})
	first := true
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits <- hit{r.Header.Get(webhook.HeaderDelivery), r.Header.Get(webhook.HeaderSignature), body}
		if first { // hold the first attempt open until the node is dead
			first = false
			<-release
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	defer close(release)

	n := startNode(t, nodeOptions{Demo: true, Env: []string{
		"SWITCHBOARD_JOB_TIMEOUT=2s", "SWITCHBOARD_JOB_RESCUE_AFTER=3s", "SWITCHBOARD_WEBHOOK_TIMEOUT=1s",
		"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8", // the receiver is on loopback
	}})
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")
	var ep struct{ ID, Secret string }
	c.do("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL + "/hook", "event_types": []string{"webhook.ping"}}, 201, &ep)
	var ping struct {
		DeliveryID string `json:"delivery_id"`
	}
	c.do("POST", "/api/v1/webhooks/"+ep.ID+"/ping", nil, 202, &ping)

	var h1 hit
	select {
	case h1 = <-hits:
	case <-time.After(30 * time.Second):
		t.Fatal("the first delivery attempt never arrived")
	}
	n.Kill() // mid-delivery: the receiver has the request and has not answered
	n.Restart()

	var h2 hit
	select {
	case h2 = <-hits:
	case <-time.After(90 * time.Second):
		t.Fatal("the delivery was lost: nothing arrived within 90 s of the restart")
	}
	if h1.delivery != ping.DeliveryID || h2.delivery != ping.DeliveryID {
		t.Fatalf("delivery ids %q then %q, want %q both times (receivers dedupe by it)", h1.delivery, h2.delivery, ping.DeliveryID)
	}
	if err := webhook.Verify(ep.Secret, h2.signature, h2.body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("redelivery signature: %v", err)
	}
	c = newClient(t, n.URL)
	c.login("admin@northwind.example")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d struct {
			Status   string
			Attempts []struct {
				StatusCode int `json:"status_code"`
			}
		}
		c.do("GET", "/api/v1/webhook-deliveries/"+ping.DeliveryID, nil, 200, &d)
		if d.Status == "succeeded" {
			if last := d.Attempts[len(d.Attempts)-1]; last.StatusCode != 204 {
				t.Fatalf("last attempt status %d, want 204", last.StatusCode)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery status %q after redelivery, want succeeded", d.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
