package survey

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// idleCheck is how long Run sleeps when nothing is due: a survey scheduled
// on another node wakes this one only through the database.
const idleCheck = 30 * time.Second

// surveyType is how the customer's preferences and consent see a survey
// sent as a message: transactional (it is about a contact they made), so
// allowed unless they switched it, its channel or everything off.
var surveyType = notice.Type{Key: csat.NotificationType, Category: prefs.Transactional}

// Run sends surveys as they fall due, until ctx ends. Every node runs it;
// a survey is claimed by the one that moves it from scheduled first.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("send due surveys", "err", err)
		}
		wait := idleCheck
		if next, err := s.db.NextSurveyDue(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(s.clock.Now()), time.Second))
		}
		t.Reset(wait)
	}
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// SendDue asks every survey due now and closes those past their answer
// window; it returns how many it asked.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		due, err := s.db.DueSurveys(ctx, s.clock.Now(), 100)
		if err != nil {
			return sent, err
		}
		progress := false
		for _, v := range due {
			if v.State == csat.Sent {
				s.expire(ctx, v)
				progress = true
				continue
			}
			ok, err := s.ask(ctx, v)
			if err != nil {
				s.log.Warn("ask survey", "tenant_id", v.TenantID, "survey_id", v.ID, "err", err)
				continue
			}
			progress = true
			if ok {
				sent++
			}
		}
		if len(due) < 100 || !progress {
			return sent, nil
		}
	}
}

// ask sends one scheduled survey as a message on its channel, or records
// why it is not sent (suppressed), or moves it to when the customer's
// quiet hours or momentary state end.
func (s *Service) ask(ctx context.Context, v csat.Survey) (bool, error) {
	now := s.clock.Now()
	st, err := s.Settings(ctx, v.TenantID)
	if err != nil {
		return false, err
	}
	if !st.Asks(v.Channel) {
		return false, s.suppress(ctx, v, "surveys on "+v.Channel+" were switched off")
	}
	plan, err := s.permission(ctx, v, now)
	if err != nil {
		return false, err
	}
	if plan.Suppressed {
		return false, s.suppress(ctx, v, strings.Join(plan.Reasons, "; "))
	}
	if plan.SendAt.After(now) {
		later := v
		later.DueAt, later.UpdatedAt = plan.SendAt, now
		return false, s.db.Reschedule(ctx, later)
	}
	token, hash := newToken()
	from := v.State
	v.State, v.TokenHash, v.SentAt, v.ExpiresAt, v.UpdatedAt = csat.Sent, hash, now, now.Add(csat.AnswerWindow), now
	// Claim it first: a node that loses the race sends nothing.
	if err := s.db.UpdateSurvey(ctx, v, from); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return false, nil
		}
		return false, err
	}
	in := inbox.ReplyInput{Channel: v.Channel, KeepStatus: true}
	switch v.Channel {
	case csat.Email:
		link := s.link(token)
		in.Subject = "How did we do?"
		in.Body = st.Question + "\n\nAnswer here: " + link + "\n"
		in.BodyHTML = emailHTML(st.Question, link)
	case csat.SMS:
		in.Body = st.Question + " Reply with a number from 1 to 5; add a comment if you like."
	default:
		return false, fmt.Errorf("survey %s: no way to ask on %s", v.ID, v.Channel)
	}
	if _, err := s.inbox.Reply(ctx, inbox.Actor{TenantID: v.TenantID}, v.ConversationID, in); err != nil {
		var fe *tenant.FieldError
		if errors.As(err, &fe) || errors.Is(err, store.ErrNotFound) {
			// The customer has no address there any more, or the
			// conversation is gone: nothing to retry.
			v.State, v.Reason = csat.Suppressed, "not sent: "+err.Error()
			return false, s.db.UpdateSurvey(ctx, v, csat.Sent)
		}
		// Put it back to be tried again.
		v.State, v.TokenHash, v.SentAt, v.ExpiresAt = csat.Scheduled, "", time.Time{}, time.Time{}
		if uerr := s.db.UpdateSurvey(ctx, v, csat.Sent); uerr != nil {
			s.log.Warn("reschedule survey", "survey_id", v.ID, "err", uerr)
		}
		return false, err
	}
	s.log.Info("survey sent", "tenant_id", v.TenantID, "survey_id", v.ID, "channel", v.Channel)
	return true, nil
}

func (s *Service) suppress(ctx context.Context, v csat.Survey, why string) error {
	from := v.State
	v.State, v.Reason, v.UpdatedAt = csat.Suppressed, why, s.clock.Now()
	err := s.db.UpdateSurvey(ctx, v, from)
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	s.log.Info("survey not sent", "tenant_id", v.TenantID, "survey_id", v.ID, "channel", v.Channel)
	return err
}

// permission is what the customer's preferences and consent ledger say of
// a survey on its channel at now (prefs.Decide, as for a notification).
func (s *Service) permission(ctx context.Context, v csat.Survey, now time.Time) (prefs.Plan, error) {
	own, err := s.db.PersonaPrefs(ctx, v.TenantID, v.PersonaID)
	if err != nil {
		return prefs.Plan{}, err
	}
	records, err := s.db.ConsentRecords(ctx, v.TenantID, v.PersonaID)
	if err != nil {
		return prefs.Plan{}, err
	}
	settings, err := s.db.NotifySettings(ctx, v.TenantID)
	if err != nil {
		return prefs.Plan{}, err
	}
	return prefs.Decide(prefs.Input{
		Type:      prefs.NotificationType{Key: surveyType.Key, Category: surveyType.Category},
		Tenant:    settings.Defaults,
		Persona:   own,
		Available: []string{v.Channel},
		Consent:   func(ch string) (bool, string) { return notice.ConsentAllows(records, surveyType, ch, settings) },
		Now:       now,
	}), nil
}

// link is the survey page's address for a token.
func (s *Service) link(token string) string {
	return strings.TrimRight(s.baseURL, "/") + PagePath + token
}

// emailHTML is the survey mail: the question and one link per rating, each
// opening the survey page with that rating chosen (nothing is recorded
// until the customer sends the page's form).
func emailHTML(question, link string) string {
	var b strings.Builder
	b.WriteString("<p>" + html.EscapeString(question) + "</p><p>")
	for r := 1; r <= 5; r++ {
		fmt.Fprintf(&b, `<a href="%s?rating=%d">%d</a> `, html.EscapeString(link), r, r)
	}
	b.WriteString("</p><p><a href=\"" + html.EscapeString(link) + "\">Answer the survey</a></p>")
	return b.String()
}
