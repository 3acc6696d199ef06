package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// KBCorpus is a synthetic knowledge base for the search benchmarks: many
// tenants' articles whose words follow a Zipf law over a vocabulary of
// pseudo-words (as words in real text do), in the four stemmed locales.
// Its size and shape are what the speed figures depend on; quality is
// measured on public data instead.
type KBCorpus struct {
	Articles []knowledge.Article
	Tenants  []string
	byTenant map[string][]int
}

// kbVocabulary is how many distinct words the corpus draws from.
const kbVocabulary = 30_000

var syllables = []string{"ka", "lo", "mi", "ter", "pan", "sen", "ru", "vol", "dex", "ga", "no", "bri", "sta", "fu", "len",
	"cor", "ma", "ti", "pe", "zor", "qua", "ven", "ha", "li", "mon", "tra", "se", "do", "rin", "bel"}

// kbWord is the vocabulary's i-th word: a few syllables, never a stop word.
func kbWord(i int) string {
	var b strings.Builder
	for n := i + len(syllables); n > 0; n /= len(syllables) {
		b.WriteString(syllables[n%len(syllables)])
	}
	return b.String()
}

// NewKBCorpus makes n articles spread evenly over tenants tenants, the same
// for the same seed. Locales: 70 % en, 10 % each de, fr, es.
func NewKBCorpus(n, tenants int, seed uint64) *KBCorpus {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	zipf := rand.NewZipf(r, 1.07, 2, kbVocabulary-1)
	words := make([]string, kbVocabulary)
	for i := range words {
		words[i] = kbWord(i)
	}
	text := func(min, max int) string {
		k := min + r.IntN(max-min+1)
		ws := make([]string, k)
		for i := range ws {
			ws[i] = words[zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	c := &KBCorpus{byTenant: map[string][]int{}}
	for t := range tenants {
		c.Tenants = append(c.Tenants, fmt.Sprintf("bench-tenant-%04d", t))
	}
	locales := []string{"en", "en", "en", "en", "en", "en", "en", "de", "fr", "es"}
	states := []knowledge.State{knowledge.Published, knowledge.Published, knowledge.Published, knowledge.Validated,
		knowledge.NotValidated, knowledge.WorkInProgress, knowledge.Archived}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		tenant := c.Tenants[r.IntN(tenants)]
		a := knowledge.Article{
			ID: fmt.Sprintf("kb%07d", i), TenantID: tenant, Slug: fmt.Sprintf("article-%d", i),
			Title: text(3, 8), Issue: text(15, 40), Environment: text(4, 10), Cause: text(8, 25), Resolution: text(40, 120),
			Audience: []knowledge.Audience{knowledge.AgentsOnly, knowledge.Customers, knowledge.Everyone}[r.IntN(3)],
			Locale:   locales[r.IntN(len(locales))], Tags: []string{words[r.IntN(50)], words[r.IntN(200)]},
			Category: words[r.IntN(20)], State: states[r.IntN(len(states))], Version: 1,
			CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(i) * time.Second),
		}
		c.byTenant[tenant] = append(c.byTenant[tenant], len(c.Articles))
		c.Articles = append(c.Articles, a)
	}
	return c
}

// ByTenant is the articles in tenant order, as the store streams them for a
// rebuild (ORDER BY tenant_id).
func (c *KBCorpus) ByTenant() []knowledge.Article {
	out := make([]knowledge.Article, 0, len(c.Articles))
	for _, t := range c.Tenants {
		for _, i := range c.byTenant[t] {
			out = append(out, c.Articles[i])
		}
	}
	return out
}

// KBQuery is one search of the benchmark: a tenant and what an agent types.
type KBQuery struct {
	TenantID, Text string
}

// Queries makes n searches: each picks a tenant, one of its articles and
// two or three words of its title and issue, as an agent retypes what a
// customer wrote; one in ten has a typo (two letters swapped).
func (c *KBCorpus) Queries(n int, seed uint64) []KBQuery {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]KBQuery, n)
	for i := range out {
		tenant := c.Tenants[r.IntN(len(c.Tenants))]
		a := c.Articles[c.byTenant[tenant][r.IntN(len(c.byTenant[tenant]))]]
		pool := strings.Fields(a.Title + " " + a.Issue)
		k := 2 + r.IntN(2)
		ws := make([]string, k)
		for j := range ws {
			ws[j] = pool[r.IntN(len(pool))]
		}
		if r.IntN(10) == 0 {
			w := []byte(ws[0])
			if len(w) > 3 {
				p := 1 + r.IntN(len(w)-2)
				w[p], w[p+1] = w[p+1], w[p]
				ws[0] = string(w)
			}
		}
		out[i] = KBQuery{TenantID: tenant, Text: strings.Join(ws, " ")}
	}
	return out
}

// Closed runs queries from workers goroutines, each sending its next search
// when the last one answered, and times each.
func Closed(queries []KBQuery, workers int, search func(KBQuery) error) (Latencies, error) {
	samples := make([]time.Duration, len(queries))
	next := make(chan int, len(queries))
	for i := range queries {
		next <- i
	}
	close(next)
	errs := make(chan error, workers)
	start := time.Now()
	for range workers {
		go func() {
			for i := range next {
				t := time.Now()
				if err := search(queries[i]); err != nil {
					errs <- err
					return
				}
				samples[i] = time.Since(t)
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return Latencies{}, first
	}
	return summarize(samples, time.Since(start)), nil
}

// Paced runs queries at rate per second on a schedule, over workers
// goroutines; each latency runs from the search's scheduled start, so time
// spent waiting for a free worker counts in full.
func Paced(queries []KBQuery, rate float64, workers int, search func(KBQuery) error) (Latencies, error) {
	type job struct {
		i  int
		at time.Time
	}
	jobs := make(chan job, len(queries))
	samples := make([]time.Duration, len(queries))
	errs := make(chan error, workers)
	for range workers {
		go func() {
			var first error
			for j := range jobs {
				if err := search(queries[j.i]); err != nil && first == nil {
					first = err
				}
				samples[j.i] = time.Since(j.at)
			}
			errs <- first
		}()
	}
	start := time.Now()
	every := time.Duration(float64(time.Second) / rate)
	for i := range queries {
		at := start.Add(time.Duration(i) * every)
		time.Sleep(time.Until(at))
		jobs <- job{i, at}
	}
	close(jobs)
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return Latencies{}, first
	}
	return summarize(samples, time.Since(start)), nil
}
