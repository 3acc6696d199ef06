package speech

import (
	"container/list"
	"context"
	"errors"
	"sync"
)

// Cache keeps rendered prompts: a menu says the same sentences all day, and
// espeak-ng takes tens of milliseconds a sentence. Entries are keyed by
// engine, voice and text and evicted least recently used once the kept audio
// passes a bound. Concurrent requests for the same prompt render it once.
type Cache struct {
	engine Engine
	max    int // samples kept at most

	mu       sync.Mutex
	entries  map[string]*list.Element
	lru      *list.List // front is the most recently used
	held     int        // samples kept
	inflight map[string]*render
	hits     int
	misses   int
}

type cacheEntry struct {
	key string
	pcm PCM
}

type render struct {
	done chan struct{}
	pcm  PCM
	err  error
}

// DefaultCacheSamples bounds a Cache to 10 minutes of audio (9.6 MB).
const DefaultCacheSamples = 10 * 60 * Rate

// NewCache caches what engine renders, up to maxSamples of audio (0 is
// DefaultCacheSamples). A prompt longer than the whole bound is rendered
// but not kept.
func NewCache(engine Engine, maxSamples int) *Cache {
	if maxSamples <= 0 {
		maxSamples = DefaultCacheSamples
	}
	return &Cache{engine: engine, max: maxSamples, entries: map[string]*list.Element{},
		lru: list.New(), inflight: map[string]*render{}}
}

// Speak returns the cached rendering of text in lang, rendering it first if
// needed. The returned PCM is shared: do not modify it.
func (c *Cache) Speak(ctx context.Context, text, lang string) (PCM, error) {
	if err := checkText(text); err != nil {
		return nil, err
	}
	voice, err := c.engine.Voice(lang)
	if err != nil {
		return nil, err
	}
	key := c.engine.Name() + "\x00" + voice + "\x00" + text
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		c.hits++
		c.mu.Unlock()
		return el.Value.(*cacheEntry).pcm, nil
	}
	if r, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-r.done:
			if r.err != nil && (errors.Is(r.err, context.Canceled) || errors.Is(r.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				return c.Speak(ctx, text, lang) // the other caller gave up, not us
			}
			return r.pcm, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.misses++
	r := &render{done: make(chan struct{})}
	c.inflight[key] = r
	c.mu.Unlock()

	r.pcm, r.err = c.engine.Speak(ctx, text, lang)

	c.mu.Lock()
	delete(c.inflight, key)
	if r.err == nil && len(r.pcm) <= c.max {
		c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, pcm: r.pcm})
		c.held += len(r.pcm)
		for c.held > c.max {
			old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
			delete(c.entries, old.key)
			c.held -= len(old.pcm)
		}
	}
	c.mu.Unlock()
	close(r.done)
	return r.pcm, r.err
}

// CacheStats counts what a Cache did.
type CacheStats struct {
	Hits, Misses, Entries, Samples int
}

// Stats reports hits, misses (renders started) and what is kept.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Hits: c.hits, Misses: c.misses, Entries: c.lru.Len(), Samples: c.held}
}
