package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type page struct {
	Items      []struct{ ID string }
	NextCursor string `json:"next_cursor"`
}

func (p page) ids() []string {
	out := make([]string, len(p.Items))
	for i, it := range p.Items {
		out[i] = it.ID
	}
	return out
}

// TestPagination walks each list page by page and requires the same items as
// one big page: none twice, none missing, in the list's order.
func TestPagination(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			for i := range 6 {
				w.seedUser(t, w.A.Tenant, fmt.Sprintf("user%d@tenant-a.example", i), tenant.RoleAgent)
			}
			for i := range 5 { // five keys, and five audit entries
				w.A.admin.do("POST", "/api/v1/api-keys", map[string]any{"name": fmt.Sprint("key ", i), "scopes": []string{"read"}}).
					want(http.StatusCreated)
			}
			for _, tc := range []struct {
				path   string
				items  int
				newest bool // newest first, else oldest first
			}{
				{"/api/v1/users", 7, false},
				{"/api/v1/api-keys", 5, false},
				{"/api/v1/audit-log", 5, true},
			} {
				t.Run(tc.path, func(t *testing.T) {
					admin := w.A.admin.in(t)
					var all page
					admin.do("GET", tc.path+"?limit=199", nil).want(http.StatusOK).decode(&all)
					want := all.ids()
					if len(want) != tc.items || all.NextCursor != "" {
						t.Fatalf("one page holds %d items and next_cursor %q, want %d and none", len(want), all.NextCursor, tc.items)
					}
					sorted := slices.Sorted(slices.Values(want))
					if tc.newest {
						slices.Reverse(sorted)
					}
					if !slices.Equal(want, sorted) {
						t.Errorf("items out of order: %v", want)
					}

					var got []string
					cursor := ""
					for pages := 1; ; pages++ {
						var p page
						admin.do("GET", tc.path+"?limit=2&cursor="+cursor, nil).want(http.StatusOK).decode(&p)
						if len(p.Items) > 2 {
							t.Fatalf("page %d holds %d items, limit 2", pages, len(p.Items))
						}
						got = append(got, p.ids()...)
						if p.NextCursor == "" {
							break
						}
						if pages > tc.items {
							t.Fatalf("more pages than items")
						}
						cursor = p.NextCursor
					}
					if !slices.Equal(got, want) {
						t.Errorf("page by page: %v\nin one page:  %v", got, want)
					}
				})
			}
		})
	}
}

func TestPaginationRefusesBadParameters(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		query, field string
		documented   bool // the document allows the value, only the server refuses it
	}{
		{"cursor=!!!", "cursor", true},
		{"cursor=" + base64.RawURLEncoding.EncodeToString([]byte("not-an-id")), "cursor", true},
		{"limit=0", "limit", false},
		{"limit=200", "limit", false},
		{"limit=ten", "limit", false},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var opts []reqOpt
			if !tc.documented {
				opts = append(opts, outsideSpec)
			}
			p := w.A.admin.in(t).do("GET", "/api/v1/users?"+tc.query, nil, opts...).wantProblem(http.StatusBadRequest, "bad-parameter")
			if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
				t.Errorf("errors %+v, want one naming %s", p.Errors, tc.field)
			}
		})
	}
}
