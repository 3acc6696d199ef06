package sms_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/sms"
)

func TestParseKeyword(t *testing.T) {
	for _, tc := range []struct {
		body string
		kind sms.Keyword
		word string
	}{
		{"STOP", sms.KeywordStop, "STOP"},
		{"  stop\n", sms.KeywordStop, "STOP"},
		{"Unsubscribe", sms.KeywordStop, "UNSUBSCRIBE"},
		{"stopall", sms.KeywordStop, "STOPALL"},
		{"cancel", sms.KeywordStop, "CANCEL"},
		{"End", sms.KeywordStop, "END"},
		{"quit", sms.KeywordStop, "QUIT"},
		{"start", sms.KeywordStart, "START"},
		{"Yes", sms.KeywordStart, "YES"},
		{"UNSTOP", sms.KeywordStart, "UNSTOP"},
		{"help", sms.KeywordHelp, "HELP"},
		{"Info ", sms.KeywordHelp, "INFO"},
		{"please stop texting me", sms.KeywordNone, ""},
		{"stop.", sms.KeywordNone, ""},
		{"yes please", sms.KeywordNone, ""},
		{"", sms.KeywordNone, ""},
	} {
		kind, word := sms.ParseKeyword(tc.body)
		if kind != tc.kind || word != tc.word {
			t.Errorf("ParseKeyword(%q) = %q %q, want %q %q", tc.body, kind, word, tc.kind, tc.word)
		}
	}
}
