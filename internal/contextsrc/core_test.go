package contextsrc_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func TestParseAnswer(t *testing.T) {
	good := `{"request_id":"r1","items":[{"type":"card","title":"Visa •••• 4242","fields":[{"label":"Limit","value":"5,000 EUR"}],
		"status":"blocked","amount":{"value":"-12.50","currency":"EUR"},"date":"2026-12-01T10:00:00Z","link":"https://bank.example/c/1","importance":"high","reason":"blocked abroad"}]}`
	items, err := contextsrc.ParseAnswer([]byte(good), "r1")
	if err != nil || len(items) != 1 || items[0].Amount.Value != "-12.50" || items[0].Date == nil || items[0].Fields[0].Label != "Limit" {
		t.Fatalf("good answer: %+v, %v", items, err)
	}
	if items, err := contextsrc.ParseAnswer([]byte(`{"request_id":"r1","items":[]}`), "r1"); err != nil || items == nil || len(items) != 0 {
		t.Errorf("empty answer: %v %v", items, err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"other request", `{"request_id":"r2","items":[]}`, "request_id"},
		{"unknown field", `{"request_id":"r1","items":[{"type":"card","title":"x","colour":"red"}]}`, "colour"},
		{"unknown type", `{"request_id":"r1","items":[{"type":"boat","title":"x"}]}`, "items[0].type"},
		{"no title", `{"request_id":"r1","items":[{"type":"card","title":" "}]}`, "items[0].title: required"},
		{"float amount", `{"request_id":"r1","items":[{"type":"loan","title":"x","amount":{"value":"1e3","currency":"EUR"}}]}`, "amount.value"},
		{"currency", `{"request_id":"r1","items":[{"type":"loan","title":"x","amount":{"value":"10","currency":"euro"}}]}`, "amount.currency"},
		{"javascript link", `{"request_id":"r1","items":[{"type":"card","title":"x","link":"javascript:alert(1)"}]}`, "link"},
		{"importance", `{"request_id":"r1","items":[{"type":"card","title":"x","importance":"urgent"}]}`, "importance"},
		{"control character", `{"request_id":"r1","items":[{"type":"card","title":"a\u0007b"}]}`, "control"},
		{"not json", `<html>`, "invalid"},
	} {
		_, err := contextsrc.ParseAnswer([]byte(tc.body), "r1")
		if !errors.Is(err, contextsrc.ErrAnswer) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an ErrAnswer naming %q", tc.name, err, tc.want)
		}
	}
	many := `{"request_id":"r1","items":[` + strings.Repeat(`{"type":"card","title":"x"},`, contextsrc.MaxItems) + `{"type":"card","title":"x"}]}`
	if _, err := contextsrc.ParseAnswer([]byte(many), "r1"); err == nil {
		t.Error("more than MaxItems items accepted")
	}
}

func TestBreaker(t *testing.T) {
	p := contextsrc.BreakerPolicy{Failures: 3, Cooldown: 10 * time.Second}
	var b contextsrc.Breaker
	now := t0
	for i := range 3 {
		if !b.Allow(p, now) {
			t.Fatalf("call %d refused while closed", i)
		}
		b.Done(p, now, false)
	}
	if b.State(p, now) != contextsrc.Open || b.Allow(p, now.Add(9*time.Second)) {
		t.Fatalf("three failures: %s, want open and refusing", b.State(p, now))
	}
	now = now.Add(10 * time.Second)
	if b.State(p, now) != contextsrc.HalfOpen || !b.Allow(p, now) {
		t.Fatal("after the cool-down: want one trial call")
	}
	if b.Allow(p, now) {
		t.Fatal("a second call while the trial is out")
	}
	b.Done(p, now, false) // the trial failed: open again, for a whole cool-down
	if b.State(p, now.Add(9*time.Second)) != contextsrc.Open {
		t.Fatal("failed trial did not reopen")
	}
	now = now.Add(10 * time.Second)
	b.Allow(p, now)
	b.Done(p, now, true)
	if b.State(p, now) != contextsrc.Closed {
		t.Fatal("successful trial did not close")
	}
	b.Done(p, now, false) // failures count again from zero
	b.Done(p, now, false)
	if b.State(p, now) != contextsrc.Closed {
		t.Fatal("two failures after closing opened it")
	}
	b.Done(p, now, true)
	b.Done(p, now, false)
	b.Done(p, now, false)
	if b.State(p, now) != contextsrc.Closed {
		t.Fatal("a success did not reset the count")
	}
}

func TestCache(t *testing.T) {
	c := contextsrc.NewCache(2)
	items := []contextsrc.Item{{Type: "card", Title: "x"}}
	c.Put("t1", "c1", "p1", items, t0, time.Minute)
	if got, ok := c.Get("t1", "c1", "p1", t0.Add(59*time.Second)); !ok || len(got) != 1 {
		t.Fatal("fresh entry not found")
	}
	if _, ok := c.Get("t2", "c1", "p1", t0); ok {
		t.Fatal("another tenant's entry found")
	}
	if _, ok := c.Get("t1", "c1", "p1", t0.Add(time.Minute)); ok {
		t.Fatal("expired entry found")
	}
	c.Put("t1", "c1", "p1", items, t0, 0)
	if c.Len() != 0 {
		t.Fatal("ttl 0 kept an entry")
	}
	c.Put("t1", "c1", "p1", items, t0, time.Minute)
	c.Put("t1", "c1", "p2", items, t0, 2*time.Minute)
	c.Put("t1", "c1", "p3", items, t0, 3*time.Minute) // full: p1 expires first and goes
	if _, ok := c.Get("t1", "c1", "p1", t0); ok || c.Len() != 2 {
		t.Fatalf("eviction: len %d", c.Len())
	}
	c.Forget("t1", "c1")
	if c.Len() != 0 {
		t.Fatal("Forget left entries")
	}
}
