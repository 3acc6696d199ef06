package app

import "github.com/switchboard-cx/switchboard/internal/notice"

// notifyChannels are the channels this node sends notices on: email, SMS
// and Web Push always (their failures are the sender's to report), and
// voice once a voice channel is registered (internal/voice/outcall needs
// a SIP server, a media server and a speech engine).
func (a *App) notifyChannels() []string {
	out := []string{"email", "sms", "webpush"}
	if _, ok := a.Channels.Get(notice.Voice); ok {
		out = append(out, notice.Voice)
	}
	return out
}
