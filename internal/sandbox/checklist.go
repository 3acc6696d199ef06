package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TXTResolver looks up DNS TXT records; *net.Resolver is one, and
// NewResolver points one at a chosen server.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// NewResolver returns a resolver that asks server ("host:port", UDP) for
// every name, or the system's resolver when server is empty.
func NewResolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}
}

// lookupBudget bounds the DNS lookups of one checklist: a slow resolver
// makes the mail items fail with "lookup failed", not the page hang.
const lookupBudget = 5 * time.Second

// DefaultDKIMSelector is the DKIM selector looked up when a mail address's
// settings name none (setting "dkim_selector"): the one to give the relay.
const DefaultDKIMSelector = "switchboard"

// Item is one thing checked before going live.
type Item struct {
	Key    string `json:"key"` // "channels", "mail_domain:<domain>", "queue", "agent"
	Title  string `json:"title"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	// Guidance says how to make it pass: the DNS records to publish, the
	// page to open.
	Guidance []string `json:"guidance,omitempty"`
}

// Checklist is a workspace's readiness to go live.
type Checklist struct {
	Sandbox bool   `json:"sandbox"`
	Ready   bool   `json:"ready"`
	Items   []Item `json:"items"`
}

// Failing lists the items that do not pass.
func (c Checklist) Failing() []Item {
	var out []Item
	for _, it := range c.Items {
		if !it.OK {
			out = append(out, it)
		}
	}
	return out
}

// Facts are what the checklist is judged on, gathered by Check.
type Facts struct {
	Sandbox  bool
	Accounts []channel.Account
	Queues   int
	Agents   int // enabled users with the agent role
	// TXT holds each looked-up name's TXT records; Lookup the error of a
	// lookup that failed for another reason than the name not existing.
	TXT    map[string][]string
	Lookup map[string]error
}

// Evaluate judges the facts: the pure core of the checklist.
func Evaluate(f Facts) Checklist {
	c := Checklist{Sandbox: f.Sandbox}
	chans := map[string]bool{}
	for _, a := range f.Accounts {
		chans[a.Channel] = true
	}
	names := make([]string, 0, len(chans))
	for n := range chans {
		names = append(names, n)
	}
	sort.Strings(names)
	ch := Item{Key: "channels", Title: "A channel is connected", OK: len(names) > 0}
	if ch.OK {
		ch.Detail = "connected: " + strings.Join(names, ", ")
	} else {
		ch.Detail = "no channel has an address yet"
		ch.Guidance = []string{"Admin → Channels: add a web chat widget, a support mail address or an SMS number."}
	}
	c.Items = append(c.Items, ch)
	for _, d := range mailDomains(f.Accounts) {
		c.Items = append(c.Items, mailDomainItem(d, f))
	}
	q := Item{Key: "queue", Title: "A queue routes conversations", OK: f.Queues > 0, Detail: fmt.Sprintf("%d queue(s)", f.Queues)}
	if !q.OK {
		q.Guidance = []string{"Admin → Routing: create a queue."}
	}
	ag := Item{Key: "agent", Title: "An agent can answer", OK: f.Agents > 0, Detail: fmt.Sprintf("%d agent(s)", f.Agents)}
	if !ag.OK {
		ag.Guidance = []string{"Admin → Users: add or invite someone with the agent role."}
	}
	c.Items = append(c.Items, q, ag)
	c.Ready = len(c.Failing()) == 0
	return c
}

// mailDomain is a sending domain and the DKIM selector to look up for it.
type mailDomain struct{ domain, selector string }

func mailDomains(accs []channel.Account) []mailDomain {
	seen := map[mailDomain]bool{}
	var out []mailDomain
	for _, a := range accs {
		if a.Channel != "email" {
			continue
		}
		_, domain, ok := strings.Cut(a.Address, "@")
		if !ok || domain == "" {
			continue
		}
		sel := strings.TrimSpace(a.Settings["dkim_selector"])
		if sel == "" {
			sel = DefaultDKIMSelector
		}
		d := mailDomain{strings.ToLower(domain), sel}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].domain+out[i].selector < out[j].domain+out[j].selector })
	return out
}

func dkimName(d mailDomain) string { return d.selector + "._domainkey." + d.domain }

// mailDomainItem checks that a sending domain publishes SPF (a TXT record
// "v=spf1 …" at the domain) and a DKIM key (a TXT record "v=DKIM1 …" at
// <selector>._domainkey.<domain>): without them receivers file the
// workspace's replies as spam, or refuse them.
func mailDomainItem(d mailDomain, f Facts) Item {
	it := Item{Key: "mail_domain:" + d.domain, Title: "Mail from " + d.domain + " is authenticated (SPF, DKIM)"}
	spf, spfErr := record(f, d.domain, "v=spf1")
	dkim, dkimErr := record(f, dkimName(d), "v=dkim1")
	var missing []string
	if spf == "" {
		missing = append(missing, "SPF"+lookupNote(spfErr))
		it.Guidance = append(it.Guidance, fmt.Sprintf(`Publish a TXT record at %s: "v=spf1 include:<your mail relay's SPF domain> ~all" (your relay's documentation names it).`, d.domain))
	}
	if dkim == "" {
		missing = append(missing, "DKIM"+lookupNote(dkimErr))
		it.Guidance = append(it.Guidance, fmt.Sprintf(`Have your mail relay sign for %s with the selector %q and publish its key as a TXT record at %s: "v=DKIM1; k=rsa; p=<the relay's public key>". Another selector: set dkim_selector on the mail address.`, d.domain, d.selector, dkimName(d)))
	}
	it.OK = len(missing) == 0
	if it.OK {
		it.Detail = fmt.Sprintf("SPF: %s; DKIM at %s", spf, dkimName(d))
	} else {
		it.Detail = "missing: " + strings.Join(missing, ", ")
	}
	return it
}

