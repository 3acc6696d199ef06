package listening

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// Network is an open social network the center listens on. Mastodon is the
// first; another network plugs in by implementing Listen and registering
// channels for its public replies and private messages.
type Network interface {
	// Name is the network's key ("mastodon"), also its public channel's name.
	Name() string
	// Listen reads the tenant account's posts until ctx ends, handing each to
	// take in the order the network published it. A post is handed again —
	// after a reconnect, a crash — until take returned nil for it, so take
	// must be idempotent (the inbox dedupes by the post's id); a post take
	// accepted is never handed again in the normal course.
	Listen(ctx context.Context, acct channel.Account, take Take) error
}

// Take receives one post read on a tenant's account.
type Take func(ctx context.Context, acct channel.Account, p Post) error

// Streams are what a network should listen to for a tenant's rules: the
// hashtags they name, and whether any needs the public timeline (a keyword
// rule without a hashtag). Mentions and direct posts arrive on the account's
// notifications, which a network always reads.
type Streams struct {
	Hashtags []string
	Public   bool
}

// StreamsFor is the streams the enabled rules need.
func StreamsFor(rules []Rule) Streams {
	var s Streams
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		for _, h := range r.Hashtags {
			if !contains(s.Hashtags, h) {
				s.Hashtags = append(s.Hashtags, h)
			}
		}
		if len(r.Keywords) > 0 && len(r.Hashtags) == 0 && len(r.Mentions) == 0 {
			s.Public = true
		}
	}
	return s
}

func contains(l []string, v string) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}
