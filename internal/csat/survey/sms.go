package survey

import (
	"context"
	"errors"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// SMSReply takes a text message as the answer to the customer's open SMS
// survey (sms.SurveyHook): only while one is open, and only when the text
// reads as a rating (csat.ParseReply) — anything else, a new question
// above all, goes to the inbox. A provider's retry of a message that
// already answered is taken again, without a second answer.
func (s *Service) SMSReply(ctx context.Context, tenantID string, from persona.Identifier, body, ref string) (bool, error) {
	a, ok := csat.ParseReply(body)
	if !ok {
		return false, nil
	}
	personaID, err := s.db.PersonaIDByIdentifier(ctx, tenantID, from)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if ref != "" {
		if _, err := s.db.SurveyAnsweredBy(ctx, tenantID, personaID, ref); err == nil {
			return true, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	}
	v, err := s.db.OpenSurveyFor(ctx, tenantID, personaID, csat.SMS, s.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := s.Answer(ctx, v, a, ref); err != nil {
		if errors.Is(err, csat.ErrClosed) {
			return false, nil // answered or expired meanwhile: an ordinary message
		}
		return false, err
	}
	return true, nil
}
