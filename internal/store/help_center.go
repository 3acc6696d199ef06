package store

import (
	"context"
	"fmt"
	"time"
)

// HelpSession is one visitor's visit to a tenant's help center (or its
// widget's article search), known by a random id the visitor's browser keeps.
type HelpSession struct {
	TenantID, ID string
	Locale       string
	StartedAt    time.Time
	LastAt       time.Time
}

// HelpEvent is one step of a help session's trail: a page or an article seen,
// a search and how many answers it had, a "did this help?" answer.
type HelpEvent struct {
	TenantID, SessionID, ID string
	At                      time.Time
	Kind                    string // page, article, search, feedback
	Title, Slug, Query      string
	Results                 int
	Helpful                 string // "yes", "no" or "" (not feedback)
	Reason                  string
}

// HelpFeedback is one "did this help?" answer on an article.
type HelpFeedback struct {
	TenantID, ID, ArticleID, SessionID string
	Helpful                            bool
	Reason                             string
	CreatedAt                          time.Time
}

// HelpLink says which help session a conversation was started from.
type HelpLink struct {
	TenantID, ConversationID, SessionID string
	LinkedAt                            time.Time
}

// MaxHelpEvents is how many of a session's events are kept and shown: the
// newest ones; a visitor who does more than this is not reading any more.
const MaxHelpEvents = 200

// CreateHelpSession stores a new help session; an id that exists is ErrConflict.
func (s *Store) CreateHelpSession(ctx context.Context, h HelpSession) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO help_sessions (tenant_id, id, locale, started_at, last_at) VALUES ($1, $2, $3, $4, $5)`,
		h.TenantID, h.ID, h.Locale, micros(h.StartedAt), micros(h.LastAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create help session: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create help session: %w", err)
	}
	return nil
}

// HelpSessionByID returns the tenant's help session.
func (s *Store) HelpSessionByID(ctx context.Context, tenantID, id string) (HelpSession, error) {
	var h HelpSession
	var started, last int64
	err := s.r.QueryRowContext(ctx, `SELECT tenant_id, id, locale, started_at, last_at FROM help_sessions
		WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&h.TenantID, &h.ID, &h.Locale, &started, &last)
	if err != nil {
		return h, notFound("help session", err)
	}
	h.StartedAt, h.LastAt = fromMicros(started), fromMicros(last)
	return h, nil
}

const helpEventColumns = `tenant_id, session_id, id, at, kind, title, slug, query, results, helpful, reason`

func scanHelpEvent(row interface{ Scan(...any) error }) (HelpEvent, error) {
	var e HelpEvent
	var at int64
	err := row.Scan(&e.TenantID, &e.SessionID, &e.ID, &at, &e.Kind, &e.Title, &e.Slug, &e.Query, &e.Results, &e.Helpful, &e.Reason)
	e.At = fromMicros(at)
	return e, err
}

