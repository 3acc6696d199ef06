package helpcenter

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// MaxReason bounds a "did not help" answer.
const MaxReason = 1000

// Record adds a step to the visitor's trail and returns the session it went
// into: the one named when it is the tenant's, else a new one (a first
// visit, a swept session, an id from elsewhere). A search still being typed
// replaces the previous one (Absorbs).
func (s *Service) Record(ctx context.Context, tenantID, sessionID, locale string, e Event) (string, error) {
	now := s.d.Clock.Now()
	e.At = now
	e.Title, e.Query, e.Reason = clip(e.Title, 300), clip(e.Query, MaxQuery), clip(e.Reason, MaxReason)
	if validSessionID(sessionID) {
		if _, err := s.d.DB.HelpSessionByID(ctx, tenantID, sessionID); errors.Is(err, store.ErrNotFound) {
			sessionID = ""
		} else if err != nil {
			return "", err
		}
	} else {
		sessionID = ""
	}
	if sessionID == "" {
		sessionID = newSessionID()
		if err := s.d.DB.CreateHelpSession(ctx, store.HelpSession{TenantID: tenantID, ID: sessionID, Locale: locale, StartedAt: now, LastAt: now}); err != nil {
			return "", err
		}
	} else if e.Kind == KindSearch {
		last, err := s.d.DB.LastHelpEvent(ctx, tenantID, sessionID)
		if err == nil && Absorbs(fromRecord(last), e) {
			rec := toRecord(tenantID, sessionID, e)
			rec.ID = last.ID
			return sessionID, s.d.DB.ReplaceHelpEvent(ctx, rec)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	rec := toRecord(tenantID, sessionID, e)
	rec.ID = ids.New()
	return sessionID, s.d.DB.AddHelpEvent(ctx, rec)
}

// Feedback records a "did this help?" answer on a published article, in the
// article's feedback and in the visitor's trail; it returns the session.
func (s *Service) Feedback(ctx context.Context, tenantID, sessionID, locale, slug, helpful, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if helpful != "yes" && helpful != "no" {
		return "", &tenant.FieldError{Field: "helpful", Reason: `must be "yes" or "no"`}
	}
	if len(reason) > MaxReason*4 {
		return "", &tenant.FieldError{Field: "reason", Reason: "at most 1000 characters"}
	}
	a, err := s.Article(ctx, tenantID, slug)
	if err != nil {
		return "", err
	}
	if helpful == "yes" {
		reason = "" // a reason is asked for what did not help
	}
	sessionID, err = s.Record(ctx, tenantID, sessionID, locale, Event{Kind: KindFeedback, Title: a.Title, Slug: a.Slug, Helpful: helpful, Reason: reason})
	if err != nil {
		return "", err
	}
	err = s.d.DB.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: tenantID, ID: ids.New(), ArticleID: a.ID, SessionID: sessionID,
		Helpful: helpful == "yes", Reason: clip(reason, MaxReason), CreatedAt: s.d.Clock.Now()})
	return sessionID, err
}

func toRecord(tenantID, sessionID string, e Event) store.HelpEvent {
	return store.HelpEvent{TenantID: tenantID, SessionID: sessionID, At: e.At, Kind: string(e.Kind), Title: e.Title, Slug: e.Slug,
		Query: e.Query, Results: e.Results, Helpful: e.Helpful, Reason: e.Reason}
}

func fromRecord(r store.HelpEvent) Event {
	return Event{At: r.At, Kind: Kind(r.Kind), Title: r.Title, Slug: r.Slug, Query: r.Query, Results: r.Results, Helpful: r.Helpful, Reason: r.Reason}
}
