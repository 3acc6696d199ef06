package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Template is a tenant's WhatsApp message template.
type Template = store.WhatsAppTemplate

// Template categories and review states, as Meta names them.
var (
	Categories = []string{"utility", "marketing", "authentication"}
	Statuses   = []string{"approved", "pending", "rejected", "paused", "disabled"}
)

// MaxTemplateBody is the longest template body Meta accepts, in characters.
const MaxTemplateBody = 1024

var (
	nameRE     = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	languageRE = regexp.MustCompile(`^[a-z]{2,3}(_[A-Za-z]{2,4})?$`)
	variableRE = regexp.MustCompile(`\{\{\s*([0-9]+)\s*\}\}`)
)

// CheckTemplate validates a template as an admin typed it; the error is a
// *tenant.FieldError naming the field.
func CheckTemplate(t *Template) error {
	t.Name, t.Language = strings.TrimSpace(t.Name), strings.TrimSpace(t.Language)
	t.Category, t.Status = strings.ToLower(strings.TrimSpace(t.Category)), strings.ToLower(strings.TrimSpace(t.Status))
	if !nameRE.MatchString(t.Name) {
		return &tenant.FieldError{Field: "name", Reason: "Meta's template name: lowercase letters, digits and underscores, such as order_ready"}
	}
	if !languageRE.MatchString(t.Language) {
		return &tenant.FieldError{Field: "language", Reason: "a WhatsApp language code, such as en, en_US or pt_BR"}
	}
	if !slices.Contains(Categories, t.Category) {
		return &tenant.FieldError{Field: "category", Reason: "use " + strings.Join(Categories, ", ")}
	}
	if t.Status == "" {
		t.Status = "pending"
	}
	if !slices.Contains(Statuses, t.Status) {
		return &tenant.FieldError{Field: "status", Reason: "use " + strings.Join(Statuses, ", ")}
	}
	if strings.TrimSpace(t.Body) == "" || len([]rune(t.Body)) > MaxTemplateBody {
		return &tenant.FieldError{Field: "body", Reason: fmt.Sprintf("required, at most %d characters", MaxTemplateBody)}
	}
	if err := textfield.Block("body", t.Body, 4*MaxTemplateBody); err != nil {
		return err
	}
	if _, err := Variables(t.Body); err != nil {
		return &tenant.FieldError{Field: "body", Reason: err.Error()}
	}
	return nil
}

// Variables counts a body's variables, which must be {{1}} to {{n}}, each
// at least once, as Meta requires.
func Variables(body string) (int, error) {
	seen := map[int]bool{}
	n := 0
	for _, m := range variableRE.FindAllStringSubmatch(body, -1) {
		i, err := strconv.Atoi(m[1])
		if err != nil || i < 1 || i > 100 {
			return 0, fmt.Errorf("variable {{%s}}: number them from {{1}}", m[1])
		}
		seen[i] = true
		n = max(n, i)
	}
	for i := 1; i <= n; i++ {
		if !seen[i] {
			return 0, fmt.Errorf("variables must run {{1}} to {{%d}} without a gap; {{%d}} is missing", n, i)
		}
	}
	return n, nil
}

// Fill is the body with its variables replaced by vars, in order.
func Fill(body string, vars []string) string {
	return variableRE.ReplaceAllStringFunc(body, func(v string) string {
		i, _ := strconv.Atoi(strings.TrimSpace(variableRE.FindStringSubmatch(v)[1]))
		if i >= 1 && i <= len(vars) {
			return vars[i-1]
		}
		return v
	})
}

// ErrTemplate is a template the tenant may not send as asked.
var ErrTemplate = errors.New("whatsapp template")

