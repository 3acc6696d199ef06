package persona

import (
	"strings"
	"testing"
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
