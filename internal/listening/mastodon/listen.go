package mastodon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/listening"
)

// leadKey is the lock one node of a cluster holds to listen ("mast").
const leadKey int64 = 0x6d617374

// Run listens on every tenant's Mastodon accounts while the node serves: on
// one node of a cluster (the holder of the lead), each account on its own,
// so one instance's outage delays only that account.
func (n *Network) Run(ctx context.Context) error {
	for {
		held, release, ok, err := n.db.TryLead(ctx, leadKey)
		if err != nil {
			n.log.Warn("mastodon: try the listening lead", "err", err)
		}
		if ok {
			n.supervise(ctx, held)
			release()
		}
		if err := n.wait(ctx, n.cfg.Refresh); err != nil {
			return nil
		}
	}
}

// supervise keeps one listener per account, restarting it when its settings
// change, until ctx ends or the lead is lost.
func (n *Network) supervise(ctx context.Context, held func() bool) {
	type running struct {
		acct channel.Account
		stop context.CancelFunc
	}
	var wg sync.WaitGroup
	live := map[string]running{}
	defer func() {
		for _, r := range live {
			r.stop()
		}
		wg.Wait()
	}()
	for ctx.Err() == nil && held() {
		accs, err := n.db.ChannelAccountsOn(ctx, Name)
		if err != nil {
			n.log.Warn("mastodon: list accounts", "err", err)
		}
		seen := map[string]bool{}
		for _, a := range accs {
			seen[a.ID] = true
			if r, ok := live[a.ID]; ok && sameAccount(r.acct, a) {
				continue
			} else if ok {
				r.stop()
			}
			actx, stop := context.WithCancel(ctx)
			live[a.ID] = running{acct: a, stop: stop}
			wg.Go(func() {
				if err := n.Listen(actx, a, n.take); err != nil && actx.Err() == nil {
					n.log.Warn("mastodon: account not listened to", "tenant_id", a.TenantID, "account_id", a.ID, "err", err)
				}
			})
		}
		for id, r := range live {
			if !seen[id] {
				r.stop()
				delete(live, id)
			}
		}
		if n.wait(ctx, n.cfg.Refresh) != nil {
			return
		}
	}
}

func sameAccount(a, b channel.Account) bool {
	return a.Address == b.Address && a.Settings[SettingInstance] == b.Settings[SettingInstance] && a.Settings[SettingToken] == b.Settings[SettingToken]
}

// take hands a post to the intake.
func (n *Network) take(ctx context.Context, acct channel.Account, p listening.Post) error {
	o, err := n.intake.Take(ctx, acct, p)
	if err != nil {
		return err
	}
	if o.Taken && !o.Ingested.Duplicate {
		n.log.Info("mastodon: post taken", "tenant_id", acct.TenantID, "reason", o.Reason, "conversation_id", o.Ingested.Conversation.ID)
	}
	return nil
}

// Listen follows the account's notifications (mentions, direct messages)
// and the streams its tenant's rules need (hashtags, the public timeline),
// re-reading the rules every Refresh and reconnecting when they need other
// streams. It returns when ctx ends, or at once if the account's settings
// are unusable.
func (n *Network) Listen(ctx context.Context, acct channel.Account, take listening.Take) error {
	c, host, err := n.client(acct)
	if err != nil {
		return err
	}
	own := fullAcct(acct.Address, host)
	for ctx.Err() == nil {
		rules, err := n.rules.ListeningRules(ctx, acct.TenantID)
		if err != nil {
			n.log.Warn("mastodon: read listening rules", "tenant_id", acct.TenantID, "err", err)
		}
		want := streamsFor(rules)
		sctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, st := range want {
			wg.Go(func() { n.follow(sctx, c, acct, own, host, st, take) })
		}
		for sctx.Err() == nil {
			if n.wait(sctx, n.cfg.Refresh) != nil {
				break
			}
			if rules, err := n.rules.ListeningRules(ctx, acct.TenantID); err == nil && !slices.Equal(streamsFor(rules), want) {
				break // the rules need other streams: reconnect with them
			}
		}
		stop()
		wg.Wait()
	}
	return nil
}

func streamsFor(rules []listening.Rule) []stream {
	s := listening.StreamsFor(rules)
	out := []stream{{kind: streamNotifications}}
	slices.Sort(s.Hashtags)
	for _, h := range s.Hashtags {
		out = append(out, stream{kind: streamTag, tag: h})
	}
	if s.Public {
		out = append(out, stream{kind: streamPublic})
	}
	return out
}

