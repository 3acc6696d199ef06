package screenpop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextrank"
	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/helpcenter"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Windows of the internal sources.
const (
	// NoticeWindow is how far back notices sent to the customer are proposed.
	NoticeWindow = 72 * time.Hour
	// ConversationWindow is how far back the customer's other conversations
	// are proposed when they are resolved (open ones always are).
	ConversationWindow = 30 * 24 * time.Hour
	// wordsMessages is how many of the customer's latest messages are the
	// contact's reason.
	wordsMessages = 3
	perSource     = 20
)

// gathered is what the sources proposed for one conversation: the internal
// sources' items and statuses, and the business systems' results as far as
// they came within the first wait (rest, when not nil, brings them all).
type gathered struct {
	tenantID, conversationID string
	words                    string
	items                    []contextrank.Item
	sources                  []SourceStatus
	first                    []contextsrc.Result
	rest                     <-chan []contextsrc.Result
}

// gather asks every source about the conversation, the business systems
// while the internal sources are read. Connectors are bounded by their
// budgets; a failing internal source is reported beside the items rather
// than failing the screen-pop.
func (s *Service) gather(ctx context.Context, tenantID, userID, conversationID string) (gathered, error) {
	c, err := s.DB.Conversation(ctx, tenantID, conversationID)
	if err != nil {
		return gathered{}, err
	}
	var systems sync.WaitGroup
	var first []contextsrc.Result
	var rest <-chan []contextsrc.Result
	if s.Connectors != nil && c.PersonaID != "" {
		systems.Go(func() {
			var err error
			first, rest, err = s.Connectors.ForPersonaEarly(ctx, tenantID, c.PersonaID, s.FirstWait)
			if err != nil {
				s.Log.WarnContext(ctx, "screen-pop connectors failed", "tenant_id", tenantID, "err", err)
			}
		})
	}
	defer systems.Wait() // on every return: first and rest are read only after it
	msgs, err := s.DB.Messages(ctx, tenantID, conversationID, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return gathered{}, fmt.Errorf("screen-pop of %s: %w", conversationID, err)
	}
	g := gathered{tenantID: tenantID, conversationID: conversationID, words: customerWords(c, msgs),
		items: []contextrank.Item{}, sources: []SourceStatus{}}
	add := func(name string, items []contextrank.Item, err error) {
		if err != nil {
			s.Log.WarnContext(ctx, "screen-pop source failed", "tenant_id", tenantID, "source", name, "err", err)
			g.sources = append(g.sources, SourceStatus{Name: name, Status: "error"})
			return
		}
		g.sources = append(g.sources, SourceStatus{Name: name, Status: "ok"})
		g.items = append(g.items, items...)
	}
	now := s.Clock.Now()
	if c.PersonaID != "" {
		items, err := s.conversations(ctx, c, now)
		add(contextrank.SourceConversation, items, err)
		items, err = s.notices(ctx, c, now)
		add(contextrank.SourceNotice, items, err)
		items, err = s.callbacks(ctx, c)
		add(contextrank.SourceCallback, items, err)
	}
	items, err := s.trail(ctx, c)
	add(contextrank.SourceTrail, items, err)
	if s.Knowledge != nil {
		items, err := s.articles(ctx, tenantID, userID, c.ID)
		add(contextrank.SourceArticle, items, err)
		items, err = s.similar(ctx, c, g.words)
		add(contextrank.SourceSimilar, items, err)
	}
	systems.Wait()
	g.first, g.rest = first, rest
	return g, nil
}

// customerWords are the contact's reason as far as it is known: the subject
// and the customer's latest messages.
func customerWords(c conversation.Conversation, msgs []conversation.Message) string {
	var in []string
	for i := len(msgs) - 1; i >= 0 && len(in) < wordsMessages; i-- {
		if msgs[i].Kind == conversation.KindMessage && msgs[i].Direction == conversation.Inbound {
			in = append(in, msgs[i].Body)
		}
	}
	return strings.TrimSpace(c.Subject + "\n" + strings.Join(in, "\n"))
}

// conversations are the persona's other conversations: every open one and
// the resolved ones of the last ConversationWindow.
func (s *Service) conversations(ctx context.Context, c conversation.Conversation, now time.Time) ([]contextrank.Item, error) {
	cs, err := s.DB.Conversations(ctx, c.TenantID, store.ConversationFilter{PersonaID: c.PersonaID}, store.Page{Limit: perSource + 1})
	if err != nil {
		return nil, err
	}
	var out []contextrank.Item
	for _, o := range cs {
		at := o.LastMessageAt
		if at.IsZero() {
			at = o.UpdatedAt
		}
		if o.ID == c.ID || (o.Status == conversation.StatusResolved && now.Sub(at) > ConversationWindow) {
			continue
		}
		title := o.Subject
		if title == "" {
			title = "Conversation on " + o.Channel
		}
		out = append(out, contextrank.Item{ID: "conversation:" + o.ID, Source: contextrank.SourceConversation, Type: o.Channel,
			Title: title, Status: string(o.Status), At: at, Link: "/desktop/c/" + o.ID,
			Fields: map[string]string{"Channel": strings.Join(o.Modalities, ", "), "Status": string(o.Status)}})
	}
	return out, nil
}

