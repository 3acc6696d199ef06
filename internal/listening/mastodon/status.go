package mastodon

import (
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/switchboard-cx/switchboard/internal/listening"
)

// Status is a post as Mastodon's REST and streaming APIs publish it (the
// Status entity), the fields the center reads.
type Status struct {
	ID          string    `json:"id"`
	CreatedAt   time.Time `json:"created_at"`
	InReplyToID *string   `json:"in_reply_to_id"`
	Visibility  string    `json:"visibility"`
	Language    *string   `json:"language"`
	URI         string    `json:"uri"`
	URL         *string   `json:"url"`
	Content     string    `json:"content"` // HTML
	Account     Account   `json:"account"`
	Mentions    []struct {
		ID   string `json:"id"`
		Acct string `json:"acct"`
	} `json:"mentions"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Reblog *Status `json:"reblog"`
}

// Account is a Mastodon account (the Account entity).
type Account struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	Acct           string `json:"acct"` // "user" on the same instance, "user@host" elsewhere
	DisplayName    string `json:"display_name"`
	URL            string `json:"url"`
	FollowersCount int    `json:"followers_count"`
}

// Notification is the Notification entity; a "mention" carries the status
// that mentioned the account (a direct message is a mention too).
type Notification struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Status    *Status   `json:"status"`
}

// fullAcct is acct with the instance's host added for local accounts, so
// the same person is the same handle from every instance: user@host.
func fullAcct(acct, instanceHost string) string {
	acct = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(acct), "@"))
	if acct != "" && !strings.Contains(acct, "@") {
		acct += "@" + strings.ToLower(instanceHost)
	}
	return acct
}

// Post is the status in the listening core's terms; instanceHost completes
// local handles.
func (s Status) Post(instanceHost string) listening.Post {
	p := listening.Post{Network: Name, ID: s.ID, Text: PlainText(s.Content), Visibility: s.Visibility, CreatedAt: s.CreatedAt,
		Author: listening.Author{ID: s.Account.ID, Handle: fullAcct(s.Account.Acct, instanceHost), Name: s.Account.DisplayName,
			Followers: s.Account.FollowersCount, URL: s.Account.URL},
		Hashtags: []string{}, Mentions: []string{}}
	if s.InReplyToID != nil {
		p.InReplyTo = *s.InReplyToID
	}
	if s.Language != nil {
		p.Language = strings.ToLower(*s.Language)
	}
	p.URL = s.URI
	if s.URL != nil && *s.URL != "" {
		p.URL = *s.URL
	}
	for _, t := range s.Tags {
		p.Hashtags = append(p.Hashtags, strings.ToLower(t.Name))
	}
	for _, m := range s.Mentions {
		p.Mentions = append(p.Mentions, fullAcct(m.Acct, instanceHost))
	}
	return p
}

// PlainText is a status's HTML content as text: paragraphs and line breaks
// become new lines, links their text, everything else is dropped.
func PlainText(content string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); string(name) == "br" {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "p" {
				b.WriteString("\n\n")
			}
		}
	}
}

// newer reports whether Mastodon id a is after b. Ids are decimal strings
// of growing length (snowflakes), so the longer is newer, and among equals
// the greater.
func newer(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}
