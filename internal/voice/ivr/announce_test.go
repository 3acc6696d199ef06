package ivr_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

func TestAnnouncement(t *testing.T) {
	for _, tc := range []struct {
		lang     string
		position int
		wait     time.Duration
		want     string
	}{
		{"en", 3, 4 * time.Minute, "You are third in line. The expected wait is about 4 minutes."},
		{"en", 1, 0, "You are next in line."},
		{"en", 2, 30 * time.Second, "You are second in line. The expected wait is less than a minute."},
		{"en", 10, 61 * time.Second, "You are tenth in line. The expected wait is about 2 minutes."},
		{"en", 11, time.Minute, "You are number 11 in line. The expected wait is about one minute."},
		{"en", 40, 3 * time.Hour, "You are number 40 in line. The expected wait is more than an hour."},
		{"en-US", 4, -time.Second, "You are fourth in line."},
		{"de", 3, 4 * time.Minute, "Sie sind an dritter Stelle. Die Wartezeit beträgt etwa 4 Minuten."},
		{"de", 1, 20 * time.Second, "Sie sind als Nächstes an der Reihe. Die Wartezeit beträgt weniger als eine Minute."},
		{"de", 12, 0, "Sie sind an Stelle 12."},
		{"fr", 3, 4 * time.Minute, "Vous êtes en troisième position. L'attente est d'environ 4 minutes."},
		{"fr", 2, time.Minute, "Vous êtes en deuxième position. L'attente est d'environ une minute."},
		{"es", 3, 4 * time.Minute, "Está usted en la tercera posición. El tiempo de espera es de aproximadamente 4 minutos."},
		{"es", 25, 2 * time.Hour, "Está usted en la posición 25. El tiempo de espera es de más de una hora."},
	} {
		got, err := ivr.Announcement(tc.lang, tc.position, tc.wait)
		if err != nil || got != tc.want {
			t.Errorf("Announcement(%s, %d, %v) = %q, %v; want %q", tc.lang, tc.position, tc.wait, got, err, tc.want)
		}
	}
	if _, err := ivr.Announcement("it", 1, 0); !errors.Is(err, speech.ErrLanguage) {
		t.Errorf("Italian: %v", err)
	}
	if _, err := ivr.Announcement("en", 0, 0); err == nil {
		t.Error("position 0 accepted")
	}
	// Every supported language has every phrase.
	for _, l := range speech.Languages {
		for pos := 1; pos <= 12; pos++ {
			if s, err := ivr.Announcement(l, pos, 5*time.Minute); err != nil || len(s) < 20 {
				t.Errorf("%s %d: %q %v", l, pos, s, err)
			}
		}
	}
}
