package listening

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// DirectSuffix names a network's private-message channel: "mastodon" answers
// in public, "mastodon_direct" in private.
const DirectSuffix = "_direct"

// Rules reads a tenant's listening rules.
type Rules interface {
	ListeningRules(ctx context.Context, tenantID string) ([]Rule, error)
}

// Messages finds a message by its network id, to tell whether a reply
// belongs to a thread the center already holds.
type Messages interface {
	MessageByExternalID(ctx context.Context, tenantID, channel, externalID string) (conversation.Message, error)
}

// Ingester stores an inbound message (inbox.Service).
type Ingester interface {
	Ingest(ctx context.Context, in inbox.Inbound) (inbox.Ingested, error)
}

// Intake turns posts into conversations: a direct post, a reply in a thread
// the center holds, or a post a rule matches is stored; anything else is
// passed over.
type Intake struct {
	rules    Rules
	messages Messages
	inbox    Ingester
	log      *slog.Logger
}

// NewIntake returns the intake over its dependencies.
func NewIntake(rules Rules, messages Messages, in Ingester, log *slog.Logger) *Intake {
	return &Intake{rules: rules, messages: messages, inbox: in, log: log}
}

// Outcome is what became of a post.
type Outcome struct {
	Taken    bool
	Reason   string // "direct", "thread", "rule" or "no rule"
	Match    Match
	Ingested inbox.Ingested
}

// Take decides on a post and stores it if taken; an error means nothing was
// stored and the post should be handed again.
func (in *Intake) Take(ctx context.Context, acct channel.Account, p Post) (Outcome, error) {
	ch := p.Network
	if p.Direct() {
		ch += DirectSuffix
	}
	var o Outcome
	switch {
	case p.Direct():
		o.Reason = "direct"
	case in.inThread(ctx, acct.TenantID, p):
		o.Reason = "thread"
	default:
		rules, err := in.rules.ListeningRules(ctx, acct.TenantID)
		if err != nil {
			return o, fmt.Errorf("listening rules: %w", err)
		}
		m, ok := Decide(rules, p)
		if !ok {
			return Outcome{Reason: "no rule"}, nil
		}
		o.Reason, o.Match = "rule", m
	}
	o.Match.Sentiment = Sentiment(p.Text)
	ib := inbox.Inbound{TenantID: acct.TenantID, Channel: ch, ExternalID: p.ID, Body: p.Text, FromName: p.Author.Name,
		From:        persona.Identifier{Kind: persona.Kind("social:" + p.Network), Value: p.Author.Handle, Verified: true, VerifiedBy: persona.MethodSocialPost, VerifiedAt: p.CreatedAt},
		ThreadKey:   p.ID,
		Unrefusable: true,
		Meta: map[string]any{inbox.MetaAccount: acct.ID, "visibility": p.Visibility, "post_url": p.URL,
			"author_followers": p.Author.Followers, "author_url": p.Author.URL, "sentiment": o.Match.Sentiment,
			"language": p.Language, "listening": o.Reason},
	}
	if p.InReplyTo != "" {
		ib.ThreadKeys = []string{p.InReplyTo}
	}
	if o.Reason == "rule" {
		prio := o.Match.Priority
		ib.Priority, ib.Team = &prio, o.Match.Queue
		ib.Meta["listening_rule"] = o.Match.RuleName
	}
	res, err := in.inbox.Ingest(ctx, ib)
	if err != nil {
		return o, fmt.Errorf("store post %s: %w", p.ID, err)
	}
	o.Taken, o.Ingested = true, res
	return o, nil
}

// inThread reports whether p answers a post the center holds on the
// network's public channel (the customer's own or an agent's reply).
func (in *Intake) inThread(ctx context.Context, tenantID string, p Post) bool {
	if p.InReplyTo == "" {
		return false
	}
	_, err := in.messages.MessageByExternalID(ctx, tenantID, p.Network, p.InReplyTo)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		in.log.Warn("listening: look up a thread", "tenant_id", tenantID, "err", err)
	}
	return err == nil
}
