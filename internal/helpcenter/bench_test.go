package helpcenter_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/helpcenter"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkPages serves the help center's pages from SQLite as one visitor
// would, trail write included: the home page over 50 articles, an article,
// and a search as you type.
func BenchmarkPages(b *testing.B) {
	c := newCenter(b, storetest.OpenSQLite, helpcenter.Config{Limits: helpcenter.Limits{PerSecond: 1e9, Burst: 1 << 30}})
	for i := range 50 {
		c.article(c.shop.ID, fmt.Sprintf("article-%d", i), fmt.Sprintf("How to do thing %d", i), nil)
	}
	v := c.browser()
	for _, path := range []string{"/help/shop/", "/help/shop/a/article-7", "/help/shop/search.json?q=thing"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if p := v.do("GET", path, nil, nil); p.status != http.StatusOK {
					b.Fatalf("%s: %d", path, p.status)
				}
			}
		})
	}
}
