package app

import (
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/httpapi"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/voice/outcall"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// openOutcall builds the center's outbound calls when the node has a SIP
// server, a media server and espeak-ng: the voice notification channel
// (spoken notices answered on the keypad) and callbacks that dial the
// customer once the agent is on the line (docs/voice.md, ADR 0044). Calls
// leave through the tenant's first trunk with a provider.
func (a *App) openOutcall(clk clock.Clock) error {
	if a.SIP == nil || a.media == nil || a.Calls == nil {
		return nil
	}
	engine, err := speech.NewEspeak(speech.EspeakConfig{})
	if err != nil {
		a.log.Warn("no text to speech: notices are not sent by voice", "err", err)
		return nil
	}
	a.Outcall, err = outcall.New(outcall.Deps{Dialer: a.SIP, Trunks: outcall.TrunksFunc(a.Phone.TrunkFor), Media: a.media,
		Speech: speech.NewCache(engine, 0), Replies: a.Notify, Calls: a.Calls, Callbacks: a.Dispatch, Clock: clk, Log: a.log},
		outcall.Config{RingTimeout: a.cfg.NoticeRing, CallbackRing: a.cfg.CallbackRing})
	if err != nil {
		return err
	}
	a.closers = append(a.closers, a.Outcall.Close) // hangs up before the SIP server closes
	return a.Channels.Register(outcall.NewChannel(a.Outcall))
}

// notifyChannels are the channels this node sends notices on: email, SMS,
// Web Push, Telegram and WhatsApp always (their failures are the sender's to report), and
// voice once the voice channel is registered (openOutcall).
func (a *App) notifyChannels() []string {
	out := []string{"email", "sms", "webpush", "telegram", "whatsapp"}
	if _, ok := a.Channels.Get(notice.Voice); ok {
		out = append(out, notice.Voice)
	}
	return out
}

// outcallAPI is the callback dialer the API uses: none (a nil interface,
// not a nil pointer in one) without outbound calls.
func (a *App) outcallAPI() httpapi.CallbackDialer {
	if a.Outcall == nil {
		return nil
	}
	return a.Outcall
}
