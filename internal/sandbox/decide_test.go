package sandbox_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/sandbox"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestDecide(t *testing.T) {
	cases := []struct {
		state sandbox.State
		want  sandbox.Action
	}{
		{sandbox.State{}, sandbox.Send},
		{sandbox.State{Sandbox: true}, sandbox.Capture},
		{sandbox.State{Suspended: true}, sandbox.Hold},
		{sandbox.State{Sandbox: true, Suspended: true}, sandbox.Hold},
	}
	for _, c := range cases {
		if got := sandbox.Decide(c.state); got != c.want {
			t.Errorf("Decide(%+v) = %s, want %s", c.state, got, c.want)
		}
	}
	if got := sandbox.Decide(sandbox.StateOf(tenant.Tenant{Sandbox: true})); got != sandbox.Capture {
		t.Errorf("a sandbox tenant: %s", got)
	}
	for name, leaves := range map[string]bool{"email": true, "sms": true, "webpush": true, "whatsapp": true, "webchat": false, "portal": false, "api": false} {
		if sandbox.LeavesSystem(name) != leaves {
			t.Errorf("LeavesSystem(%q) = %v", name, !leaves)
		}
	}
}

func TestEvaluateChecklist(t *testing.T) {
	mail := channel.Account{Channel: "email", Address: "help@acme.test", Settings: map[string]string{"dkim_selector": "s1"}}
	widget := channel.Account{Channel: "webchat", Address: "wk_1"}
	cases := []struct {
		name    string
		facts   sandbox.Facts
		failing []string
	}{
		{"empty", sandbox.Facts{}, []string{"channels", "queue", "agent"}},
		{"widget, queue, agent", sandbox.Facts{Accounts: []channel.Account{widget}, Queues: 1, Agents: 2}, nil},
		{"mail without records", sandbox.Facts{Accounts: []channel.Account{mail}, Queues: 1, Agents: 1}, []string{"mail_domain:acme.test"}},
		{"mail with SPF only", sandbox.Facts{Accounts: []channel.Account{mail}, Queues: 1, Agents: 1,
			TXT: map[string][]string{"acme.test": {"google-site-verification=x", "v=spf1 mx ~all"}}}, []string{"mail_domain:acme.test"}},
		{"mail with the DKIM key at another selector", sandbox.Facts{Accounts: []channel.Account{mail}, Queues: 1, Agents: 1,
			TXT: map[string][]string{"acme.test": {"v=spf1 mx ~all"}, "switchboard._domainkey.acme.test": {"v=DKIM1; p=x"}}}, []string{"mail_domain:acme.test"}},
		{"mail authenticated", sandbox.Facts{Accounts: []channel.Account{mail}, Queues: 1, Agents: 1,
			TXT: map[string][]string{"acme.test": {"v=spf1 mx ~all"}, "s1._domainkey.acme.test": {"V=DKIM1; p=x"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := sandbox.Evaluate(c.facts)
			var keys []string
			for _, it := range got.Failing() {
				keys = append(keys, it.Key)
				if len(it.Guidance) == 0 {
					t.Errorf("failing item %s says nothing of how to fix it", it.Key)
				}
			}
			if strings.Join(keys, ",") != strings.Join(c.failing, ",") || got.Ready != (len(c.failing) == 0) {
				t.Errorf("failing %v (ready %v), want %v", keys, got.Ready, c.failing)
			}
		})
	}
}
