package phone

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// voicemail takes a message (greeting, beep, recording until #, silence or
// the length limit) and stores it in the conversation as a message with
// the recording (WAV, 8 kHz mono) attached; then the call is hung up. A
// message in which nothing was said is noted, not attached.
func (s *Service) voicemail(ctx context.Context, log interface {
	Info(string, ...any)
	Warn(string, ...any)
}, c *sip.Inbound, leg *media.Phone, num store.PhoneNumber, conversationID, lang string) {
	defer leg.Close("voicemail")
	vm, err := ivr.NewVoicemail(ivr.VoicemailConfig{Language: lang})
	if err != nil {
		log.Warn("voicemail", "err", err)
		_ = c.Hangup()
		return
	}
	f, err := os.CreateTemp("", "voicemail-*.wav")
	if err != nil {
		log.Warn("voicemail: temporary file", "err", err)
		_ = c.Hangup()
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	var stop func() error
	rec := &recorder{audio: vm.Audio, start: func(room *media.Room, leg *media.Phone) {
		if stop == nil {
			stop = room.Record(f, leg)
			log.Info("voicemail recording")
		}
	}}
	end, gone := s.run(ctx, c, leg, vm, rec)
	// A hang-up while recording still leaves the message: the machine's end
	// says what was heard; without one (gone), keep what was recorded.
	var recErr error
	if stop != nil {
		recErr = stop()
	}
	if !gone {
		_ = c.Hangup()
	}
	if stop == nil {
		log.Info("voicemail: the caller left before the tone")
		return
	}
	if recErr != nil {
		log.Warn("voicemail: recording", "err", recErr)
		return
	}
	body := "Voicemail"
	keep := time.Duration(-1)
	if end != nil {
		keep = end.Keep
		if !end.Heard {
			body = "Voicemail: the caller said nothing"
		}
	}
	wav, dur, err := trimmedWAV(f, keep)
	if err != nil {
		log.Warn("voicemail: read recording", "err", err)
		return
	}
	in := inbox.Inbound{TenantID: num.TenantID, Channel: Channel, From: callerID(c.From, c.CallID), ConversationID: conversationID,
		ExternalID: "sip:" + c.CallID + ":voicemail", Unrefusable: true,
		Body: fmt.Sprintf("%s (%s) from %s to %s", body, clockTime(dur), callerText(callerID(c.From, c.CallID)), num.Number),
		Meta: map[string]any{"phone_number": num.Number, "voicemail_seconds": dur.Seconds()}}
	if end == nil || end.Heard {
		in.Attachments = []inbox.File{{Name: "voicemail.wav", ContentType: "audio/wav", Data: wav}}
	}
	if _, err := s.inbox.Ingest(context.WithoutCancel(ctx), in); err != nil {
		log.Warn("voicemail: store", "err", err)
		return
	}
	log.Info("voicemail stored", "seconds", dur.Seconds())
}

// trimmedWAV reads the recording (a mono 16-bit WAV from media.Room.Record)
// and keeps its first keep (all of it when keep < 0).
func trimmedWAV(f *os.File, keep time.Duration) ([]byte, time.Duration, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, 0, err
	}
	const header = 44
	if len(b) < header {
		return nil, 0, fmt.Errorf("recording of %d bytes has no WAV header", len(b))
	}
	data := b[header:]
	if keep >= 0 {
		if n := int(keep.Seconds()*speech.Rate) * 2; n < len(data) {
			data = data[:n]
		}
	}
	out := make([]byte, header+len(data))
	copy(out, b[:header])
	copy(out[header:], data)
	binary.LittleEndian.PutUint32(out[4:], uint32(36+len(data)))
	binary.LittleEndian.PutUint32(out[40:], uint32(len(data)))
	return out, time.Duration(len(data)/2) * time.Second / speech.Rate, nil
}

func clockTime(d time.Duration) string {
	sec := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
