package notify

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// BenchmarkDecide measures the decision per persona, without the database:
// what Raise for all does a million times.
func BenchmarkDecide(b *testing.B) {
	s := New(Deps{})
	now := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)
	t := notice.Type{Key: "outage", Category: prefs.Transactional, Channels: []string{"sms", "email"}, DefaultLanguage: "en"}
	d := s.newDecider(notice.Event{TenantID: "t", ID: "e"}, t, notice.Settings{}, now)
	zones := []string{"Europe/Lisbon", "America/New_York", "Asia/Tokyo", "", "UTC"}
	ps := make([]store.NotifyPersona, 1000)
	f := facts{prefs: map[string]prefs.Preferences{}}
	for i := range ps {
		ps[i] = store.NotifyPersona{ID: string(rune('a'+i%26)) + time.Duration(i).String(), TimeZone: zones[i%len(zones)], Email: "x@y", Phone: "+351"}
		if i%10 == 0 {
			f.prefs[ps[i].ID] = prefs.Preferences{QuietHours: &prefs.QuietHours{From: "22:00", To: "07:00"}}
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.decide(ps[i%len(ps)], &f)
	}
}
