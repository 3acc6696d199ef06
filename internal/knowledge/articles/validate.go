package articles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// MaxArticleBytes bounds an article's four Markdown fields together: an
// article is read in one sitting, and larger ones are documents to link.
const MaxArticleBytes = 200 << 10

// maxSlug bounds a slug's length, in bytes (slugs are ASCII).
const maxSlug = 80

func fieldError(field, reason string) error { return &tenant.FieldError{Field: field, Reason: reason} }

// normalize checks content and returns it cleaned: trimmed title, tags in
// lower case without repeats, defaults for audience (agents only) and
// locale (en).
func normalize(c knowledge.Content) (knowledge.Content, error) {
	size := len(c.Title) + len(c.Issue) + len(c.Environment) + len(c.Cause) + len(c.Resolution)
	if size > MaxArticleBytes {
		return c, fmt.Errorf("%w: %d bytes of text, at most %d", knowledge.ErrTooLarge, size, MaxArticleBytes)
	}
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" {
		return c, fieldError("title", "must not be empty")
	}
	if err := textfield.Line("title", c.Title, textfield.MaxTitle); err != nil {
		return c, err
	}
	for _, f := range []struct {
		name string
		v    string
	}{{"issue", c.Issue}, {"environment", c.Environment}, {"cause", c.Cause}, {"resolution", c.Resolution}} {
		if err := textfield.Block(f.name, f.v, MaxArticleBytes); err != nil {
			return c, err
		}
	}
	if c.Audience == "" {
		c.Audience = knowledge.AgentsOnly
	}
	if !c.Audience.Valid() {
		return c, fieldError("audience", "must be agents, customers or both")
	}
	if c.Locale == "" {
		c.Locale = "en"
	}
	tag, err := language.Parse(c.Locale)
	if err != nil || len(c.Locale) > 35 {
		return c, fieldError("locale", "must be a language tag such as en or de-CH")
	}
	c.Locale = tag.String()
	var tags []string
	for _, t := range c.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	c.Tags = tags
	if err := textfield.List("tags", c.Tags, textfield.MaxTags, textfield.MaxTag); err != nil {
		return c, err
	}
	c.Category = strings.TrimSpace(c.Category)
	if err := textfield.Line("category", c.Category, textfield.MaxName); err != nil {
		return c, err
	}
	for i, q := range c.QueueIDs {
		if !ids.Valid(q) {
			return c, fieldError(fmt.Sprintf("queue_ids[%d]", i), "is not a queue id")
		}
	}
	if len(c.QueueIDs) > textfield.MaxTags {
		return c, fieldError("queue_ids", fmt.Sprintf("at most %d items", textfield.MaxTags))
	}
	if err := textfield.List("products", c.Products, textfield.MaxTags, textfield.MaxName); err != nil {
		return c, err
	}
	c.Tags, c.QueueIDs, c.Products = orEmpty(c.Tags), orEmpty(c.QueueIDs), orEmpty(c.Products)
	return c, nil
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func checkNote(note string) error { return textfield.Line("note", note, textfield.MaxLine) }

func checkExternalID(ext string) error { return textfield.Line("external_id", ext, textfield.MaxName) }

// equalContent reports whether two contents are the same edit.
func equalContent(a, b knowledge.Content) bool {
	return a.Title == b.Title && a.Issue == b.Issue && a.Environment == b.Environment && a.Cause == b.Cause &&
		a.Resolution == b.Resolution && a.Audience == b.Audience && a.Locale == b.Locale && a.Category == b.Category &&
		slices.Equal(a.Tags, b.Tags) && slices.Equal(a.QueueIDs, b.QueueIDs) && slices.Equal(a.Products, b.Products)
}

// Slugify makes the address part of a title: lower-case ASCII letters and
// digits joined by hyphens, accents dropped ("Carte bloquée" → "carte-bloquee").
func Slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= maxSlug {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > maxSlug {
		s = strings.Trim(s[:maxSlug], "-")
	}
	if s == "" {
		return "article"
	}
	return s
}

// freeSlug is the title's slug, with -2, -3… when the tenant uses it already.
func freeSlug(ctx context.Context, s *store.Store, tenantID, title string) (string, error) {
	base := Slugify(title)
	// Most titles are new: one indexed lookup says so. Only a taken one pays
	// for listing its numbered siblings.
	if _, err := s.ArticleBySlug(ctx, tenantID, base); errors.Is(err, store.ErrNotFound) {
		return base, nil
	} else if err != nil {
		return "", err
	}
	taken, err := s.ArticleSlugs(ctx, tenantID, base)
	if err != nil {
		return "", err
	}
	if !slices.Contains(taken, base) {
		return base, nil
	}
	for n := 2; ; n++ {
		if c := base + "-" + strconv.Itoa(n); !slices.Contains(taken, c) {
			return c, nil
		}
	}
}
