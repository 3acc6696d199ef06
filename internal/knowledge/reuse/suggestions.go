package reuse

import (
	"context"
	"html"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Suggestion is an article suggested for a conversation.
type Suggestion struct {
	ArticleID   string          `json:"article_id"`
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	SnippetHTML string          `json:"snippet_html"`
	State       knowledge.State `json:"state"`
	Score       float64         `json:"score"`
	Why         []string        `json:"why"`
	Linked      bool            `json:"linked"`
}

// LinkView is a link as the desktop shows it.
type LinkView struct {
	ArticleID string             `json:"article_id"`
	Title     string             `json:"title"`
	Kind      knowledge.LinkKind `json:"kind"`
	AgentID   string             `json:"agent_id"`
	CreatedAt time.Time          `json:"created_at"`
}

// SearchView is a recorded search as the desktop shows it.
type SearchView struct {
	Query   string    `json:"query"`
	Results int       `json:"results"`
	AgentID string    `json:"agent_id"`
	At      time.Time `json:"at"`
}

// View is a conversation's knowledge: suggestions, links, searches, outcome.
type View struct {
	Suggestions []Suggestion      `json:"suggestions"`
	Links       []LinkView        `json:"links"`
	Searches    []SearchView      `json:"searches"`
	Outcome     knowledge.Outcome `json:"outcome"`
}

// Knowledge returns what the desktop shows beside a conversation.
func (s *Service) Knowledge(ctx context.Context, a Actor, conversationID string) (View, error) {
	c, err := s.DB.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return View{}, err
	}
	msgs, err := s.messages(ctx, a.TenantID, conversationID)
	if err != nil {
		return View{}, err
	}
	customer, _ := split(msgs)
	links, err := s.DB.KnowledgeLinks(ctx, a.TenantID, conversationID)
	if err != nil {
		return View{}, err
	}
	v := View{Suggestions: []Suggestion{}, Links: []LinkView{}, Searches: []SearchView{}}
	linked := map[string]bool{}
	for _, l := range links {
		linked[l.ArticleID] = true
		title := ""
		if art, err := s.Articles.Article(ctx, a.TenantID, l.ArticleID); err == nil {
			title = art.Title
		}
		v.Links = append(v.Links, LinkView{ArticleID: l.ArticleID, Title: title, Kind: l.Kind, AgentID: l.AgentID, CreatedAt: l.CreatedAt})
	}
	if v.Suggestions, err = s.suggest(ctx, a.TenantID, conversationID, c.Subject+"\n"+customer, linked); err != nil {
		return View{}, err
	}
	searches, err := s.DB.KnowledgeSearches(ctx, a.TenantID, conversationID)
	if err != nil {
		return View{}, err
	}
	for _, q := range searches {
		v.Searches = append(v.Searches, SearchView{Query: q.Query, Results: q.Results, AgentID: q.AgentID, At: q.At})
	}
	if v.Outcome, err = s.DB.KnowledgeOutcome(ctx, a.TenantID, conversationID); err != nil {
		return View{}, err
	}
	return v, nil
}

