package send

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// cacheFor is how long a tenant's settings, types and accounts are used
// before they are read again: an admin's change takes effect within it.
const cacheFor = 5 * time.Second

// tenant is what the Sender keeps of one tenant between batches.
type tenant struct {
	id       string
	settings notice.Settings
	types    map[string]notice.Type
	accounts map[string]channel.Account // the first account of each channel
	loaded   time.Time
}

// tenants caches tenant by id.
type tenants struct {
	db       *store.DB
	channels *channel.Registry
	mu       sync.Mutex
	byID     map[string]*tenant
}

func newTenants(db *store.DB, channels *channel.Registry) *tenants {
	return &tenants{db: db, channels: channels, byID: map[string]*tenant{}}
}

// get returns the tenant, read again when the cached copy is older than
// cacheFor.
func (c *tenants) get(ctx context.Context, id string, now time.Time) (*tenant, error) {
	c.mu.Lock()
	tn, ok := c.byID[id]
	c.mu.Unlock()
	if ok && now.Sub(tn.loaded) < cacheFor && !now.Before(tn.loaded) {
		return tn, nil
	}
	return c.load(ctx, id, now)
}

// fresh returns the tenant knowing every type of ds: the cached copy, or one
// read again when a delivery names a type created after it was read — else a
// notice of a type made a moment ago would fail as one "no longer" there.
func (c *tenants) fresh(ctx context.Context, id string, ds []notice.Delivery, now time.Time) (*tenant, error) {
	tn, err := c.get(ctx, id, now)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if _, ok := tn.types[d.Type]; !ok {
			return c.load(ctx, id, now)
		}
	}
	return tn, nil
}

// load reads the tenant and caches it.
func (c *tenants) load(ctx context.Context, id string, now time.Time) (*tenant, error) {
	tn := &tenant{id: id, types: map[string]notice.Type{}, accounts: map[string]channel.Account{}, loaded: now}
	var err error
	if tn.settings, err = c.db.NotifySettings(ctx, id); err != nil {
		return nil, fmt.Errorf("notify settings: %w", err)
	}
	types, err := c.db.NotificationTypes(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("notification types: %w", err)
	}
	for _, t := range types {
		tn.types[t.Key] = t
	}
	for _, ch := range c.channels.All() {
		accs, err := c.db.ChannelAccounts(ctx, id, ch.Name())
		if err != nil {
			return nil, fmt.Errorf("%s accounts: %w", ch.Name(), err)
		}
		if len(accs) > 0 {
			tn.accounts[ch.Name()] = accs[0]
		}
	}
	c.mu.Lock()
	c.byID[id] = tn
	c.mu.Unlock()
	return tn, nil
}
