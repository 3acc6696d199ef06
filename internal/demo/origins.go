package demo

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// WidgetOrigins are the origins the demo's own pages are served from, which
// its chat widget allows: the base URL's, and for a loopback host the other
// ways a browser on the same machine names it (localhost, 127.0.0.1, [::1])
// on the same port.
func WidgetOrigins(baseURL string) ([]string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("demo widget origins: base URL %q has no host", baseURL)
	}
	out := []string{strings.ToLower(u.Scheme + "://" + u.Host)}
	host, port := u.Hostname(), u.Port()
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		for _, h := range []string{"localhost", "127.0.0.1", "[::1]"} {
			o := u.Scheme + "://" + h
			if port != "" {
				o += ":" + port
			}
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// LimitWidgetOrigins gives the demo widget the demo's own origins rather than
// any page's: it replaces the "*" that older demos were seeded with (or an
// empty list), and adds the current origins to a list someone edited, so that
// /widget/demo.html keeps working when the center moves to another address.
// A demo without its widget is left alone.
func LimitWidgetOrigins(ctx context.Context, db *store.DB, conversations *inbox.Service, baseURL string) error {
	own, err := WidgetOrigins(baseURL)
	if err != nil {
		return err
	}
	t, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		return fmt.Errorf("demo widget origins: %w", err)
	}
	accs, err := conversations.Accounts(ctx, t.ID, webchat.Name)
	if err != nil {
		return fmt.Errorf("demo widget origins: %w", err)
	}
	for _, acc := range accs {
		if acc.Address != WidgetKey {
			continue
		}
		var list []string
		for _, o := range strings.Split(acc.Settings[webchat.SettingAllowedOrigins], ",") {
			if o = strings.TrimSpace(o); o != "" && o != "*" {
				list = append(list, o)
			}
		}
		before := len(list)
		for _, o := range own {
			if !slices.Contains(list, o) {
				list = append(list, o)
			}
		}
		if len(list) == before && acc.Settings[webchat.SettingAllowedOrigins] == strings.Join(list, ", ") {
			return nil
		}
		_, err := conversations.UpdateAccount(ctx, inbox.Actor{TenantID: t.ID}, acc.ID,
			inbox.AccountChange{Settings: map[string]string{webchat.SettingAllowedOrigins: strings.Join(list, ", ")}})
		return err
	}
	return nil
}
