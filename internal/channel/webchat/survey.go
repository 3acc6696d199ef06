package webchat

import "context"

// Surveys runs the satisfaction survey in the widget (internal/csat/survey):
// after a chat is resolved the widget shows the question and a rating, and
// the visitor answers with a "csat" frame. Frames for the visitor (the
// survey, its thanks) reach the conversation's sockets on every node
// through FrameSubject.
type Surveys interface {
	// SurveyFrames are the frames a socket that opens on the conversation
	// needs: its open survey, if one is.
	SurveyFrames(ctx context.Context, tenantID, conversationID string) [][]byte
	// SurveyAnswer takes a visitor's "csat" frame and returns the frame to
	// answer the socket with (the thanks, or an error frame).
	SurveyAnswer(ctx context.Context, tenantID, conversationID string, data []byte) []byte
}

// FrameSubject is where ready-made frames for a conversation's widget
// sockets travel on the bus (call signals, surveys): each node writes them
// as they are to its sockets of that conversation.
func FrameSubject(tenantID, conversationID string) string {
	return CallSubject(tenantID, conversationID)
}

// surveyFrame hands the visitor's answer to the survey service.
func (s *socket) surveyFrame(ctx context.Context, data []byte) {
	conv := s.conversation()
	if s.ch.surveys == nil || conv == "" {
		s.reply(ctx, errorFrame{Type: "error", Code: "not_found", Detail: "no survey to answer"})
		return
	}
	if err := s.send(ctx, s.ch.surveys.SurveyAnswer(ctx, s.visitor.TenantID, conv, data)); err != nil {
		s.ch.log.Debug("webchat write failed", "err", err)
	}
}

// surveyState queues the conversation's open survey for a socket that just
// opened on it.
func (s *socket) surveyState(ctx context.Context, conv string) {
	if s.ch.surveys == nil {
		return
	}
	for _, f := range s.ch.surveys.SurveyFrames(ctx, s.visitor.TenantID, conv) {
		s.offer(item{frame: f})
	}
}