// follow keeps one stream: connect, catch up from the cursor over REST,
// then read events; after a drop, wait and do it again. The stream is
// connected before the catch-up so nothing published in between is missed;
// what both deliver is handed once, by the cursor.
func (n *Network) follow(ctx context.Context, c *client, acct channel.Account, own, host string, st stream, take listening.Take) {
	f := &follower{n: n, c: c, acct: acct, own: own, host: host, st: st, take: take}
	backoff := time.Second
	for ctx.Err() == nil {
		var err error
		if f.cursor, err = n.db.ListeningCursor(ctx, acct.TenantID, acct.ID, st.key()); err != nil {
			n.log.Warn("mastodon: read cursor", "tenant_id", acct.TenantID, "stream", st.key(), "err", err)
			if n.wait(ctx, backoff) != nil {
				return
			}
			continue
		}
		if f.cursor == "" {
			if err := f.start(ctx); err != nil {
				n.log.Warn("mastodon: start listening", "tenant_id", acct.TenantID, "account_id", acct.ID, "stream", st.key(), "err", err)
				if n.wait(ctx, backoff) != nil {
					return
				}
				backoff = min(2*backoff, time.Minute)
				continue
			}
		}
		started := n.clock.Now()
		body, wait, serr := c.openStream(ctx, st)
		// Catch up whether or not the stream opened: an instance whose
		// streaming is down is still read, by polling, at each retry.
		if err := f.catchUp(ctx); err != nil {
			n.log.Warn("mastodon: catch up", "tenant_id", acct.TenantID, "account_id", acct.ID, "stream", st.key(), "err", err)
		}
		if serr == nil {
			serr = readEvents(body, func(it item) error { return f.handle(ctx, it) })
			body.Close()
		}
		if ctx.Err() != nil {
			return
		}
		if n.clock.Now().Sub(started) > time.Minute {
			backoff = time.Second // it ran a while: a fresh drop, not a failing instance
		}
		if !errors.Is(serr, io.ErrUnexpectedEOF) {
			n.log.Warn("mastodon: stream dropped", "tenant_id", acct.TenantID, "account_id", acct.ID, "stream", st.key(), "err", serr)
		}
		if n.wait(ctx, max(wait, backoff)) != nil {
			return
		}
		backoff = min(2*backoff, time.Minute)
	}
}

// follower is one stream's reading state.
type follower struct {
	n         *Network
	c         *client
	acct      channel.Account
	own, host string
	st        stream
	take      listening.Take
	cursor    string
}

// start sets an account's first cursor: listening starts now, so the newest
// id becomes the cursor and nothing older is taken; with nothing yet, the
// cursor is 0 and everything after is new. It runs before the stream opens,
// so what is published meanwhile comes by the catch-up.
func (f *follower) start(ctx context.Context) error {
	items, err := f.c.page(ctx, f.st, "")
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return f.advance(ctx, "0")
	}
	return f.advance(ctx, items[len(items)-1].id)
}

// catchUp reads what the stream missed since the cursor, page by page,
// oldest first.
func (f *follower) catchUp(ctx context.Context) error {
	for {
		items, err := f.c.page(ctx, f.st, f.cursor)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := f.handle(ctx, it); err != nil {
				return err
			}
		}
		if len(items) < pageSize {
			return nil
		}
	}
}

// handle hands one item on, once: ids at or below the cursor were handed
// already. An item take refuses stops the stream, to be handed again after
// the reconnect.
func (f *follower) handle(ctx context.Context, it item) error {
	if f.cursor != "" && !newer(it.id, f.cursor) {
		return nil
	}
	if s := it.status; s != nil && s.Reblog == nil && (f.st.kind != streamNotifications || it.mention) {
		p := s.Post(f.host)
		if p.Author.Handle != f.own { // the tenant's own replies come back on its hashtags
			if err := f.take(ctx, f.acct, p); err != nil {
				return fmt.Errorf("take %s: %w", it.id, err)
			}
		}
	}
	return f.advance(ctx, it.id)
}

func (f *follower) advance(ctx context.Context, id string) error {
	if err := f.n.db.SetListeningCursor(ctx, f.acct.TenantID, f.acct.ID, f.st.key(), id, f.n.clock.Now()); err != nil {
		return err
	}
	f.cursor = id
	return nil
}
