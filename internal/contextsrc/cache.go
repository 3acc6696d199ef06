package contextsrc

import "time"

// Cache keeps connectors' answers for their TTL, so an agent opening the same
// customer twice does not call the bank twice. It is a value with no clock
// and no lock: its owner passes the time and keeps it safe. It holds at most
// max entries; when full, the entry that expires first goes.
type Cache struct {
	max     int
	entries map[cacheKey]cacheEntry
}

type cacheKey struct{ tenantID, connectorID, personaID string }

type cacheEntry struct {
	items   []Item
	expires time.Time
}

// NewCache returns a cache of at most max entries.
func NewCache(max int) *Cache {
	return &Cache{max: max, entries: map[cacheKey]cacheEntry{}}
}

// Get returns the items kept for the key if they have not expired at now.
func (c *Cache) Get(tenantID, connectorID, personaID string, now time.Time) ([]Item, bool) {
	k := cacheKey{tenantID, connectorID, personaID}
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, k)
		return nil, false
	}
	return e.items, true
}

// Put keeps items until now+ttl; a ttl of zero or less keeps nothing.
func (c *Cache) Put(tenantID, connectorID, personaID string, items []Item, now time.Time, ttl time.Duration) {
	if ttl <= 0 || c.max <= 0 {
		return
	}
	k := cacheKey{tenantID, connectorID, personaID}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[k] = cacheEntry{items: items, expires: now.Add(ttl)}
}

// Forget drops every entry of a connector (after it is edited or deleted).
func (c *Cache) Forget(tenantID, connectorID string) {
	for k := range c.entries {
		if k.tenantID == tenantID && k.connectorID == connectorID {
			delete(c.entries, k)
		}
	}
}

// Len is the number of entries held, expired or not.
func (c *Cache) Len() int { return len(c.entries) }

// evict drops the expired entries, or if none, the one expiring first.
func (c *Cache) evict(now time.Time) {
	var first cacheKey
	var at time.Time
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
			continue
		}
		if at.IsZero() || e.expires.Before(at) {
			first, at = k, e.expires
		}
	}
	if len(c.entries) >= c.max {
		delete(c.entries, first)
	}
}
