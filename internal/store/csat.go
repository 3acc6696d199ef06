package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/csat"
)

// CSATSettings returns the tenant's survey settings; ErrNotFound means it
// keeps the defaults.
func (s *Store) CSATSettings(ctx context.Context, tenantID string) (csat.Settings, error) {
	var st csat.Settings
	var chans string
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT enabled, delay_seconds, channels, question, comment_prompt, thanks, updated_at
		FROM csat_settings WHERE tenant_id = $1`, tenantID).
		Scan(&st.Enabled, &st.DelaySeconds, &chans, &st.Question, &st.CommentPrompt, &st.Thanks, &at)
	if err != nil {
		return st, notFound("csat settings", err)
	}
	if err := json.Unmarshal([]byte(chans), &st.Channels); err != nil {
		return st, fmt.Errorf("csat settings channels: %w", err)
	}
	st.UpdatedAt = fromMicros(at)
	return st, nil
}

// PutCSATSettings stores the tenant's survey settings.
func (s *Store) PutCSATSettings(ctx context.Context, tenantID string, st csat.Settings) error {
	chans, err := json.Marshal(st.Channels)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO csat_settings (tenant_id, enabled, delay_seconds, channels, question, comment_prompt, thanks, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id) DO UPDATE SET enabled = excluded.enabled, delay_seconds = excluded.delay_seconds,
		channels = excluded.channels, question = excluded.question, comment_prompt = excluded.comment_prompt,
		thanks = excluded.thanks, updated_at = excluded.updated_at`,
		tenantID, st.Enabled, st.DelaySeconds, string(chans), st.Question, st.CommentPrompt, st.Thanks, micros(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put csat settings: %w", err)
	}
	return nil
}

const surveyColumns = `id, tenant_id, conversation_id, persona_id, channel, queue_id, agent_id, state, reason, token_hash,
	rating, comment, answer_ref, due_at, sent_at, expires_at, answered_at, created_at, updated_at`

func scanSurvey(row interface{ Scan(...any) error }) (csat.Survey, error) {
	var v csat.Survey
	var due, sent, exp, ans, created, updated int64
	err := row.Scan(&v.ID, &v.TenantID, &v.ConversationID, &v.PersonaID, &v.Channel, &v.QueueID, &v.AgentID, &v.State, &v.Reason,
		&v.TokenHash, &v.Rating, &v.Comment, &v.AnswerRef, &due, &sent, &exp, &ans, &created, &updated)
	v.DueAt, v.SentAt, v.ExpiresAt, v.AnsweredAt = fromMicros(due), fromMicros(sent), fromMicros(exp), fromMicros(ans)
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	return v, err
}

