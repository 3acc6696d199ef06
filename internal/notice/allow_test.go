package notice_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
)

func ledger(t *testing.T, steps ...consent.Record) []consent.Record {
	t.Helper()
	var chain []consent.Record
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i, s := range steps {
		s.TenantID, s.PersonaID, s.Actor, s.At = "t1", "p1", "test", at.Add(time.Duration(i)*time.Hour)
		r, err := consent.Append(chain, s)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, r)
	}
	return chain
}

func TestConsentAllows(t *testing.T) {
	yes := true
	marketingOn := notice.Settings{Defaults: prefs.Preferences{Categories: map[prefs.Category]prefs.TypePref{prefs.Marketing: {Enabled: &yes}}}}
	promo := notice.Type{Key: "promo", Category: prefs.Marketing}
	shipped := notice.Type{Key: "shipped", Category: prefs.Transactional}
	fraud := notice.Type{Key: "fraud", Category: prefs.Critical}
	stop := consent.Record{Scope: "channel:sms", Granted: false, Source: consent.SourceStopKeyword}
	for _, tc := range []struct {
		name    string
		records []consent.Record
		typ     notice.Type
		channel string
		s       notice.Settings
		want    bool
		why     string // must appear in why
	}{
		{"transactional by default", nil, shipped, "sms", notice.Settings{}, true, "allowed by default"},
		{"marketing needs consent", nil, promo, "email", notice.Settings{}, false, "needs consent"},
		{"marketing on by tenant default", nil, promo, "email", marketingOn, true, "allowed by default"},
		{"marketing granted by the customer", []consent.Record{{Scope: "category:marketing", Granted: true, Source: consent.SourceCustomer}}, promo, "email", notice.Settings{}, true, "category:marketing granted by customer"},
		{"STOP holds SMS, critical too", []consent.Record{stop}, fraud, "sms", notice.Settings{}, false, "channel:sms revoked by stop_keyword"},
		{"STOP leaves email", []consent.Record{stop}, fraud, "email", notice.Settings{}, true, "allowed by default"},
		{"unsubscribed from the type", []consent.Record{{Scope: "type:shipped", Granted: false, Source: consent.SourceUnsubscribe}}, shipped, "email", notice.Settings{}, false, "type:shipped revoked by unsubscribe on 2026-11-01 (record 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := notice.ConsentAllows(ledger(t, tc.records...), tc.typ, tc.channel, tc.s)
			if ok != tc.want || !strings.Contains(why, tc.why) {
				t.Errorf("allows %v (%s), want %v (%s)", ok, why, tc.want, tc.why)
			}
		})
	}
	erased, err := consent.Tombstone(nil, "t1", "p1", time.Now(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := notice.ConsentAllows([]consent.Record{erased}, fraud, "sms", notice.Settings{}); ok || why != "persona erased" {
		t.Errorf("erased persona: %v %s", ok, why)
	}
}
