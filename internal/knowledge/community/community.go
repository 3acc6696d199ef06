// Package community is the knowledge community's vocabulary: workspaces that
// opted in, the practices they share with each other, and the adoptions of
// them. A practice is a snapshot of a published, customer-facing article's
// content taken when it was shared — never a pointer into the sharer's
// workspace — so what crosses tenants is exactly what this package puts in a
// Practice and nothing else (ADR 0031). Pure: no I/O, time passed in.
package community

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// Member is a workspace that joined the community, under the name other
// members read as attribution.
type Member struct {
	TenantID    string
	DisplayName string
	JoinedBy    string
	JoinedAt    time.Time
}

// Practice is a shared article's content as it stood when it was (last)
// shared. TenantID and ArticleID are the sharer's and never leave its
// workspace (see View); SharerName and Adoptions are derived on read.
type Practice struct {
	ID          string
	TenantID    string
	ArticleID   string
	Title       string
	Issue       string
	Environment string
	Cause       string
	Resolution  string
	Audience    knowledge.Audience
	Locale      string
	Category    string
	Tags        []string
	Products    []string
	// ArticleVersion is the version of the article the snapshot was taken of.
	ArticleVersion int
	SharedBy       string
	SharedAt       time.Time // first shared
	UpdatedAt      time.Time // last (re-)shared
	WithdrawnAt    time.Time // zero while offered

	SharerName string
	Adoptions  int
}

// Offered reports whether the practice is in the catalogue (unless its
// workspace left the community, which the catalogue also checks).
func (p Practice) Offered() bool { return p.WithdrawnAt.IsZero() }

// Adoption is a member's copy of a practice: the article it became in the
// adopter's workspace, and where it came from.
type Adoption struct {
	ID         string
	TenantID   string // the adopter
	ArticleID  string // the adopter's copy
	PracticeID string
	OriginName string // the sharer's display name when it was adopted
	AdoptedBy  string
	AdoptedAt  time.Time
}

// Errors of the community; the API maps them to statuses.
var (
	// ErrNotMember: the workspace has not joined the community.
	ErrNotMember = errors.New("the workspace has not joined the knowledge community")
	// ErrNotFound: no such practice among those the caller may see.
	ErrNotFound = errors.New("no such practice")
	// ErrNameTaken: another member already uses the display name.
	ErrNameTaken = errors.New("another workspace in the community uses that display name")
	// ErrNotShareable: only a published article whose audience includes
	// customers is shared.
	ErrNotShareable = errors.New("only a published article written for customers can be shared")
)

// InvalidError is bad input, naming the field.
type InvalidError struct{ Field, Reason string }

func (e *InvalidError) Error() string { return e.Field + " " + e.Reason }

// MaxNameLen bounds a display name, in characters.
const MaxNameLen = 80

// DisplayName checks and tidies a member's display name: trimmed, inner
// runs of space folded, 2 to MaxNameLen characters, no control characters.
func DisplayName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return "", &InvalidError{"display_name", "is not valid UTF-8"}
	case n < 2:
		return "", &InvalidError{"display_name", "must be at least 2 characters"}
	case n > MaxNameLen:
		return "", &InvalidError{"display_name", fmt.Sprintf("must be at most %d characters", MaxNameLen)}
	case strings.ContainsFunc(name, unicode.IsControl):
		return "", &InvalidError{"display_name", "must not contain control characters"}
	}
	return name, nil
}

// Shareable says whether a may be shared: published, and written for
// customers (so nothing goes to other workspaces that the sharer's help
// center does not already show the world).
func Shareable(a knowledge.Article) error {
	if a.State != knowledge.Published || !a.Audience.ForCustomers() {
		return fmt.Errorf("article %s is %s for %s: %w", a.ID, a.State, a.Audience, ErrNotShareable)
	}
	return nil
}

// Snapshot takes the snapshot of a that the community is offered. prev is the
// practice from an earlier share of the same article (zero if none): a
// re-share keeps its id and first-shared time, so adoptions keep counting.
func Snapshot(prev Practice, id string, a knowledge.Article, by string, now time.Time) (Practice, error) {
	if err := Shareable(a); err != nil {
		return Practice{}, err
	}
	p := Practice{ID: id, TenantID: a.TenantID, ArticleID: a.ID, Title: a.Title, Issue: a.Issue,
		Environment: a.Environment, Cause: a.Cause, Resolution: a.Resolution, Audience: a.Audience, Locale: a.Locale,
		Category: a.Category, Tags: clone(a.Tags), Products: clone(a.Products), ArticleVersion: a.Version,
		SharedBy: by, SharedAt: now, UpdatedAt: now}
	if prev.ID != "" {
		p.ID, p.SharedAt = prev.ID, prev.SharedAt
	}
	return p, nil
}

// Attribution is the line an adopted copy carries.
func Attribution(sharerName string) string {
	return fmt.Sprintf("Adapted from %s's practice", sharerName)
}

// Adopt is the content of the work-in-progress article a practice becomes
// in the adopter's workspace: the snapshot, with the attribution as the last
// line of the resolution. Queues are the adopter's to choose.
func Adopt(p Practice) knowledge.Content {
	res := strings.TrimRight(p.Resolution, "\n ")
	if res != "" {
		res += "\n\n"
	}
	res += "*" + escapeMarkdown(Attribution(p.SharerName)) + ".*"
	return knowledge.Content{Title: p.Title, Issue: p.Issue, Environment: p.Environment, Cause: p.Cause, Resolution: res,
		Audience: p.Audience, Locale: p.Locale, Tags: clone(p.Tags), Category: p.Category, Products: clone(p.Products)}
}

// escapeMarkdown keeps a display name's characters from being read as
// Markdown (a name with a star or an underscore stays as typed).
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()#+-.!<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Match reports whether the practice answers a catalogue search: every word
// of q appears, ignoring case, in its title, issue, resolution, category,
// tags, products or the sharer's name. An empty q matches everything.
func Match(p Practice, q string) bool {
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join(append([]string{p.Title, p.Issue, p.Resolution, p.Category, p.SharerName},
		append(clone(p.Tags), p.Products...)...), "\n"))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func clone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}