// InsertSurvey stores a new survey. A conversation has at most one:
// inserted reports false (and nothing changes) when it already has one.
func (s *Store) InsertSurvey(ctx context.Context, v csat.Survey) (inserted bool, err error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO csat_surveys (`+surveyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (tenant_id, conversation_id) DO NOTHING`,
		v.ID, v.TenantID, v.ConversationID, v.PersonaID, v.Channel, v.QueueID, v.AgentID, v.State, v.Reason, v.TokenHash,
		v.Rating, v.Comment, v.AnswerRef, micros(v.DueAt), micros(v.SentAt), micros(v.ExpiresAt), micros(v.AnsweredAt),
		micros(v.CreatedAt), micros(v.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("insert survey: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UpdateSurvey writes a survey's state, answer and times, but only while it
// is still in state from: the caller read it so, and another node (or a
// retried webhook) may have moved it since. ErrConflict means it had.
func (s *Store) UpdateSurvey(ctx context.Context, v csat.Survey, from csat.State) error {
	res, err := s.w.ExecContext(ctx, `UPDATE csat_surveys SET state = $3, reason = $4, token_hash = $5, rating = $6, comment = $7,
		answer_ref = $8, sent_at = $9, expires_at = $10, answered_at = $11, updated_at = $12
		WHERE tenant_id = $1 AND id = $2 AND state = $13`,
		v.TenantID, v.ID, v.State, v.Reason, v.TokenHash, v.Rating, v.Comment, v.AnswerRef,
		micros(v.SentAt), micros(v.ExpiresAt), micros(v.AnsweredAt), micros(v.UpdatedAt), from)
	if err != nil {
		return fmt.Errorf("update survey %s: %w", v.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("survey %s is no longer %s: %w", v.ID, from, ErrConflict)
	}
	return nil
}

// Survey returns a survey by id.
func (s *Store) Survey(ctx context.Context, tenantID, id string) (csat.Survey, error) {
	v, err := scanSurvey(s.r.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	return v, surveyErr("survey "+id, err)
}

// SurveyOf returns a conversation's survey.
func (s *Store) SurveyOf(ctx context.Context, tenantID, conversationID string) (csat.Survey, error) {
	v, err := scanSurvey(s.r.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys
		WHERE tenant_id = $1 AND conversation_id = $2`, tenantID, conversationID))
	return v, surveyErr("survey of "+conversationID, err)
}

// SurveyByToken returns the survey whose link token hashes to tokenHash, in
// any tenant: the link is all the survey page has.
func (s *Store) SurveyByToken(ctx context.Context, tokenHash string) (csat.Survey, error) {
	if tokenHash == "" {
		return csat.Survey{}, fmt.Errorf("survey by token: %w", ErrNotFound)
	}
	v, err := scanSurvey(s.r.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys WHERE token_hash = $1`, tokenHash))
	return v, surveyErr("survey by token", err)
}

// OpenSurveyFor returns the persona's latest survey asked on channel that
// is still open at now: the one an SMS reply may answer.
func (s *Store) OpenSurveyFor(ctx context.Context, tenantID, personaID, channel string, now time.Time) (csat.Survey, error) {
	v, err := scanSurvey(s.r.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys
		WHERE tenant_id = $1 AND persona_id = $2 AND channel = $3 AND state = $4 AND expires_at > $5
		ORDER BY sent_at DESC, id DESC LIMIT 1`, tenantID, personaID, channel, csat.Sent, micros(now)))
	return v, surveyErr("open survey", err)
}

// SurveyAnsweredBy returns the persona's survey that the message ref (a
// provider's id) answered: a retried webhook finds its answer taken.
func (s *Store) SurveyAnsweredBy(ctx context.Context, tenantID, personaID, ref string) (csat.Survey, error) {
	v, err := scanSurvey(s.r.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys
		WHERE tenant_id = $1 AND persona_id = $2 AND answer_ref = $3 AND answer_ref <> ''`, tenantID, personaID, ref))
	return v, surveyErr("survey answered by "+ref, err)
}

// DueSurveys returns scheduled surveys due at now, oldest first, across
// tenants; and sent ones past their expiry, to close.
func (s *Store) DueSurveys(ctx context.Context, now time.Time, limit int) ([]csat.Survey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+surveyColumns+` FROM csat_surveys
		WHERE (state = $1 AND due_at <= $2) OR (state = $3 AND expires_at <= $2)
		ORDER BY due_at, id LIMIT $4`, csat.Scheduled, micros(now), csat.Sent, limit)
	if err != nil {
		return nil, fmt.Errorf("due surveys: %w", err)
	}
	defer rows.Close()
	var out []csat.Survey
	for rows.Next() {
		v, err := scanSurvey(rows)
		if err != nil {
			return nil, fmt.Errorf("due surveys: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NextSurveyDue is the earliest due time of a scheduled survey; zero when
// none is scheduled.
func (s *Store) NextSurveyDue(ctx context.Context) (time.Time, error) {
	var at *int64
	if err := s.r.QueryRowContext(ctx, `SELECT MIN(due_at) FROM csat_surveys WHERE state = $1`, csat.Scheduled).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("next survey due: %w", err)
	}
	if at == nil {
		return time.Time{}, nil
	}
	return fromMicros(*at), nil
}

// LastQueueOf is the queue a conversation's latest routed work was in, ""
// when it was never routed.
func (s *Store) LastQueueOf(ctx context.Context, tenantID, conversationID string) (string, error) {
	var q string
	err := s.r.QueryRowContext(ctx, `SELECT queue_id FROM routing_work WHERE tenant_id = $1 AND conversation_id = $2
		ORDER BY arrived_at DESC, id DESC LIMIT 1`, tenantID, conversationID).Scan(&q)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("last queue of %s: %w", conversationID, err)
	}
	return q, nil
}

// surveyErr is notFound for a survey read that may have succeeded.
func surveyErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return notFound(what, err)
}

// Reschedule moves a scheduled survey's due time (the customer's quiet
// hours hold it).
func (s *Store) Reschedule(ctx context.Context, v csat.Survey) error {
	_, err := s.w.ExecContext(ctx, `UPDATE csat_surveys SET due_at = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2 AND state = $5`,
		v.TenantID, v.ID, micros(v.DueAt), micros(v.UpdatedAt), csat.Scheduled)
	if err != nil {
		return fmt.Errorf("reschedule survey %s: %w", v.ID, err)
	}
	return nil
}
