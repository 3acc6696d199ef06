// Package recording decides when a call is recorded and for how long the
// recording is kept (ADR 0043). Its core is pure: a tenant's Policy, the
// consent a call's customer gave (or the announcement made), and the steps a
// call's recorder takes as the call goes active, the customer answers and the
// call ends. The calls service (internal/voice/calls) carries the steps out
// with the media room; Service stores policies, recordings and consent.
package recording

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Mode is what a tenant does about recording calls.
type Mode string

// The modes.
const (
	// Off records nothing; the default.
	Off Mode = "off"
	// Announce records every call, after telling the customer so ("this call
	// is recorded"); a customer who refuses is not recorded.
	Announce Mode = "announce"
	// Ask records a call only once the customer agreed (the widget's button,
	// or 1 on a phone's keypad); until then, and after a refusal, nothing.
	Ask Mode = "ask"
)

// Retention bounds, in days.
const (
	DefaultRetentionDays = 90
	MaxRetentionDays     = 3650
)

// Policy is a tenant's recording policy.
type Policy struct {
	Mode          Mode      `json:"mode"`
	RetentionDays int       `json:"retention_days"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// Default is the policy of a tenant that never set one: off.
func Default() Policy { return Policy{Mode: Off, RetentionDays: DefaultRetentionDays} }

// Validate says which field is wrong, as a *tenant.FieldError.
func (p Policy) Validate() error {
	switch p.Mode {
	case Off, Announce, Ask:
	default:
		return &tenant.FieldError{Field: "mode", Reason: fmt.Sprintf("%q: must be off, announce or ask", p.Mode)}
	}
	if p.RetentionDays < 1 || p.RetentionDays > MaxRetentionDays {
		return &tenant.FieldError{Field: "retention_days", Reason: fmt.Sprintf("%d: must be between 1 and %d", p.RetentionDays, MaxRetentionDays)}
	}
	return nil
}

// Consent is what a call's recording was made under.
type Consent string

// The consents.
const (
	None      Consent = ""          // nothing asked or said yet
	Asked     Consent = "asked"     // the customer was asked and has not answered
	Announced Consent = "announced" // the customer was told the call is recorded
	Granted   Consent = "granted"   // the customer agreed
	Refused   Consent = "refused"   // the customer refused: nothing is kept
)

// Prompts the customer hears (speech) when the call goes active.
const (
	AnnounceText = "This call is recorded."
	AskText      = "May we record this call? Press 1 to agree, or 2 to refuse."
)

// Step is what the recorder does next.
type Step struct {
	// Say is a prompt to play to the customer, "" for none.
	Say string
	// Start begins recording the room; Stop ends it, and Discard throws
	// away what was recorded (a refusal after an announcement).
	Start, Stop, Discard bool
	// Ledger, when set, is the consent to write to the ledger now.
	Ledger Consent
	// Now is the call's consent after the step.
	Now Consent
}

// OnActive is the step when a call first becomes active under p.
func OnActive(p Policy) Step {
	switch p.Mode {
	case Announce:
		return Step{Say: AnnounceText, Start: true, Ledger: Announced, Now: Announced}
	case Ask:
		return Step{Say: AskText, Now: Asked}
	}
	return Step{}
}

// OnAnswer is the step when the customer answers (agree or refuse) while
// the call's consent is cur. A second answer changes nothing once refused:
// a refusal is final for the call. An answer under Off, or before anything
// was asked or announced, is refused with an error.
func OnAnswer(p Policy, cur Consent, agree bool) (Step, error) {
	if p.Mode == Off || cur == None {
		return Step{Now: cur}, fmt.Errorf("%w: this call is not being recorded or asked about", ErrNotAsked)
	}
	switch {
	case cur == Refused:
		return Step{Now: Refused}, nil
	case agree && cur == Asked:
		return Step{Start: true, Ledger: Granted, Now: Granted}, nil
	case agree:
		return Step{Now: cur}, nil // already recording
	case cur == Asked:
		return Step{Ledger: Refused, Now: Refused}, nil
	default: // announced or granted, then refused: stop and keep nothing
		return Step{Stop: true, Discard: true, Ledger: Refused, Now: Refused}, nil
	}
}

// Keep reports whether a recording ending with consent c is stored.
func Keep(c Consent) bool { return c == Announced || c == Granted }

// Expired reports whether a recording made at made is past the retention at now.
func Expired(retentionDays int, made, now time.Time) bool {
	return retentionDays > 0 && !now.Before(made.Add(time.Duration(retentionDays)*24*time.Hour))
}

// DeletedNote is the timeline's note when the retention job deleted a call's recording.
func DeletedNote(retentionDays int) string {
	if retentionDays == 1 {
		return "Call recording deleted after 1 day (the tenant's retention)"
	}
	return fmt.Sprintf("Call recording deleted after %d days (the tenant's retention)", retentionDays)
}

// JoinWAV joins WAV files of one format (the recorder's: 8 kHz, 16-bit
// PCM, the same channels, each with a 44-byte header) into one, and says
// how many whole seconds it holds. A call transferred to another agent is
// recorded in one part per agent.
func JoinWAV(parts [][]byte) ([]byte, int, error) {
	const header = 44
	if len(parts) == 0 {
		return nil, 0, errors.New("recording: no parts to join")
	}
	channels := 0
	var data []byte
	for i, p := range parts {
		if len(p) < header || string(p[0:4]) != "RIFF" || string(p[8:12]) != "WAVE" || string(p[36:40]) != "data" {
			return nil, 0, fmt.Errorf("recording: part %d is not the recorder's WAV", i)
		}
		ch := int(binary.LittleEndian.Uint16(p[22:24]))
		if channels == 0 {
			channels = ch
		} else if ch != channels {
			return nil, 0, fmt.Errorf("recording: part %d has %d channels, the first %d", i, ch, channels)
		}
		data = append(data, p[header:]...)
	}
	out := make([]byte, header, header+len(data))
	copy(out, parts[0][:header])
	binary.LittleEndian.PutUint32(out[4:], uint32(36+len(data)))
	binary.LittleEndian.PutUint32(out[40:], uint32(len(data)))
	out = append(out, data...)
	return out, len(data) / (2 * channels * 8000), nil
}
