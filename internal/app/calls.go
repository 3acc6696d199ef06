package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// openCalls starts the media server with the node and builds the browser
// calls service over it (docs/voice.md). With no flags it works offline on
// 127.0.0.1: media binds loopback when the node listens there, and browsers
// reach it directly, without TURN.
func (a *App) openCalls(secret []byte, b *bus.Bus, out *outbox.Outbox, clk clock.Clock) error {
	cfg := a.cfg
	bind := list(cfg.MediaBind)
	if host, _, err := net.SplitHostPort(cfg.Addr); len(bind) == 0 && err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() || host == "localhost" {
			bind = []string{"127.0.0.1"}
		}
	}
	turnSecret := cfg.TURNSecret
	if turnSecret == "" {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("turn credentials"))
		turnSecret = hex.EncodeToString(m.Sum(nil))
	}
	srv, err := media.New(media.Config{PortMin: cfg.MediaPortMin, PortMax: cfg.MediaPortMax, PublicIPs: list(cfg.MediaPublicIPs),
		Bind: bind, TURN: media.TURNConfig{Listen: cfg.TURNListen, Secret: turnSecret, External: list(cfg.TURNExternal)},
		// A phone leg's RTP goes where a tenant's trunk says: through the one guard.
		CheckRTPAddr: a.guard.CheckHost, Clock: clk, Log: a.log})
	if err != nil {
		return fmt.Errorf("media server: %w", err)
	}
	a.closers = append(a.closers, func() { srv.Close() })
	a.media = srv
	// A node is known by its host and address across restarts, so a new run
	// ends the calls the last one left live.
	host, _ := os.Hostname()
	a.Recording = recording.New(a.DB, out, clk, a.log)
	callCfg := calls.Config{HoldMusic: calls.HoldMusic}
	// The recording announcement is spoken by espeak-ng when the machine has
	// it; without it the customer hears a beep (and the widget says it).
	if tts, err := speech.NewEspeak(speech.EspeakConfig{}); err == nil {
		callCfg.Speak = calls.Speech(speech.NewCache(tts, 0))
	} else {
		a.log.Warn("recording announcements are a beep", "err", err)
		callCfg.Speak = func(context.Context, string) (calls.AudioSource, error) { return speech.Beep().Source(), nil }
	}
	a.Calls, err = calls.New(calls.Deps{DB: a.DB, Out: out, Bus: b, Inbox: a.Inbox, Routing: a.Dispatch, Agents: a.Hub,
		Media: calls.MediaServer(srv), Recorder: a.Recording, Node: host + "/" + cfg.Addr, Clock: clk, Log: a.log}, callCfg)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	a.callSignals.Set(a.Calls)
	return nil
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
