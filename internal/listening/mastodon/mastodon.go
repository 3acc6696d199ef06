// Package mastodon listens on Mastodon, the open social network, for a
// tenant's listening rules, and answers there: a public reply to a post
// (channel "mastodon"), or a private message (a direct status, channel
// "mastodon_direct"). Each tenant account is a channel account on
// "mastodon" whose address is its handle (support@social.example) and whose
// settings hold the instance URL and the access token. Every call goes
// through the SSRF guard: the instance URL is the tenant's to set.
package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/listening"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Name is the network's key and its public channel's name.
const Name = "mastodon"

// DirectName is the channel of private messages.
const DirectName = Name + listening.DirectSuffix

// MaxLength is Mastodon's default status length.
const MaxLength = 500

// Deps are what the network works with.
type Deps struct {
	DB     *store.DB
	Intake *listening.Intake
	Rules  listening.Rules
	Guard  *netguard.Guard // every call: the instance URL is the tenant's
	// Secrets seals the accounts' access tokens (purpose
	// "mastodon-access-token", the account's id as additional data).
	Secrets *secretbox.Box
	Clock   clock.Clock
	Log     *slog.Logger
	// Wait waits between retries and reconnects; nil is Sleep.
	Wait Waiter
}

// Config tunes the listener.
type Config struct {
	// Attempts is how often a REST call is tried (default 5).
	Attempts int
	// Refresh is how often the accounts and the rules' streams are re-read
	// (default 15 s).
	Refresh time.Duration
}

// Network is Mastodon: the listener (listening.Network, channel.Runner) and
// the public-reply channel.
type Network struct {
	db      *store.DB
	intake  *listening.Intake
	rules   listening.Rules
	guard   *netguard.Guard
	secrets *secretbox.Box
	clock   clock.Clock
	log     *slog.Logger
	wait    Waiter
	cfg     Config
	rest    *http.Client
	streams *http.Client
}

// New returns the network.
func New(d Deps, cfg Config) (*Network, error) {
	if d.DB == nil || d.Intake == nil || d.Rules == nil || d.Guard == nil || d.Secrets == nil || d.Clock == nil || d.Log == nil {
		return nil, errors.New("mastodon: DB, Intake, Rules, Guard, Secrets, Clock and Log are required")
	}
	if d.Wait == nil {
		d.Wait = Sleep
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 15 * time.Second
	}
	return &Network{db: d.DB, intake: d.Intake, rules: d.Rules, guard: d.Guard, secrets: d.Secrets, clock: d.Clock, log: d.Log, wait: d.Wait, cfg: cfg,
		rest: d.Guard.Client(30 * time.Second), streams: d.Guard.Client(0)}, nil
}

// Name is "mastodon".
func (*Network) Name() string { return Name }

// Capabilities: text replies in a thread, to a Mastodon handle.
func (*Network) Capabilities() channel.Capabilities {
	return channel.Capabilities{Threading: true, MaxLength: MaxLength, Identifier: string(Kind)}
}

// Kind is the persona identifier kind of a Mastodon handle.
const Kind = persona.Kind("social:" + Name)

// Direct returns the private-message channel.
func (n *Network) Direct() *Direct { return &Direct{n: n} }

// Direct is the channel of private messages: a status of visibility
// "direct" that mentions the customer alone.
type Direct struct{ n *Network }

// Name is "mastodon_direct".
func (*Direct) Name() string { return DirectName }

// Capabilities: text, private, to a Mastodon handle.
func (*Direct) Capabilities() channel.Capabilities {
	return channel.Capabilities{MaxLength: MaxLength, Identifier: string(Kind)}
}

// Send posts a public reply to the customer's latest post in the thread.
func (n *Network) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	vis := out.Account.Settings[SettingReplyVisibility]
	if vis != listening.VisibilityUnlisted {
		vis = listening.VisibilityPublic
	}
	reply := ""
	if len(out.ThreadRefs) > 0 {
		reply = out.ThreadRefs[len(out.ThreadRefs)-1]
	}
	return n.send(ctx, out, out.Account, PostStatus{Status: addressed(out.To, out.Body), InReplyToID: reply, Visibility: vis})
}

// Send posts a direct message: only the customer it mentions sees it.
func (d *Direct) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	acct := out.Account
	if acct.ID == "" { // the accounts are the public channel's
		var err error
		if acct, err = d.account(ctx, out); err != nil {
			return channel.Sent{}, err
		}
	}
	return d.n.send(ctx, out, acct, PostStatus{Status: addressed(out.To, out.Body), Visibility: listening.VisibilityDirect})
}