// AddHelpEvent appends an event to its session's trail and notes the
// session as active at its time. A session of another tenant, or none, is
// ErrNotFound.
func (s *Store) AddHelpEvent(ctx context.Context, e HelpEvent) error {
	if err := s.touchHelpSession(ctx, e.TenantID, e.SessionID, e.At); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO help_events (`+helpEventColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.TenantID, e.SessionID, e.ID, micros(e.At), e.Kind, e.Title, e.Slug, e.Query, e.Results, e.Helpful, e.Reason)
	if err != nil {
		return fmt.Errorf("add help event: %w", err)
	}
	// Keep the newest MaxHelpEvents; the rest goes.
	_, err = s.w.ExecContext(ctx, `DELETE FROM help_events WHERE tenant_id = $1 AND session_id = $2 AND id IN (
		SELECT id FROM help_events WHERE tenant_id = $1 AND session_id = $2 ORDER BY at DESC, id DESC LIMIT 1000 OFFSET $3)`,
		e.TenantID, e.SessionID, MaxHelpEvents)
	if err != nil {
		return fmt.Errorf("add help event: trim: %w", err)
	}
	return nil
}

// ReplaceHelpEvent rewrites an event of the trail (a search that grew as
// the visitor typed) and notes the session as active at its new time.
func (s *Store) ReplaceHelpEvent(ctx context.Context, e HelpEvent) error {
	if err := s.touchHelpSession(ctx, e.TenantID, e.SessionID, e.At); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE help_events SET at = $4, kind = $5, title = $6, slug = $7, query = $8,
		results = $9, helpful = $10, reason = $11 WHERE tenant_id = $1 AND session_id = $2 AND id = $3`,
		e.TenantID, e.SessionID, e.ID, micros(e.At), e.Kind, e.Title, e.Slug, e.Query, e.Results, e.Helpful, e.Reason)
	if err != nil {
		return fmt.Errorf("replace help event: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("replace help event %s: %w", e.ID, ErrNotFound)
	}
	return nil
}

func (s *Store) touchHelpSession(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE help_sessions SET last_at = CASE WHEN last_at < $3 THEN $3 ELSE last_at END
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, micros(at))
	if err != nil {
		return fmt.Errorf("help session %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("help session: %w", ErrNotFound)
	}
	return nil
}

// HelpEvents returns a session's trail up to and including until (all of it
// when until is zero), oldest first.
func (s *Store) HelpEvents(ctx context.Context, tenantID, sessionID string, until time.Time) ([]HelpEvent, error) {
	end := int64(1<<62 - 1)
	if !until.IsZero() {
		end = micros(until)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+helpEventColumns+` FROM help_events
		WHERE tenant_id = $1 AND session_id = $2 AND at <= $3 ORDER BY at, id LIMIT $4`, tenantID, sessionID, end, MaxHelpEvents)
	if err != nil {
		return nil, fmt.Errorf("help events: %w", err)
	}
	return collect(rows, scanHelpEvent)
}

// InsertHelpFeedback stores a "did this help?" answer.
func (s *Store) InsertHelpFeedback(ctx context.Context, f HelpFeedback) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO help_feedback (tenant_id, id, article_id, session_id, helpful, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.TenantID, f.ID, f.ArticleID, f.SessionID, f.Helpful, f.Reason, micros(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert help feedback: %w", err)
	}
	return nil
}

// HelpFeedbackCounts counts the answers on an article: how many said it
// helped and how many said it did not.
func (s *Store) HelpFeedbackCounts(ctx context.Context, tenantID, articleID string) (yes, no int, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN helpful THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN helpful THEN 0 ELSE 1 END), 0)
		FROM help_feedback WHERE tenant_id = $1 AND article_id = $2`, tenantID, articleID).Scan(&yes, &no)
	if err != nil {
		return 0, 0, fmt.Errorf("help feedback counts: %w", err)
	}
	return yes, no, nil
}

// LinkHelpSession records that a conversation was started from a help
// session. A conversation keeps the first session linked to it: it reports
// false when one was linked before.
func (s *Store) LinkHelpSession(ctx context.Context, l HelpLink) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO help_links (tenant_id, conversation_id, session_id, linked_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, conversation_id) DO NOTHING`,
		l.TenantID, l.ConversationID, l.SessionID, micros(l.LinkedAt))
	if err != nil {
		return false, fmt.Errorf("link help session: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// HelpLinkOf returns the help session a conversation was started from.
func (s *Store) HelpLinkOf(ctx context.Context, tenantID, conversationID string) (HelpLink, error) {
	var l HelpLink
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT tenant_id, conversation_id, session_id, linked_at FROM help_links
		WHERE tenant_id = $1 AND conversation_id = $2`, tenantID, conversationID).Scan(&l.TenantID, &l.ConversationID, &l.SessionID, &at)
	if err != nil {
		return l, notFound("help link", err)
	}
	l.LinkedAt = fromMicros(at)
	return l, nil
}

// DeleteIdleHelpSessions deletes, across tenants, the help sessions last
// active before the cutoff that no conversation was started from, with
// their trails; their feedback stays, no longer tied to them. It returns
// how many sessions went.
func (s *Store) DeleteIdleHelpSessions(ctx context.Context, before time.Time) (int64, error) {
	const idle = `SELECT tenant_id, id FROM help_sessions h WHERE last_at < $1 AND NOT EXISTS (
		SELECT 1 FROM help_links l WHERE l.tenant_id = h.tenant_id AND l.session_id = h.id)`
	for _, q := range []string{
		`DELETE FROM help_events WHERE (tenant_id, session_id) IN (` + idle + `)`,
		`UPDATE help_feedback SET session_id = '' WHERE session_id <> '' AND (tenant_id, session_id) IN (` + idle + `)`,
	} {
		if _, err := s.w.ExecContext(ctx, q, micros(before)); err != nil {
			return 0, fmt.Errorf("delete idle help sessions: %w", err)
		}
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM help_sessions WHERE (tenant_id, id) IN (`+idle+`)`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("delete idle help sessions: %w", err)
	}
	return res.RowsAffected()
}

// LastHelpEvent returns the newest event of a session's trail.
func (s *Store) LastHelpEvent(ctx context.Context, tenantID, sessionID string) (HelpEvent, error) {
	e, err := scanHelpEvent(s.r.QueryRowContext(ctx, `SELECT `+helpEventColumns+` FROM help_events
		WHERE tenant_id = $1 AND session_id = $2 ORDER BY at DESC, id DESC LIMIT 1`, tenantID, sessionID))
	if err != nil {
		return e, notFound("last help event", err)
	}
	return e, nil
}
