package helpcenter

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func TestAbsorbsASearchStillBeingTyped(t *testing.T) {
	s := func(q string, after time.Duration) Event { return Event{Kind: KindSearch, Query: q, At: t0.Add(after)} }
	for _, tc := range []struct {
		prev, next Event
		want       bool
	}{
		{s("pass", 0), s("password", time.Second), true},
		{s("Password  reset", 0), s("password reset link", time.Second), true},
		{s("password", 0), s("pass", 2*time.Second), true}, // backspaced
		{s("password", 0), s("invoice", time.Second), false},
		{s("pass", 0), s("password", time.Minute), false}, // a new search, later
		{Event{Kind: KindArticle, At: t0}, s("password", time.Second), false},
	} {
		if got := Absorbs(tc.prev, tc.next); got != tc.want {
			t.Errorf("Absorbs(%q, %q after %s) = %v, want %v", tc.prev.Query, tc.next.Query, tc.next.At.Sub(tc.prev.At), got, tc.want)
		}
	}
}

func TestDwellIsTheTimeUntilTheNextStep(t *testing.T) {
	events := []Event{
		{Kind: KindPage, At: t0},
		{Kind: KindSearch, At: t0.Add(10 * time.Second)},
		{Kind: KindArticle, At: t0.Add(15 * time.Second)},
		{Kind: KindFeedback, At: t0.Add(95 * time.Second)},
		{Kind: KindArticle, At: t0.Add(100 * time.Second)},
	}
	got := WithDwell(events, t0.Add(3*time.Hour))
	want := []int{10, 0, 80, 0, int(maxDwell / time.Second)}
	for i, e := range got {
		if e.Seconds != want[i] {
			t.Errorf("step %d (%s): %d s, want %d", i, e.Kind, e.Seconds, want[i])
		}
	}
	if events[0].Seconds != 0 {
		t.Error("WithDwell changed its input")
	}
}

func TestSummarySaysWhatWasSearchedReadAndWhatDidNotHelp(t *testing.T) {
	events := []Event{
		{Kind: KindPage, At: t0, Title: "Help"},
		{Kind: KindSearch, At: t0.Add(5 * time.Second), Query: "reset password", Results: 2},
		{Kind: KindArticle, At: t0.Add(9 * time.Second), Title: "Reset your password"},
		{Kind: KindFeedback, At: t0.Add(80 * time.Second), Title: "Reset your password", Helpful: "no", Reason: "the link expired"},
		{Kind: KindSearch, At: t0.Add(90 * time.Second), Query: "link expired", Results: 0},
	}
	got := Summary(events, t0.Add(4*time.Minute))
	for _, want := range []string{"(4 min)", "“reset password” (2 results)", "“link expired” (0 results)", "read “Reset your password”",
		"did not help: “Reset your password”: the link expired"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
	if Summary(nil, t0) != "" {
		t.Error("an empty trail has a summary")
	}
}

func TestSummaryStaysShort(t *testing.T) {
	var events []Event
	for i := range 40 {
		events = append(events, Event{Kind: KindSearch, At: t0, Query: strings.Repeat("x", 500) + string(rune('a'+i%26)), Results: 1})
	}
	got := Summary(events, t0)
	if len(got) > 600 || !strings.Contains(got, "and 35 more") {
		t.Errorf("summary is %d bytes: %q", len(got), got)
	}
}

func TestEveryLanguageHasEveryWord(t *testing.T) {
	for _, lang := range Languages {
		for key := range words[DefaultLanguage] {
			if words[lang][key] == "" {
				t.Errorf("%s lacks %q", lang, key)
			}
		}
		if len(words[lang]) != len(words[DefaultLanguage]) {
			t.Errorf("%s has %d words, en %d", lang, len(words[lang]), len(words[DefaultLanguage]))
		}
	}
}

func TestParseDomains(t *testing.T) {
	got, err := ParseDomains(" Help.Acme.example=acme , support.other.example=other,")
	if err != nil || got["help.acme.example"] != "acme" || got["support.other.example"] != "other" || len(got) != 2 {
		t.Fatalf("ParseDomains = %v, %v", got, err)
	}
	for _, bad := range []string{"help.acme.example", "=acme", "a.example=x,a.example=y", "https://a.example=x"} {
		if _, err := ParseDomains(bad); err == nil {
			t.Errorf("ParseDomains(%q) accepted", bad)
		}
	}
}

func TestBrandKeepsOnlyWhatHolds(t *testing.T) {
	b := BrandOf("Acme", map[string]string{"brand_color": "#A1B2C3", "logo_url": "https://cdn.acme.example/logo.png"})
	if b.Color != "#a1b2c3" || b.LogoURL != "https://cdn.acme.example/logo.png" {
		t.Errorf("brand = %+v", b)
	}
	for _, s := range []map[string]string{
		{"brand_color": "red;}body{display:none", "logo_url": "javascript:alert(1)"},
		{"brand_color": "#12345", "logo_url": "http://plain.example/logo.png"},
		{"logo_url": "//evil.example/x.png"},
		{"logo_url": `https://x.example/a" onerror="alert(1)`},
	} {
		if b := BrandOf("Acme", s); b.Color != DefaultColor || b.LogoURL != "" {
			t.Errorf("BrandOf(%v) = %+v, want the defaults", s, b)
		}
	}
}