// account is the tenant's Mastodon account a private message goes from: the
// one the customer last wrote to in the conversation (either channel), else
// the first.
func (d *Direct) account(ctx context.Context, out channel.Outbound) (channel.Account, error) {
	accs, err := d.n.db.ChannelAccounts(ctx, out.TenantID, Name)
	if err != nil {
		return channel.Account{}, err
	}
	if len(accs) == 0 {
		return channel.Account{}, fmt.Errorf("tenant has no mastodon account: %w", channel.ErrPermanent)
	}
	for _, ch := range []string{DirectName, Name} {
		raw, err := d.n.db.LastInboundMetaOn(ctx, out.TenantID, out.ConversationID, ch)
		if err != nil {
			return channel.Account{}, err
		}
		var meta struct {
			Account string `json:"account_id"` // inbox.MetaAccount
		}
		if len(raw) == 0 || json.Unmarshal(raw, &meta) != nil || meta.Account == "" {
			continue
		}
		for _, a := range accs {
			if a.ID == meta.Account {
				return a, nil
			}
		}
	}
	return accs[0], nil
}

func (n *Network) send(ctx context.Context, out channel.Outbound, acct channel.Account, s PostStatus) (channel.Sent, error) {
	if acct.ID == "" || acct.TenantID != out.TenantID {
		return channel.Sent{}, fmt.Errorf("tenant has no mastodon account: %w", channel.ErrPermanent)
	}
	if len(out.Attachments) > 0 {
		return channel.Sent{}, fmt.Errorf("mastodon replies carry text only: %w", channel.ErrPermanent)
	}
	c, _, err := n.client(acct)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("%w: %w", err, channel.ErrPermanent)
	}
	st, err := c.post(ctx, s, out.MessageID)
	if err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ExternalID: st.ID, Status: "sent"}, nil
}

// addressed starts the text with the customer's handle, as Mastodon needs
// for a reply to reach them (and a direct message to be delivered at all).
func addressed(handle, body string) string {
	at := "@" + handle
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(body)), strings.ToLower(at)) {
		return body
	}
	return at + " " + body
}

// client is the REST client of an account.
func (n *Network) client(acct channel.Account) (*client, string, error) {
	base, err := instanceURL(acct.Settings[SettingInstance])
	if err != nil {
		return nil, "", err
	}
	token, err := n.token(acct)
	if err != nil {
		return nil, "", err
	}
	return &client{base: base, token: token, http: n.rest, stream: n.streams, wait: n.wait, clock: n.clock,
		maxAttempts: n.cfg.Attempts}, base.Hostname(), nil
}

// sealedPrefix marks a sealed access token in an account's settings.
const sealedPrefix = "sealed:"

// token opens the account's access token.
func (n *Network) token(acct channel.Account) (string, error) {
	v := acct.Settings[SettingToken]
	if v == "" {
		return "", fmt.Errorf("mastodon account %s has no %s", acct.Address, SettingToken)
	}
	if !strings.HasPrefix(v, sealedPrefix) {
		return v, nil // stored before sealing, or by a test
	}
	t, err := n.secrets.Open(acct.ID, strings.TrimPrefix(v, sealedPrefix))
	if err != nil {
		return "", fmt.Errorf("mastodon account %s: open the access token: %w", acct.Address, err)
	}
	return t, nil
}

// CheckAccount checks a Mastodon account as an admin saves it — the address
// is the account's handle (support@social.example), the instance URL one the
// guard lets through, the token present — and seals the token.
func (n *Network) CheckAccount(acc *channel.Account) error {
	id, err := persona.Normalize(Kind, acc.Address)
	if err != nil || !strings.Contains(id.Value, "@") {
		return &tenant.FieldError{Field: "address", Reason: "the account's handle, user@instance (support@social.example)"}
	}
	acc.Address = id.Value
	if acc.Settings == nil {
		acc.Settings = map[string]string{}
	}
	base, err := instanceURL(acc.Settings[SettingInstance])
	if err != nil {
		return &tenant.FieldError{Field: "settings." + SettingInstance, Reason: err.Error()}
	}
	if err := n.guard.CheckHost(base.Hostname()); err != nil {
		return &tenant.FieldError{Field: "settings." + SettingInstance, Reason: err.Error()}
	}
	acc.Settings[SettingInstance] = base.String()
	tok := strings.TrimSpace(acc.Settings[SettingToken])
	if tok == "" {
		return &tenant.FieldError{Field: "settings." + SettingToken, Reason: "required: the account's access token (scopes read and write:statuses)"}
	}
	if v := acc.Settings[SettingReplyVisibility]; v != "" && v != listening.VisibilityPublic && v != listening.VisibilityUnlisted {
		return &tenant.FieldError{Field: "settings." + SettingReplyVisibility, Reason: "public or unlisted"}
	}
	if !strings.HasPrefix(tok, sealedPrefix) {
		acc.Settings[SettingToken] = sealedPrefix + n.secrets.Seal(acc.ID, tok)
	}
	return nil
}

// CheckAccount refuses accounts on the direct channel: a tenant's Mastodon
// account is made on "mastodon" and serves both.
func (*Direct) CheckAccount(*channel.Account) error {
	return &tenant.FieldError{Field: "channel", Reason: "add the account on mastodon; it sends the direct messages too"}
}
