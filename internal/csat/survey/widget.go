package survey

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// surveyFrame is the widget's "survey" frame: the question while the survey
// is open, the thanks once answered.
type surveyFrame struct {
	Type           string     `json:"type"` // "survey"
	ConversationID string     `json:"conversation_id"`
	State          csat.State `json:"state"`
	Question       string     `json:"question,omitempty"`
	CommentPrompt  string     `json:"comment_prompt,omitempty"`
	Thanks         string     `json:"thanks,omitempty"`
	Rating         int        `json:"rating,omitempty"`
}

func widgetFrame(v csat.Survey, st csat.Settings) []byte {
	f := surveyFrame{Type: "survey", ConversationID: v.ConversationID, State: v.State}
	switch v.State {
	case csat.Sent:
		f.Question, f.CommentPrompt = st.Question, st.CommentPrompt
	case csat.Answered:
		f.Thanks, f.Rating = st.Thanks, v.Rating
	}
	b, _ := json.Marshal(f)
	return b
}

// SurveyFrames is the open survey of a conversation, for a widget socket
// that opens on it (webchat.Surveys).
func (s *Service) SurveyFrames(ctx context.Context, tenantID, conversationID string) [][]byte {
	v, err := s.db.SurveyOf(ctx, tenantID, conversationID)
	if err != nil || v.Channel != csat.Webchat || !v.Open(s.clock.Now()) {
		return nil
	}
	st, err := s.Settings(ctx, tenantID)
	if err != nil {
		return nil
	}
	return [][]byte{widgetFrame(v, st)}
}

// errorFrame is the widget protocol's error frame.
func errorFrame(code, detail string) []byte {
	b, _ := json.Marshal(map[string]string{"type": "error", "code": code, "detail": detail})
	return b
}

// SurveyAnswer takes the visitor's "csat" frame ({"type": "csat", "rating":
// 1–5, "comment": "…"}) for the conversation the socket is on
// (webchat.Surveys), and answers with the thanks or an error frame.
func (s *Service) SurveyAnswer(ctx context.Context, tenantID, conversationID string, data []byte) []byte {
	var a csat.Answer
	if err := json.Unmarshal(data, &a); err != nil {
		return errorFrame("invalid", "rating: a whole number from 1 to 5")
	}
	v, err := s.db.SurveyOf(ctx, tenantID, conversationID)
	if err != nil || v.Channel != csat.Webchat {
		return errorFrame("not_found", "no survey to answer")
	}
	v, err = s.Answer(ctx, v, a, "")
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &fe):
		return errorFrame("invalid", fe.Error())
	case errors.Is(err, csat.ErrClosed):
		return errorFrame("closed", "this survey is closed")
	case err != nil:
		s.log.Error("survey answer not stored", "tenant_id", tenantID, "err", err)
		return errorFrame("internal", "the answer was not stored; send it again")
	}
	st, err := s.Settings(ctx, tenantID)
	if err != nil {
		st = csat.DefaultSettings()
	}
	return widgetFrame(v, st)
}
