package csat_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		body    string
		ok      bool
		rating  int
		comment string
	}{
		{"5", true, 5, ""},
		{" 4 \n", true, 4, ""},
		{"5/5", true, 5, ""},
		{"3. it was ok", true, 3, "it was ok"},
		{"1 - slow", true, 1, "slow"},
		{"4 quick and kind", true, 4, "quick and kind"},
		{"5!", true, 5, ""},
		{"0", false, 0, ""},
		{"6", false, 0, ""},
		{"10", false, 0, ""},
		{"5pm tomorrow", false, 0, ""},
		{"3/4", false, 0, ""},
		{"2 more questions: is my card blocked?", false, 0, ""},
		{"Is my card blocked?", false, 0, ""},
		{"thanks", false, 0, ""},
		{"", false, 0, ""},
	}
	for _, tt := range tests {
		a, ok := csat.ParseReply(tt.body)
		if ok != tt.ok || (ok && (a.Rating != tt.rating || a.Comment != tt.comment)) {
			t.Errorf("ParseReply(%q) = %+v, %v; want %d %q %v", tt.body, a, ok, tt.rating, tt.comment, tt.ok)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	good := csat.DefaultSettings()
	if _, err := csat.ValidateSettings(good); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		field string
		edit  func(*csat.Settings)
	}{
		{"delay_seconds", func(s *csat.Settings) { s.DelaySeconds = -1 }},
		{"delay_seconds", func(s *csat.Settings) { s.DelaySeconds = 8 * 24 * 3600 }},
		{"channels", func(s *csat.Settings) { s.Channels = []string{"fax"} }},
		{"question", func(s *csat.Settings) { s.Question = "  " }},
		{"thanks", func(s *csat.Settings) { s.Thanks = string(make([]rune, 301)) }},
	}
	for _, tt := range tests {
		s := csat.DefaultSettings()
		tt.edit(&s)
		_, err := csat.ValidateSettings(s)
		var fe *tenant.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: got %v", tt.field, err)
		}
	}
	s := csat.DefaultSettings()
	s.Channels = []string{"sms", "webchat", "sms"}
	s, _ = csat.ValidateSettings(s)
	if len(s.Channels) != 2 || s.Channels[0] != "webchat" {
		t.Errorf("channels normalized to %v", s.Channels)
	}
}

func TestSurveyTake(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := csat.DefaultSettings()
	if got := s.DueAt(csat.Webchat, now); !got.Equal(now) {
		t.Errorf("widget due %v, want at once", got)
	}
	if got := s.DueAt(csat.Email, now); !got.Equal(now.Add(15 * time.Minute)) {
		t.Errorf("email due %v, want after the delay", got)
	}
	sv := csat.Survey{ID: "s1", State: csat.Sent, ExpiresAt: now.Add(time.Hour)}
	if err := sv.Take(csat.Answer{Rating: 6}, "", now); err == nil {
		t.Error("rating 6 taken")
	}
	if err := sv.Take(csat.Answer{Rating: 4, Comment: "  kind "}, "SM1", now); err != nil || sv.Rating != 4 || sv.Comment != "kind" || sv.State != csat.Answered {
		t.Errorf("take: %v %+v", err, sv)
	}
	if err := sv.Take(csat.Answer{Rating: 1}, "", now); !errors.Is(err, csat.ErrClosed) {
		t.Errorf("second answer: %v", err)
	}
	late := csat.Survey{ID: "s2", State: csat.Sent, ExpiresAt: now}
	if err := late.Take(csat.Answer{Rating: 3}, "", now); !errors.Is(err, csat.ErrClosed) {
		t.Errorf("expired survey answered: %v", err)
	}
}
