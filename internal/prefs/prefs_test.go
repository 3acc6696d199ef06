package prefs

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestMergePersonaSetFieldsWin(t *testing.T) {
	until := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	ten := TenantDefaults{
		Channels:   map[string]bool{"sms": true, "voice": false},
		Types:      map[string]TypePref{"order-shipped": {Enabled: ptr(true), Channels: []string{"email"}}},
		Categories: map[Category]TypePref{Marketing: {Enabled: ptr(false)}},
		Order:      []string{"email", "sms"},
		Retrieval:  Web,
		Response:   "email",
		QuietHours: &QuietHours{From: "21:00", To: "08:00"},
		TimeZone:   "Europe/Lisbon",
	}
	persona := Preferences{
		Channels:  map[string]bool{"sms": false},
		Types:     map[string]TypePref{"order-shipped": {Channels: []string{"webchat"}}},
		Order:     []string{"webchat"},
		TimeZone:  "America/New_York",
		Momentary: &Momentary{State: "meeting", AllowChannels: []string{"sms"}, Until: until},
	}
	want := Preferences{
		Channels:   map[string]bool{"sms": false, "voice": false},
		Types:      map[string]TypePref{"order-shipped": {Enabled: ptr(true), Channels: []string{"webchat"}}},
		Categories: map[Category]TypePref{Marketing: {Enabled: ptr(false)}},
		Order:      []string{"webchat"},
		Retrieval:  Web,
		Response:   "email",
		QuietHours: &QuietHours{From: "21:00", To: "08:00"},
		TimeZone:   "America/New_York",
		Momentary:  &Momentary{State: "meeting", AllowChannels: []string{"sms"}, Until: until},
	}
	if got := Merge(ten, persona); !reflect.DeepEqual(got, want) {
		t.Errorf("merge =\n%+v\nwant\n%+v", got, want)
	}
	if got := Merge(TenantDefaults{}, Preferences{}); !reflect.DeepEqual(got, Preferences{}) {
		t.Errorf("merge of nothing = %+v", got)
	}
}

func TestPreferencesJSON(t *testing.T) {
	in := `{"channels":{"sms":false},"categories":{"marketing":{"enabled":false}},"order":["sms","email"],` +
		`"retrieval":"web","response":"sms","quiet_hours":{"from":"22:00","to":"07:00","days":["fri","sat"]},` +
		`"time_zone":"Europe/Lisbon","momentary":{"state":"driving","allow_channels":["voice"],"until":"2026-06-01T15:00:00Z"}}`
	var p Preferences
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("round trip:\n%s\nwant\n%s", out, in)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		p     Preferences
		field string
	}{
		{Preferences{TimeZone: "Mars/Olympus"}, "time_zone"},
		{Preferences{TimeZone: "Local"}, "time_zone"},
		{Preferences{Categories: map[Category]TypePref{"urgent": {}}}, "categories.urgent"},
		{Preferences{QuietHours: &QuietHours{From: "10pm", To: "07:00"}}, "quiet_hours.from"},
		{Preferences{QuietHours: &QuietHours{From: "22:00", To: "24:00"}}, "quiet_hours.to"},
		{Preferences{QuietHours: &QuietHours{From: "22:00", To: "22:00"}}, "quiet_hours"},
		{Preferences{QuietHours: &QuietHours{From: "22:00", To: "07:00", Days: []string{"friday"}}}, "quiet_hours.days[0]"},
		{Preferences{Momentary: &Momentary{AllowChannels: []string{"sms"}, Until: time.Now()}}, "momentary.state"},
		{Preferences{Momentary: &Momentary{State: "do not disturb"}}, "momentary.until"},
		{Preferences{}, ""},
		{Preferences{TimeZone: "Australia/Lord_Howe", QuietHours: &QuietHours{From: "23:30", To: "06:15"}}, ""},
	} {
		err := tc.p.Validate()
		var fe *tenant.FieldError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: unexpected %v", tc.p, err)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
			t.Errorf("%+v: error %v, want one on %s", tc.p, err, tc.field)
		}
	}
}
