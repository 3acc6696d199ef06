package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// gateChannel refuses every message, as a relay refusing mail would, until
// it is opened.
type gateChannel struct{ open *atomic.Bool }

func (gateChannel) Name() string { return "gate" }
func (gateChannel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Identifier: "external", MaxLength: 1000}
}
func (g gateChannel) Send(_ context.Context, out channel.Outbound) (channel.Sent, error) {
	if !g.open.Load() {
		return channel.Sent{}, errors.Join(errors.New("relay said 554 5.7.1 relay access denied"), channel.ErrPermanent)
	}
	return channel.Sent{ExternalID: "gate-" + out.MessageID}, nil
}

type healthItem struct {
	Channel  string `json:"channel"`
	State    string `json:"state"`
	Detail   string `json:"detail"`
	Failures int    `json:"failures"`
}

func healthOf(t *testing.T, c *client, ch string) (healthItem, bool) {
	t.Helper()
	var out struct{ Items []healthItem }
	c.in(t).do("GET", "/api/v1/channels/health", nil).want(http.StatusOK).decode(&out)
	for _, h := range out.Items {
		if h.Channel == ch {
			return h, true
		}
	}
	return healthItem{}, false
}

// TestFailedDeliveryAndRetry: replies a channel refuses fail with their reason
// and time on the message; three in a row make the channel "failing" in the
// health answer (tenant B sees nothing of it); Retry after the fix sends the
// message once however often it is pressed, is audited, and the channel is
// "ok" again. Another tenant's retry is a 404. On both engines.
func TestFailedDeliveryAndRetry(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			open := &atomic.Bool{}
			w := newWorld(t, withEngine(e), withChannels(gateChannel{open: open}))
			res, err := w.inbox.Ingest(context.Background(), inbox.Inbound{TenantID: w.A.Tenant.ID, Channel: "gate",
				From: persona.Identifier{Kind: persona.KindExternal, Value: "cust-1"}, FromName: "Cora", Body: "Hello?"})
			if err != nil {
				t.Fatal(err)
			}
			conv := res.Conversation.ID
			admin := w.A.admin
			var ids []string
			for i := range channel.FailingAfter {
				var m struct{ ID string }
				admin.in(t).do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"body": "Reply " + string(rune('A'+i))}).
					want(http.StatusCreated).decode(&m)
				ids = append(ids, m.ID)
			}
			type message struct {
				ID     string `json:"id"`
				Status string `json:"status"`
				Meta   struct {
					Failure *struct {
						Reason string    `json:"reason"`
						At     time.Time `json:"at"`
					} `json:"delivery_failure"`
				} `json:"meta"`
			}
			statusOf := func(id string) message {
				var page struct{ Items []message }
				admin.in(t).do("GET", "/api/v1/conversations/"+conv+"/messages?limit=50", nil).want(http.StatusOK).decode(&page)
				for _, m := range page.Items {
					if m.ID == id {
						return m
					}
				}
				t.Fatalf("message %s not in its conversation", id)
				return message{}
			}
			waitFor := func(what string, ok func() bool) {
				t.Helper()
				for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("timed out waiting for %s", what)
					}
				}
			}
			for _, id := range ids {
				waitFor("the reply to fail", func() bool { return statusOf(id).Status == "failed" })
			}
			m := statusOf(ids[0])
			if m.Meta.Failure == nil || !strings.Contains(m.Meta.Failure.Reason, "relay access denied") || m.Meta.Failure.At.IsZero() {
				t.Fatalf("the failed message does not say why and when: %+v", m.Meta.Failure)
			}
			h, ok := healthOf(t, admin, "gate")
			if !ok || h.State != channel.HealthFailing || h.Failures != channel.FailingAfter || !strings.Contains(h.Detail, "relay access denied") {
				t.Fatalf("health %+v (listed %v), want failing after %d failures with the reason", h, ok, channel.FailingAfter)
			}
			if h, ok := healthOf(t, w.B.admin, "gate"); ok {
				t.Fatalf("tenant B sees tenant A's channel health: %+v", h)
			}

			// Another tenant cannot retry it.
			w.B.admin.in(t).do("POST", "/api/v1/messages/"+ids[0]+"/retry", nil).wantProblem(http.StatusNotFound, "not-found")
			if statusOf(ids[0]).Status != "failed" {
				t.Fatal("tenant B's retry changed tenant A's message")
			}

			// Fixed: Retry sends it, once.
			open.Store(true)
			var first, second struct {
				Retried bool `json:"retried"`
			}
			admin.in(t).do("POST", "/api/v1/messages/"+ids[0]+"/retry", nil).want(http.StatusOK).decode(&first)
			admin.in(t).do("POST", "/api/v1/messages/"+ids[0]+"/retry", nil).want(http.StatusOK).decode(&second)
			if !first.Retried || second.Retried {
				t.Fatalf("retried %v then %v, want true then false", first.Retried, second.Retried)
			}
			waitFor("the retried reply to be sent", func() bool { return statusOf(ids[0]).Status == "sent" })
			if f := statusOf(ids[0]).Meta.Failure; f != nil {
				t.Fatalf("the sent message still carries its failure: %+v", f)
			}
			waitFor("the channel to be ok", func() bool { h, _ := healthOf(t, admin, "gate"); return h.State == channel.HealthOK })
			var audit struct {
				Items []struct {
					Action   string `json:"action"`
					TargetID string `json:"target_id"`
				}
			}
			admin.in(t).do("GET", "/api/v1/audit-log?limit=100", nil).want(http.StatusOK).decode(&audit)
			n := 0
			for _, a := range audit.Items {
				if a.Action == "message.retry" && a.TargetID == ids[0] {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d message.retry audit records, want 1", n)
			}
			// An inbound message cannot be "retried".
			admin.in(t).do("POST", "/api/v1/messages/"+res.Message.ID+"/retry", nil).wantProblem(http.StatusUnprocessableEntity, "validation")
		})
	}
}
