package conversation

import "testing"

func TestRouteChannel(t *testing.T) {
	for _, c := range []struct {
		channel    string
		modalities []string
		want       string
	}{
		{"webchat", nil, "webchat"},
		{"webchat", []string{"webchat"}, "webchat"},
		{"webchat", []string{"webchat", "voice"}, "webchat"},
		{"webchat", []string{"webchat", "video", "voice"}, "webchat"},
		{"webchat", []string{"webchat", "voice", "email"}, "email"},
		{"voice", []string{"voice"}, "voice"},
		{"voice", []string{"voice", "sms"}, "sms"},
	} {
		got := Conversation{Channel: c.channel, Modalities: c.modalities}.RouteChannel()
		if got != c.want {
			t.Errorf("%s %v: routed as %s, want %s", c.channel, c.modalities, got, c.want)
		}
	}
}
