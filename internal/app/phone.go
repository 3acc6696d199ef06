package app

import (
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/voice/phone"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// openPhone builds the tenants' trunks and numbers (always: the API keeps
// them) and, when --sip-listen or --sip-listen-tcp is given, starts the
// node's SIP server, which finds a trunk by the dialled number in storage
// and hands each call to the phone service (docs/voice.md, ADR 0042).
func (a *App) openPhone(secret []byte, clk clock.Clock) error {
	var speaker speech.Speaker
	if engine, err := speech.NewEspeak(speech.EspeakConfig{}); err != nil {
		a.log.Warn("no text to speech: phone menus and voicemail are skipped", "err", err)
	} else {
		speaker = speech.NewCache(engine, 0)
	}
	var err error
	a.Phone, err = phone.New(phone.Deps{DB: a.DB, Routing: a.Dispatch, Inbox: a.Inbox, Calls: a.Calls, Media: a.media,
		Speaker: speaker, ServerKey: secret, Waits: a.Waits, Clock: clk, Log: a.log})
	if err != nil {
		return err
	}
	cfg := a.cfg
	if cfg.SIPListen == "" && cfg.SIPListenTCP == "" {
		return nil
	}
	a.SIP, err = sip.New(sip.Config{ListenUDP: cfg.SIPListen, ListenTCP: cfg.SIPListenTCP, Host: cfg.SIPHost,
		// The provider's and callers' addresses are tenant-set: the one guard.
		Guard: a.guard, Clock: clk, Log: a.log}, a.Phone.Lookup, a.Phone)
	if err != nil {
		return fmt.Errorf("sip server: %w", err)
	}
	a.closers = append(a.closers, func() { a.SIP.Close() })
	a.log.Info("sip server listening", "udp", a.SIP.UDPAddr(), "tcp", a.SIP.TCPAddr())
	return nil
}
