package sla

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestPolicyJSON(t *testing.T) {
	in := `{"first_response":"4h","next_response":1800,"resolution":"72h","warn_at":0.75,
		"calendar":{"time_zone":"Asia/Kolkata","hours":{"mon":[["09:00","17:00"]]}},
		"escalations":[{"on":"breach","target":"any","raise_priority":3,"move_to_queue":"tier2","notify_supervisor":true}]}`
	var p Policy
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if p.FirstResponse != 4*time.Hour || p.NextResponse != 30*time.Minute || p.Resolution != 72*time.Hour || p.WarnAt != 0.75 {
		t.Fatalf("policy = %+v", p)
	}
	if len(p.Escalations) != 1 || p.Escalations[0].MoveToQueue != "tier2" {
		t.Fatalf("policy = %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(out, &fields); err != nil {
		t.Fatal(err)
	}
	if fields["first_response"] != "4h0m0s" || fields["next_response"] != "30m0s" {
		t.Fatalf("durations marshal as %v, %v", fields["first_response"], fields["next_response"])
	}
	// A calendar stored by an older version is read past, not kept: the
	// queue's calendar is the one clocks count in.
	if _, ok := fields["calendar"]; ok {
		t.Fatalf("a policy still writes a calendar: %s", out)
	}
	var back Policy
	if err := json.Unmarshal(out, &back); err != nil || back.Resolution != p.Resolution || back.Escalations[0] != p.Escalations[0] {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	for _, bad := range []string{`{"first_response":"soon"}`, `{"first_response":1.5}`, `{"first_response":true}`, `{"resolution":99999999999999}`} {
		if err := json.Unmarshal([]byte(bad), &p); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     Policy
		field string
	}{
		{"negative", Policy{NextResponse: -time.Minute}, "next_response"},
		{"warn at 1", Policy{FirstResponse: time.Hour, WarnAt: 1}, "warn_at"},
		{"negative warn", Policy{FirstResponse: time.Hour, WarnAt: -0.1}, "warn_at"},
		{"escalation on", Policy{Escalations: []Escalation{{On: "late", Target: "any"}}}, "escalations[0].on"},
		{"escalation target", Policy{Escalations: []Escalation{{On: "breach", Target: "any"}, {On: "breach", Target: "csat"}}}, "escalations[1].target"},
		{"escalation priority", Policy{Escalations: []Escalation{{On: "warning", Target: "resolution", RaisePriority: 4}}}, "escalations[0].raise_priority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Validate() = %v, want an error on %s", err, tc.field)
			}
		})
	}
	if err := (&Policy{}).Validate(); err != nil {
		t.Fatalf("an empty policy (nothing tracked): %v", err)
	}
	if got := (&Policy{}).Warn(); got != DefaultWarnAt {
		t.Fatalf("default warn share = %v", got)
	}
}