// approved finds the tenant's template ref names — by language, or the
// first approved one whose language starts with it (a notice's "en" finds
// "en_US") — and checks it is approved and gets its variables.
func (c *Channel) approved(ctx context.Context, tenantID string, ref channel.Template) (Template, error) {
	t, err := c.db.WhatsAppTemplateByName(ctx, tenantID, ref.Name, ref.Language)
	if errors.Is(err, store.ErrNotFound) {
		all, lerr := c.db.WhatsAppTemplates(ctx, tenantID)
		if lerr != nil {
			return t, lerr
		}
		for _, a := range all {
			if a.Name == ref.Name && a.Status == "approved" && (ref.Language == "" || strings.HasPrefix(a.Language, ref.Language)) {
				t, err = a, nil
				break
			}
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("%w %q (%s): the workspace has no such template", ErrTemplate, ref.Name, ref.Language)
	}
	if err != nil {
		return t, err
	}
	if t.Status != "approved" {
		return t, fmt.Errorf("%w %q (%s) is %s, not approved by Meta", ErrTemplate, t.Name, t.Language, t.Status)
	}
	n, err := Variables(t.Body)
	if err != nil {
		return t, fmt.Errorf("%w %q: %w", ErrTemplate, t.Name, err)
	}
	if len(ref.Variables) != n {
		return t, fmt.Errorf("%w %q takes %d variables, got %d", ErrTemplate, t.Name, n, len(ref.Variables))
	}
	for i, v := range ref.Variables {
		if strings.TrimSpace(v) == "" {
			return t, fmt.Errorf("%w %q: variable {{%d}} is empty", ErrTemplate, t.Name, i+1)
		}
	}
	return t, nil
}

// RenderTemplate checks that the tenant may send ref and returns its text
// with the variables filled in, for the timeline.
func (c *Channel) RenderTemplate(ctx context.Context, tenantID string, ref channel.Template) (string, error) {
	t, err := c.approved(ctx, tenantID, ref)
	if errors.Is(err, ErrTemplate) {
		return "", &tenant.FieldError{Field: "template", Reason: err.Error()}
	}
	if err != nil {
		return "", err
	}
	return Fill(t.Body, ref.Variables), nil
}

// Templates keeps tenants' templates, for the admin page and the API. Meta
// reviews templates in WhatsApp Manager; an admin records here what Meta
// approved, and only approved ones are sent.
type Templates struct {
	db    *store.DB
	clock clock.Clock
}

// NewTemplates returns the template keeper.
func NewTemplates(db *store.DB, clk clock.Clock) *Templates { return &Templates{db: db, clock: clk} }

// List returns the tenant's templates by name and language.
func (s *Templates) List(ctx context.Context, tenantID string) ([]Template, error) {
	ts, err := s.db.WhatsAppTemplates(ctx, tenantID)
	if ts == nil && err == nil {
		ts = []Template{} // an empty list, not null
	}
	return ts, err
}

// Get returns one of the tenant's templates; another tenant's is store.ErrNotFound.
func (s *Templates) Get(ctx context.Context, tenantID, id string) (Template, error) {
	return s.db.WhatsAppTemplate(ctx, tenantID, id)
}

// Create adds a template; a name and language the tenant has is a field error.
func (s *Templates) Create(ctx context.Context, tenantID string, t Template) (Template, error) {
	if err := CheckTemplate(&t); err != nil {
		return t, err
	}
	now := s.clock.Now()
	t.ID, t.TenantID, t.CreatedAt, t.UpdatedAt = ids.New(), tenantID, now, now
	if err := s.db.CreateWhatsAppTemplate(ctx, t); err != nil {
		return t, conflict(err)
	}
	return t, nil
}

// Update replaces a template's fields.
func (s *Templates) Update(ctx context.Context, tenantID, id string, t Template) (Template, error) {
	old, err := s.db.WhatsAppTemplate(ctx, tenantID, id)
	if err != nil {
		return t, err
	}
	if err := CheckTemplate(&t); err != nil {
		return t, err
	}
	t.ID, t.TenantID, t.CreatedAt, t.UpdatedAt = id, tenantID, old.CreatedAt, s.clock.Now()
	if err := s.db.UpdateWhatsAppTemplate(ctx, t); err != nil {
		return t, conflict(err)
	}
	return t, nil
}

// Delete removes one of the tenant's templates.
func (s *Templates) Delete(ctx context.Context, tenantID, id string) error {
	return s.db.DeleteWhatsAppTemplate(ctx, tenantID, id)
}

func conflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return &tenant.FieldError{Field: "name", Reason: "the workspace has a template of this name in this language"}
	}
	return err
}
