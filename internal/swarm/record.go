package swarm

import (
	"slices"
	"strings"
	"time"
)

// Month is a person's contributions in one calendar month.
type Month struct {
	Month    string `json:"month"` // 2026-12
	Rooms    int    `json:"rooms"` // distinct rooms they contributed to
	Joins    int    `json:"joins"`
	Messages int    `json:"messages"`
	Links    int    `json:"links"`
	Minutes  int    `json:"minutes"`
}

// Months sums contributions by calendar month in loc, newest month first.
func Months(cs []Contribution, loc *time.Location) []Month {
	if loc == nil {
		loc = time.UTC
	}
	by := map[string]*Month{}
	rooms := map[string]map[string]bool{}
	for _, c := range cs {
		k := c.At.In(loc).Format("2006-01")
		m := by[k]
		if m == nil {
			m = &Month{Month: k}
			by[k], rooms[k] = m, map[string]bool{}
		}
		rooms[k][c.RoomID] = true
		switch c.Kind {
		case KindJoin:
			m.Joins++
		case KindMessage:
			m.Messages++
		case KindLink:
			m.Links++
		case KindMinutes:
			m.Minutes += c.Minutes
		}
	}
	out := make([]Month, 0, len(by))
	for k, m := range by {
		m.Rooms = len(rooms[k])
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Month) int { return strings.Compare(b.Month, a.Month) })
	return out
}

// PersonWork is what one person did in one room.
type PersonWork struct {
	UserID   string `json:"user_id"`
	Status   string `json:"status"` // invited, joined
	Messages int    `json:"messages"`
	Links    int    `json:"links"`
	Minutes  int    `json:"minutes"`
}

// RoomWork is one room and who worked in it: the supervisors' "who worked
// on what".
type RoomWork struct {
	Room   Room         `json:"room"`
	People []PersonWork `json:"people"`
}

// WorkOn joins rooms with their members and contributions: for each room
// (in the order given), each member (in the order invited) with their
// messages, links and minutes in it. Contributions of people no longer
// members (none today) are kept too, after the members.
func WorkOn(rooms []Room, members map[string][]Member, cs []Contribution) []RoomWork {
	type key struct{ room, user string }
	sums := map[key]*PersonWork{}
	for _, c := range cs {
		p := sums[key{c.RoomID, c.UserID}]
		if p == nil {
			p = &PersonWork{UserID: c.UserID}
			sums[key{c.RoomID, c.UserID}] = p
		}
		switch c.Kind {
		case KindMessage:
			p.Messages++
		case KindLink:
			p.Links++
		case KindMinutes:
			p.Minutes += c.Minutes
		}
	}
	out := make([]RoomWork, 0, len(rooms))
	for _, r := range rooms {
		w := RoomWork{Room: r, People: []PersonWork{}}
		listed := map[string]bool{}
		for _, m := range members[r.ID] {
			p := PersonWork{UserID: m.UserID}
			if s := sums[key{r.ID, m.UserID}]; s != nil {
				p = *s
			}
			p.Status = string(m.Status)
			listed[m.UserID] = true
			w.People = append(w.People, p)
		}
		var rest []PersonWork
		for k, s := range sums {
			if k.room == r.ID && !listed[k.user] {
				rest = append(rest, *s)
			}
		}
		slices.SortFunc(rest, func(a, b PersonWork) int { return strings.Compare(a.UserID, b.UserID) })
		w.People = append(w.People, rest...)
		out = append(out, w)
	}
	return out
}