// record finds the TXT record at name that starts with prefix (case aside).
func record(f Facts, name, prefix string) (string, error) {
	for _, v := range f.TXT[name] {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), prefix) {
			return v, nil
		}
	}
	return "", f.Lookup[name]
}

func lookupNote(err error) string {
	if err == nil {
		return ""
	}
	return " (lookup failed: " + err.Error() + ")"
}

// Check gathers the workspace's facts — its addresses, queues, agents and
// its sending domains' DNS records — and evaluates them.
func (s *Service) Check(ctx context.Context, tenantID string) (Checklist, error) {
	t, err := s.d.DB.Tenant(ctx, tenantID)
	if err != nil {
		return Checklist{}, err
	}
	f := Facts{Sandbox: t.Sandbox, TXT: map[string][]string{}, Lookup: map[string]error{}}
	if f.Accounts, err = s.d.DB.ChannelAccounts(ctx, tenantID, ""); err != nil {
		return Checklist{}, err
	}
	queues, err := s.d.DB.Configs(ctx, store.ConfigQueues, tenantID)
	if err != nil {
		return Checklist{}, err
	}
	f.Queues = len(queues)
	for page := (store.Page{Limit: store.MaxPageSize}); ; {
		us, err := s.d.DB.Users(ctx, tenantID, page)
		if err != nil {
			return Checklist{}, err
		}
		for _, u := range us {
			if u.Role == tenant.RoleAgent && !u.Disabled {
				f.Agents++
			}
		}
		if len(us) < store.MaxPageSize {
			break
		}
		page.After = us[len(us)-1].ID
	}
	ctx, cancel := context.WithTimeout(ctx, lookupBudget)
	defer cancel()
	for _, d := range mailDomains(f.Accounts) {
		for _, name := range []string{d.domain, dkimName(d)} {
			if _, done := f.TXT[name]; done {
				continue
			}
			recs, err := s.d.Resolver.LookupTXT(ctx, name)
			var dnsErr *net.DNSError
			if err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
				f.Lookup[name] = err
			}
			f.TXT[name] = recs
		}
	}
	return Evaluate(f), nil
}