// suggest ranks the articles for a conversation's text: the text match, the
// past cases, this conversation's dismissals and the tenant's signals; it
// keeps the articles agents may reuse (not work in progress, not archived).
func (s *Service) suggest(ctx context.Context, tenantID, conversationID, text string, linked map[string]bool) ([]Suggestion, error) {
	out := []Suggestion{}
	if strings.TrimSpace(text) == "" {
		return out, nil
	}
	hits, err := s.Search.Match(ctx, Query{TenantID: tenantID, Text: lastWords(text, searchTextLimit), States: reusable, Limit: textHits})
	if err != nil {
		return nil, err
	}
	cases, err := s.cases(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	dismissed, err := s.DB.KnowledgeDismissals(ctx, tenantID, conversationID)
	if err != nil {
		return nil, err
	}
	signals, err := s.signals(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	in := suggest.Input{Text: text, Cases: cases, Dismissed: map[string]bool{}, Signals: signals}
	byID := map[string]Hit{}
	arts := map[string]knowledge.Article{}
	for _, h := range hits {
		art, err := s.Articles.Article(ctx, tenantID, h.ArticleID)
		if err != nil { // deleted since it was indexed
			continue
		}
		arts[art.ID] = art
		in.Hits = append(in.Hits, suggest.Hit{ArticleID: h.ArticleID, Score: h.Score, Text: articleWords(art)})
		byID[h.ArticleID] = h
	}
	for _, id := range dismissed {
		in.Dismissed[id] = true
	}
	for _, r := range suggest.Rank(in, s.weights) {
		if len(out) == suggestionCount {
			break
		}
		art, ok := arts[r.ArticleID]
		if !ok {
			if art, err = s.Articles.Article(ctx, tenantID, r.ArticleID); err != nil {
				continue // deleted
			}
		}
		if !art.ForAgents() { // not for reuse (yet)
			continue
		}
		snippet := byID[r.ArticleID].SnippetHTML
		if snippet == "" {
			snippet = html.EscapeString(excerpt(art.Issue, 160))
		}
		out = append(out, Suggestion{ArticleID: art.ID, Slug: art.Slug, Title: art.Title, SnippetHTML: snippet, State: art.State,
			Score: r.Score, Why: r.Why, Linked: linked[art.ID]})
	}
	return out, nil
}

// articleWords are the words of an article the search index matches on
// (title, issue, tags, environment, cause, resolution), for the share of a
// conversation's words it holds.
func articleWords(a knowledge.Article) string {
	return strings.Join([]string{a.Title, a.Issue, strings.Join(a.Tags, " "), a.Environment, a.Cause, a.Resolution}, "\n")
}

// signals are the tenant's links, dismissals and help-center votes by article.
func (s *Service) signals(ctx context.Context, tenantID string) (map[string]suggest.Signals, error) {
	uses, err := s.DB.KnowledgeUses(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := map[string]suggest.Signals{}
	for id, u := range uses {
		out[id] = suggest.Signals{Dismissed: u.Dismissed}
	}
	if s.Feedback != nil {
		votes, err := s.Feedback.ArticleVotes(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		for id, v := range votes {
			sg := out[id]
			sg.Helpful, sg.NotHelpful = v.Helpful, v.NotHelpful
			out[id] = sg
		}
	}
	return out, nil
}

// messages reads a conversation's timeline (its first pages: enough words
// to match on).
func (s *Service) messages(ctx context.Context, tenantID, conversationID string) ([]conversation.Message, error) {
	var all []conversation.Message
	page := store.Page{Limit: store.MaxPageSize}
	for range 5 {
		ms, err := s.DB.Messages(ctx, tenantID, conversationID, page)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
		if len(ms) < page.Limit {
			break
		}
		page.After = ms[len(ms)-1].ID
	}
	return all, nil
}

// split separates the customer's words from the agents' replies and notes.
func split(msgs []conversation.Message) (customer, agent string) {
	var c, a []string
	for _, m := range msgs {
		body := strings.TrimSpace(m.Body)
		if body == "" {
			continue
		}
		switch {
		case m.Kind == conversation.KindMessage && m.Direction == conversation.Inbound:
			c = append(c, body)
		case m.Kind == conversation.KindMessage && m.Direction == conversation.Outbound, m.Kind == conversation.KindNote:
			a = append(a, body)
		}
	}
	return strings.Join(c, "\n\n"), strings.Join(a, "\n\n")
}

// excerpt cuts text to about n bytes at a word boundary.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut < n/2 {
		cut = n
	}
	for cut > 0 && !utf8Start(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}

// searchTextLimit bounds what of a long conversation the text search is
// given: its latest words, which say best what the customer needs now.
const searchTextLimit = 1000

// lastWords is the end of text, at most n bytes, starting at a word.
func lastWords(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := len(text) - n
	if i := strings.IndexAny(text[cut:], " \n\t"); i >= 0 {
		cut += i
	}
	return text[cut:]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
