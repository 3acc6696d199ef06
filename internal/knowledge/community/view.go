package community

import (
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// View is a practice as members read it in the catalogue: the snapshot, the
// sharer's display name, and how often it was adopted. It carries no id of
// the sharer's workspace — not its tenant, article, nor the user who shared
// it — which is what lets the catalogue cross tenants.
type View struct {
	ID              string             `json:"id"`
	Title           string             `json:"title"`
	Issue           string             `json:"issue"`
	Environment     string             `json:"environment"`
	Cause           string             `json:"cause"`
	Resolution      string             `json:"resolution"`
	IssueHTML       string             `json:"issue_html"`
	EnvironmentHTML string             `json:"environment_html"`
	CauseHTML       string             `json:"cause_html"`
	ResolutionHTML  string             `json:"resolution_html"`
	Audience        knowledge.Audience `json:"audience"`
	Locale          string             `json:"locale"`
	Category        string             `json:"category"`
	Tags            []string           `json:"tags"`
	Products        []string           `json:"products"`
	SharerName      string             `json:"sharer_name"`
	Attribution     string             `json:"attribution"`
	SharedAt        time.Time          `json:"shared_at"`
	UpdatedAt       time.Time          `json:"updated_at"`
	Adoptions       int                `json:"adoptions"`
	// Mine says the caller's own workspace shared it.
	Mine bool `json:"mine"`
}

// ViewOf is p as a member of tenantID reads it.
func ViewOf(p Practice, tenantID string) View {
	return View{ID: p.ID, Title: p.Title, Issue: p.Issue, Environment: p.Environment, Cause: p.Cause, Resolution: p.Resolution,
		IssueHTML: knowledge.Render(p.Issue), EnvironmentHTML: knowledge.Render(p.Environment), CauseHTML: knowledge.Render(p.Cause),
		ResolutionHTML: knowledge.Render(p.Resolution), Audience: p.Audience, Locale: p.Locale, Category: p.Category,
		Tags: clone(p.Tags), Products: clone(p.Products), SharerName: p.SharerName, Attribution: Attribution(p.SharerName),
		SharedAt: p.SharedAt, UpdatedAt: p.UpdatedAt, Adoptions: p.Adoptions, Mine: p.TenantID == tenantID}
}

// Share is one of the workspace's own articles' share, as its publishers
// see it: whether it is offered, since when, and how often it was adopted.
type Share struct {
	ArticleID      string     `json:"article_id"`
	PracticeID     string     `json:"practice_id"`
	Title          string     `json:"title"`
	Shared         bool       `json:"shared"`
	ArticleVersion int        `json:"article_version"`
	SharedAt       *time.Time `json:"shared_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
	Adoptions      int        `json:"adoptions"`
}

// ShareOf is p's Share; the zero p is an article never shared.
func ShareOf(articleID string, p Practice) Share {
	s := Share{ArticleID: articleID, PracticeID: p.ID, Title: p.Title, Shared: p.ID != "" && p.Offered(),
		ArticleVersion: p.ArticleVersion, Adoptions: p.Adoptions}
	if p.ID != "" {
		s.SharedAt, s.UpdatedAt = timePtr(p.SharedAt), timePtr(p.UpdatedAt)
	}
	return s
}

// Membership is the workspace's standing in the community.
type Membership struct {
	Member      bool       `json:"member"`
	DisplayName string     `json:"display_name"`
	JoinedAt    *time.Time `json:"joined_at"`
}

// MembershipOf is m's Membership; ok false for a workspace that is not one.
func MembershipOf(m Member, ok bool) Membership {
	if !ok {
		return Membership{}
	}
	return Membership{Member: true, DisplayName: m.DisplayName, JoinedAt: timePtr(m.JoinedAt)}
}

// AdoptionView is one of the workspace's adoptions.
type AdoptionView struct {
	ID          string    `json:"id"`
	ArticleID   string    `json:"article_id"`
	PracticeID  string    `json:"practice_id"`
	OriginName  string    `json:"origin_name"`
	Attribution string    `json:"attribution"`
	AdoptedBy   string    `json:"adopted_by"`
	AdoptedAt   time.Time `json:"adopted_at"`
}

// AdoptionViewOf is a's AdoptionView.
func AdoptionViewOf(a Adoption) AdoptionView {
	return AdoptionView{ID: a.ID, ArticleID: a.ArticleID, PracticeID: a.PracticeID, OriginName: a.OriginName,
		Attribution: Attribution(a.OriginName), AdoptedBy: a.AdoptedBy, AdoptedAt: a.AdoptedAt}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
