package persona

import (
	"strings"
	"testing"
	"time"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Zoë Müller": "zoe muller",
		"ZOË":        "zoe",
		"Priya Nair": "priya nair",
		"François":   "francois",
		"José Núñez": "jose nunez",
		"":           "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneDigits(t *testing.T) {
	for in, want := range map[string]string{
		"+49 151 1234-5678": "4915112345678",
		"(415) 555-0142":    "4155550142",
		"0151 12345678":     "015112345678,15112345678",
		"0049 151 12345678": "004915112345678,4915112345678",
		"555.0142":          "5550142",
		"priya":             "",
		"12":                "",
		"crm-1042":          "",
	} {
		if got := strings.Join(PhoneDigits(in), ","); got != want {
			t.Errorf("PhoneDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMergeDemotes(t *testing.T) {
	anon := Identifier{Kind: KindWidget, Value: "visitor-1"}
	sms := Identifier{Kind: KindPhone, Value: "+4915112345678"}
	api := Identifier{Kind: KindAPI, Value: "ticket-9"}
	mail := Identifier{Kind: KindEmail, Value: "zoe@example.com"}.Proven(MethodMailFromMailbox, time.Unix(0, 0))
	for _, tc := range []struct {
		name             string
		survivor, merged []Identifier
		want             string
	}{
		{"unproven number into proven", []Identifier{mail}, []Identifier{sms}, "phone:+4915112345678"},
		{"proven into unproven number", []Identifier{sms}, []Identifier{mail}, "phone:+4915112345678"},
		{"both sides' unproven ones", []Identifier{sms, mail}, []Identifier{api}, "phone:+4915112345678,api:ticket-9"},
		{"an anonymous chat visitor keeps their chat", []Identifier{mail}, []Identifier{anon}, ""},
		{"two unproven stay as they are", []Identifier{sms}, []Identifier{api}, ""},
		{"proven only", []Identifier{mail}, nil, ""},
	} {
		var got []string
		for _, i := range MergeDemotes(tc.survivor, tc.merged) {
			got = append(got, i.String())
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: demoted %v, want %s", tc.name, got, tc.want)
		}
	}
}
