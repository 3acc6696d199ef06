package knowledge

import "time"

// Doc is an article as the API shows it and as the knowledge.article_changed
// event carries it: the search index on every node applies the event's Doc,
// so both are one shape. The rendered HTML is not part of it (see Rendered).
type Doc struct {
	ID                   string     `json:"id"`
	Slug                 string     `json:"slug"`
	Title                string     `json:"title"`
	Issue                string     `json:"issue"`
	Environment          string     `json:"environment"`
	Cause                string     `json:"cause"`
	Resolution           string     `json:"resolution"`
	Audience             Audience   `json:"audience"`
	Locale               string     `json:"locale"`
	Tags                 []string   `json:"tags"`
	Category             string     `json:"category"`
	QueueIDs             []string   `json:"queue_ids"`
	Products             []string   `json:"products"`
	State                State      `json:"state"`
	OwnerID              string     `json:"owner_id"`
	Version              int        `json:"version"`
	ExternalID           string     `json:"external_id"`
	SourceConversationID string     `json:"source_conversation_id"`
	StateChangedAt       time.Time  `json:"state_changed_at"`
	StateChangedBy       string     `json:"state_changed_by"`
	PublishedAt          *time.Time `json:"published_at"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	OpenFlags            int        `json:"open_flags"`
	// TenantID is not shown by the API (the caller's tenant is implied) but
	// travels in events, which every node reads for every tenant.
	TenantID string `json:"-"`
}

// DocOf is a's Doc. Lists are never null, so clients need not test for it.
func DocOf(a Article) Doc {
	d := Doc{ID: a.ID, TenantID: a.TenantID, Slug: a.Slug, Title: a.Title, Issue: a.Issue, Environment: a.Environment,
		Cause: a.Cause, Resolution: a.Resolution, Audience: a.Audience, Locale: a.Locale, Tags: nonNil(a.Tags),
		Category: a.Category, QueueIDs: nonNil(a.QueueIDs), Products: nonNil(a.Products), State: a.State, OwnerID: a.OwnerID,
		Version: a.Version, ExternalID: a.ExternalID, SourceConversationID: a.SourceConversationID,
		StateChangedAt: a.StateChangedAt, StateChangedBy: a.StateChangedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		OpenFlags: a.OpenFlags}
	if !a.PublishedAt.IsZero() {
		t := a.PublishedAt
		d.PublishedAt = &t
	}
	return d
}

// Article is the article d shows (TenantID included when d came from an event
// whose tenant the reader sets).
func (d Doc) Article() Article {
	a := Article{ID: d.ID, TenantID: d.TenantID, Slug: d.Slug, Title: d.Title, Issue: d.Issue, Environment: d.Environment,
		Cause: d.Cause, Resolution: d.Resolution, Audience: d.Audience, Locale: d.Locale, Tags: d.Tags, Category: d.Category,
		QueueIDs: d.QueueIDs, Products: d.Products, State: d.State, OwnerID: d.OwnerID, Version: d.Version,
		ExternalID: d.ExternalID, SourceConversationID: d.SourceConversationID, StateChangedAt: d.StateChangedAt,
		StateChangedBy: d.StateChangedBy, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, OpenFlags: d.OpenFlags}
	if d.PublishedAt != nil {
		a.PublishedAt = *d.PublishedAt
	}
	return a
}

// Rendered is an article with its four Markdown fields rendered to
// sanitised HTML: what GET of one article answers.
type Rendered struct {
	Doc
	IssueHTML       string `json:"issue_html"`
	EnvironmentHTML string `json:"environment_html"`
	CauseHTML       string `json:"cause_html"`
	ResolutionHTML  string `json:"resolution_html"`
}

// RenderDoc renders a's Markdown fields.
func RenderDoc(a Article) Rendered {
	return Rendered{Doc: DocOf(a), IssueHTML: Render(a.Issue), EnvironmentHTML: Render(a.Environment),
		CauseHTML: Render(a.Cause), ResolutionHTML: Render(a.Resolution)}
}

// FlagDoc is a flag as the API and the knowledge.flag_changed event show it.
type FlagDoc struct {
	ID           string     `json:"id"`
	ArticleID    string     `json:"article_id"`
	ArticleTitle string     `json:"article_title"`
	Reason       string     `json:"reason"`
	ByID         string     `json:"by_id"`
	CreatedAt    time.Time  `json:"created_at"`
	ResolvedAt   *time.Time `json:"resolved_at"`
	ResolvedBy   string     `json:"resolved_by"`
}

// FlagDocOf is f's FlagDoc; title is its article's.
func FlagDocOf(f Flag, title string) FlagDoc {
	d := FlagDoc{ID: f.ID, ArticleID: f.ArticleID, ArticleTitle: title, Reason: f.Reason, ByID: f.ByID,
		CreatedAt: f.CreatedAt, ResolvedBy: f.ResolvedBy}
	if !f.ResolvedAt.IsZero() {
		t := f.ResolvedAt
		d.ResolvedAt = &t
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