// notices are the notifications sent to the persona in the last
// NoticeWindow, with their state (a failed one needs attention).
func (s *Service) notices(ctx context.Context, c conversation.Conversation, now time.Time) ([]contextrank.Item, error) {
	ds, err := s.DB.Deliveries(ctx, c.TenantID, store.DeliveryFilter{PersonaID: c.PersonaID}, store.Page{Limit: perSource})
	if err != nil {
		return nil, err
	}
	var out []contextrank.Item
	for _, d := range ds {
		if now.Sub(d.CreatedAt) > NoticeWindow {
			continue
		}
		subject, body, err := s.DB.DeliveryContent(ctx, c.TenantID, d.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		title := subject
		if title == "" {
			title = d.Type
		}
		out = append(out, contextrank.Item{ID: "notice:" + d.ID, Source: contextrank.SourceNotice, Type: d.Type,
			Title: title, Status: d.Status, At: d.CreatedAt, Text: body,
			Fields: map[string]string{"Type": d.Type, "Channel": d.Channel, "Status": d.Status}})
	}
	return out, nil
}

// callbacks are the persona's scheduled callbacks still to be made.
func (s *Service) callbacks(ctx context.Context, c conversation.Conversation) ([]contextrank.Item, error) {
	var out []contextrank.Item
	for _, state := range []string{"waiting", "offered"} {
		cbs, err := s.DB.Callbacks(ctx, c.TenantID, state, store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, cb := range cbs {
			if cb.PersonaID != c.PersonaID || len(out) >= perSource {
				continue
			}
			out = append(out, contextrank.Item{ID: "callback:" + cb.ID, Source: contextrank.SourceCallback, Type: "callback",
				Title: "Callback to " + cb.Phone, Status: cb.State, At: cb.CreatedAt, Due: cb.NotBefore,
				Fields: map[string]string{"Phone": cb.Phone, "Not before": cb.NotBefore.Format(time.RFC3339), "Time zone": cb.TimeZone}})
		}
	}
	return out, nil
}

// trail is what the customer looked up in the help center before writing.
func (s *Service) trail(ctx context.Context, c conversation.Conversation) ([]contextrank.Item, error) {
	t, err := helpcenter.TrailOf(ctx, s.DB, c.TenantID, c.ID)
	if err != nil {
		return nil, err
	}
	var out []contextrank.Item
	for i, e := range t.Events {
		title := e.Title
		switch e.Kind {
		case helpcenter.KindSearch:
			title = fmt.Sprintf("Searched “%s” (%d results)", e.Query, e.Results)
		case helpcenter.KindFeedback:
			what := "an article"
			if e.Title != "" {
				what = "“" + e.Title + "”"
			}
			title = "Said " + what + " helped"
			if e.Helpful == "no" {
				title = "Said " + what + " did not help"
			}
		}
		if title == "" {
			continue
		}
		out = append(out, contextrank.Item{ID: fmt.Sprintf("trail:%s:%d", t.SessionID, i), Source: contextrank.SourceTrail,
			Type: string(e.Kind), Title: title, At: e.At, Text: e.Query + " " + e.Reason,
			Fields: map[string]string{"Kind": string(e.Kind), "Seconds": fmt.Sprint(e.Seconds)}})
	}
	return out, nil
}

// articles are the knowledge suggestions for the conversation.
func (s *Service) articles(ctx context.Context, tenantID, userID, conversationID string) ([]contextrank.Item, error) {
	v, err := s.Knowledge.Knowledge(ctx, reuse.Actor{TenantID: tenantID, UserID: userID}, conversationID)
	if err != nil {
		return nil, err
	}
	var out []contextrank.Item
	for _, sg := range v.Suggestions {
		out = append(out, contextrank.Item{ID: "article:" + sg.ArticleID, Source: contextrank.SourceArticle, Type: "article",
			Title: sg.Title, Status: string(sg.State), Text: strings.Join(sg.Why, " "),
			Link: "/knowledge/" + sg.ArticleID, Fields: map[string]string{"State": string(sg.State)}})
	}
	return out, nil
}

// similarCases is how many similar past cases are proposed.
const similarCases = 5

// similar are resolved conversations (and imported cases) most like the
// customer's words, other than this conversation's own case. They come from
// the suggestions' index of past cases, which holds every resolved
// conversation, with or without a linked article.
func (s *Service) similar(ctx context.Context, c conversation.Conversation, words string) ([]contextrank.Item, error) {
	if strings.TrimSpace(words) == "" {
		return nil, nil
	}
	ms, err := s.Knowledge.SimilarCases(ctx, c.TenantID, words, similarCases+1)
	if err != nil {
		return nil, err
	}
	var out []contextrank.Item
	for _, m := range ms {
		k, err := s.DB.KnowledgeCase(ctx, c.TenantID, m.Case.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the index was built
		}
		if err != nil {
			return nil, err
		}
		if k.ConversationID == c.ID || len(out) == similarCases {
			continue
		}
		title := k.Subject
		if title == "" {
			title = clip(k.CustomerText, 80)
		}
		it := contextrank.Item{ID: "similar:" + k.ID, Source: contextrank.SourceSimilar, Type: "case", Title: title,
			Status: "resolved", At: k.ResolvedAt, Text: k.CustomerText + " " + k.AgentText,
			Fields: map[string]string{"Customer": clip(k.CustomerText, 200), "Answer": clip(k.AgentText, 200), "Articles linked": fmt.Sprint(len(k.ArticleIDs))}}
		if k.ConversationID != "" {
			it.Link = "/desktop/c/" + k.ConversationID
		}
		out = append(out, it)
	}
	return out, nil
}

// clip shortens s to at most n runes, on one line.
func clip(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
