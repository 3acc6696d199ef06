package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type listedView struct {
	ID                 string
	Priority           int
	UnreadCount        int       `json:"unread_count"`
	LastMessagePreview string    `json:"last_message_preview"`
	WaitingSince       time.Time `json:"waiting_since"`
	SLADueAt           time.Time `json:"sla_due_at"`
	PersonaName        string    `json:"persona_name"`
	QueueID            string    `json:"queue_id"`
}

type listedPage struct {
	Items      []listedView
	NextCursor string `json:"next_cursor"`
}

func (p listedPage) ids() []string {
	out := []string{}
	for _, c := range p.Items {
		out = append(out, c.ID)
	}
	return out
}

// The inbox list filters, orders and pages conversations as the desktop shows
// them, and its counts agree with the lists.
func TestInboxList(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)
			long := strings.Repeat("é", 200)
			c1 := w.contactOn(t, w.A.Tenant.ID, "c1", "first of one")
			c2 := w.contactOn(t, w.A.Tenant.ID, "c2", "only of two")
			c3 := w.contactOn(t, w.A.Tenant.ID, "c3", long)
			one, two, three := c1.Conversation.ID, c2.Conversation.ID, c3.Conversation.ID

			// The agent answers c1, who writes again: c1 waits since then, the others since they came.
			admin.do("POST", "/api/v1/conversations/"+one+"/messages", map[string]any{"body": "hello"}).want(http.StatusCreated)
			w.contactOn(t, w.A.Tenant.ID, "c1", "second of one")
			admin.do("POST", "/api/v1/conversations/"+two+"/read", map[string]any{}).want(http.StatusOK)
			admin.do("POST", "/api/v1/conversations/"+three+"/notes", map[string]any{"body": "@ana@tenant-a.example look"}).want(http.StatusCreated)
			admin.do("PATCH", "/api/v1/conversations/"+two, map[string]any{"priority": 3}).want(http.StatusOK)

			list := func(query string) listedPage {
				t.Helper()
				var p listedPage
				s.anaC.in(t).do("GET", "/api/v1/conversations?"+query, nil).want(http.StatusOK).decode(&p)
				return p
			}
			// Routing and SLA clocks follow the conversations' events on the leader,
			// asynchronously: c1's clocks have moved once the leader has seen the
			// agent's answer and c1's second message (its due time is then last).
			var seen []listedView // what the list showed last, told if the wait times out
			w.await(t, "the conversations routed, with SLA clocks", func() bool {
				due := list("sort=sla_due")
				seen = due.Items
				return len(list("queue_id="+s.queue).Items) == 3 && len(due.Items) == 3 && due.Items[2].ID == one
			}, func() string {
				return fmt.Sprintf("one %s, two %s, three %s; sorted by due: %+v", one, two, three, seen)
			})
			for _, tc := range []struct {
				query string
				want  []string
			}{
				{"", []string{three, two, one}},
				{"sort=newest", []string{three, two, one}},
				{"sort=waiting", []string{two, three, one}},
				{"unread=true", []string{three, one}},
				{"mentions=me", []string{three}},
				{"priority=3", []string{two}},
				{"queue_id=" + s.queue, []string{three, two, one}},
				{"queue_id=" + s.policy, []string{}},
				{"sort=sla_due", []string{two, three, one}}, // one answered: its next-response clock is due later
				{"sla=at_risk", []string{}},                 // nothing has reached 80 % of its 15 minutes
				{"sla=breached", []string{}},
				{"unread=true&sort=waiting", []string{three, one}},
			} {
				if got := list(tc.query).ids(); !slices.Equal(got, tc.want) {
					t.Errorf("?%s lists %v, want %v", tc.query, got, tc.want)
				}
			}

			byID := map[string]listedView{}
			for _, c := range list("").Items {
				byID[c.ID] = c
			}
			if c := byID[one]; c.UnreadCount != 2 || c.LastMessagePreview != "second of one" || c.PersonaName != "Customer c1" ||
				c.QueueID != s.queue || c.WaitingSince.IsZero() || c.SLADueAt.IsZero() {
				t.Errorf("conversation one lists as %+v", c)
			}
			if c := byID[two]; c.UnreadCount != 0 || c.Priority != 3 {
				t.Errorf("conversation two lists as %+v", c)
			}
			if c := byID[three]; c.LastMessagePreview != strings.Repeat("é", 140) {
				t.Errorf("preview of a long message = %q", c.LastMessagePreview)
			}
			if !byID[two].WaitingSince.Before(byID[three].WaitingSince) || !byID[three].WaitingSince.Before(byID[one].WaitingSince) {
				t.Errorf("waiting since: one %v, two %v, three %v", byID[one].WaitingSince, byID[two].WaitingSince, byID[three].WaitingSince)
			}

			// Paging one at a time gives the same list in every order.
			for _, sort := range []string{"newest", "waiting", "sla_due"} {
				want := list("sort=" + sort).ids()
				var got []string
				cursor := ""
				for range 10 {
					p := list("sort=" + sort + "&limit=1&cursor=" + url.QueryEscape(cursor))
					got = append(got, p.ids()...)
					if cursor = p.NextCursor; cursor == "" {
						break
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("sort=%s paged one by one gives %v, want %v", sort, got, want)
				}
			}
			newestCursor := list("limit=1").NextCursor
			s.anaC.in(t).do("GET", "/api/v1/conversations?sort=waiting&cursor="+newestCursor, nil).wantProblem(http.StatusBadRequest, "bad-parameter")
			for _, q := range []string{"sort=oldest", "sla=late", "priority=9", "mentions=you", "unread=maybe"} {
				s.anaC.in(t).do("GET", "/api/v1/conversations?"+q, nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
			}

			var counts struct {
				Mine, Unassigned, Mentions, All int
				Queues                          []struct {
					QueueID      string `json:"queue_id"`
					Name         string
					Open, Unread int
				}
			}
			s.anaC.in(t).do("GET", "/api/v1/inbox/counts", nil).want(http.StatusOK).decode(&counts)
			if counts.All != 3 || counts.Mentions != 1 || counts.Mine+counts.Unassigned > 3 || len(counts.Queues) != 1 ||
				counts.Queues[0].QueueID != s.queue || counts.Queues[0].Open != 3 || counts.Queues[0].Unread != 2 {
				t.Errorf("counts = %+v", counts)
			}
			var other struct{ All, Mentions int }
			w.B.admin.in(t).do("GET", "/api/v1/inbox/counts", nil).want(http.StatusOK).decode(&other)
			if other.All != 0 || other.Mentions != 0 {
				t.Errorf("tenant B counts %+v of tenant A's conversations", other)
			}
		})
	}
}
