package kbindex

import (
	"regexp"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// docID names an article in the index. The tenant is part of it, so one
// tenant's article can never overwrite another's, whatever ids they carry.
func docID(tenantID, articleID string) string { return tenantID + "/" + articleID }

// document is what the index keeps of an article: the filter keywords, what a
// hit shows, and the text under its locale analyzer's fields.
func document(a knowledge.Article) map[string]any {
	locale := a.Locale
	if locale == "" {
		locale = "en"
	}
	d := map[string]any{
		fTenant: a.TenantID, fArticle: a.ID, fSlug: a.Slug, fTitle: a.Title,
		fState: string(a.State), fAudience: string(a.Audience), fLocale: locale, fLang: language(locale), fCategory: a.Category,
		fTags: a.Tags, fUpdated: a.UpdatedAt.UTC().Format(time.RFC3339Nano),
	}
	an := analyzerFor(locale)
	d[fTenantLang] = a.TenantID + "|" + an
	d[field(an, "title")] = a.Title
	d[field(an, "issue")] = joinText(plainText(a.Issue), strings.Join(a.Tags, ", "))
	d[field(an, "body")] = joinText(plainText(a.Environment), plainText(a.Cause), plainText(a.Resolution))
	return d
}

// joinText joins the non-empty parts as paragraphs.
func joinText(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n")
}

var (
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdLinePfx  = regexp.MustCompile(`(?m)^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)`)
	mdEmphasis = regexp.MustCompile("(\\*\\*|__|~~|`+)")
	mdFence    = regexp.MustCompile("(?m)^[ \t]*```.*$")
	spaces     = regexp.MustCompile(`[ \t]+`)
)

// plainText is Markdown as a reader sees it, without the marks: what is
// indexed and what a snippet quotes. Links keep their words, not their
// addresses; raw HTML stays text (snippets escape it).
func plainText(md string) string {
	s := mdFence.ReplaceAllString(md, "")
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdLinePfx.ReplaceAllString(s, "")
	s = mdEmphasis.ReplaceAllString(s, "")
	s = spaces.ReplaceAllString(s, " ")
	return strings.TrimSpace(s)
}
