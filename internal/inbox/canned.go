package inbox

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Canned responses and macros belong to the whole tenant (owner "") or to one
// user. Everyone sees the tenant's and their own; another user's personal
// ones are not found. The tenant's are changed only by callers who may keep
// them (supervisors and admins), personal ones only by their owner.

// ContentScope says whose a canned response or macro is.
type ContentScope string

// The scopes.
const (
	ScopeTenant   ContentScope = "tenant"
	ScopePersonal ContentScope = "personal"
)

// Keeper is who changes canned responses and macros: the actor, and whether
// they may change the tenant's.
type Keeper struct {
	Actor
	TenantWide bool
}

// ownerFor is the owner id a new record of scope gets from k.
func (k Keeper) ownerFor(scope ContentScope) (string, error) {
	switch scope {
	case ScopeTenant:
		if !k.TenantWide {
			return "", ErrForbidden
		}
		return "", nil
	case ScopePersonal, "":
		if k.UserID == "" {
			return "", &tenant.FieldError{Field: "scope", Reason: "an API key has no personal content; use tenant"}
		}
		return k.UserID, nil
	}
	return "", &tenant.FieldError{Field: "scope", Reason: "must be tenant or personal"}
}

// visible reports whether the caller sees a record of owner.
func (a Actor) visible(owner string) bool { return owner == "" || owner == a.UserID }

// mayChange reports whether k may change a record of owner.
func (k Keeper) mayChange(owner string) error {
	if owner == "" && !k.TenantWide || owner != "" && owner != k.UserID {
		return ErrForbidden
	}
	return nil
}

// ErrForbidden is a change the caller's role does not allow (the tenant's
// canned responses by an agent, say).
var ErrForbidden = errors.New("forbidden")

var shortcutRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// CannedInput is a canned response as its author writes it.
type CannedInput struct {
	Shortcut string       `json:"shortcut"`
	Title    string       `json:"title"`
	Body     string       `json:"body"`
	Scope    ContentScope `json:"scope,omitempty"`
}

func (in CannedInput) validate(maxBody int) error {
	switch {
	case !shortcutRE.MatchString(in.Shortcut):
		return &tenant.FieldError{Field: "shortcut", Reason: "1–40 lowercase letters, digits, _ or -, starting with a letter or digit"}
	case strings.TrimSpace(in.Body) == "":
		return &tenant.FieldError{Field: "body", Reason: "a canned response needs text"}
	}
	if err := textfield.Line("title", in.Title, textfield.MaxName); err != nil {
		return err
	}
	return textfield.Block("body", in.Body, maxBody)
}

// CannedResponses lists the tenant's canned responses and the caller's own.
func (s *Service) CannedResponses(ctx context.Context, a Actor) ([]store.CannedResponse, error) {
	return s.db.CannedResponses(ctx, a.TenantID, a.UserID)
}

// CannedResponse returns a canned response the caller sees.
func (s *Service) CannedResponse(ctx context.Context, a Actor, id string) (store.CannedResponse, error) {
	c, err := s.db.CannedResponse(ctx, a.TenantID, id)
	if err == nil && !a.visible(c.OwnerID) {
		return store.CannedResponse{}, store.ErrNotFound
	}
	return c, err
}

// CreateCannedResponse adds a canned response in the input's scope.
func (s *Service) CreateCannedResponse(ctx context.Context, k Keeper, in CannedInput) (store.CannedResponse, error) {
	if err := in.validate(s.limits.MaxBodyBytes); err != nil {
		return store.CannedResponse{}, err
	}
	owner, err := k.ownerFor(in.Scope)
	if err != nil {
		return store.CannedResponse{}, err
	}
	now := s.clock.Now()
	c := store.CannedResponse{ID: ids.New(), TenantID: k.TenantID, OwnerID: owner, Shortcut: in.Shortcut, Title: in.Title, Body: in.Body,
		CreatedAt: now, UpdatedAt: now}
	return c, s.db.PutCannedResponse(ctx, c)
}

// UpdateCannedResponse rewrites a canned response; its scope stays.
func (s *Service) UpdateCannedResponse(ctx context.Context, k Keeper, id string, in CannedInput) (store.CannedResponse, error) {
	if err := in.validate(s.limits.MaxBodyBytes); err != nil {
		return store.CannedResponse{}, err
	}
	c, err := s.CannedResponse(ctx, k.Actor, id)
	if err != nil {
		return c, err
	}
	if err := k.mayChange(c.OwnerID); err != nil {
		return c, err
	}
	c.Shortcut, c.Title, c.Body, c.UpdatedAt = in.Shortcut, in.Title, in.Body, s.clock.Now()
	return c, s.db.PutCannedResponse(ctx, c)
}

// DeleteCannedResponse removes a canned response.
func (s *Service) DeleteCannedResponse(ctx context.Context, k Keeper, id string) error {
	c, err := s.CannedResponse(ctx, k.Actor, id)
	if err != nil {
		return err
	}
	if err := k.mayChange(c.OwnerID); err != nil {
		return err
	}
	return s.db.DeleteCannedResponse(ctx, k.TenantID, id)
}

// Rendered is a canned response filled in for one conversation.
type Rendered struct {
	Body string `json:"body"`
	// UnknownVariables are the {{…}} left as they were, for want of a value.
	UnknownVariables []string `json:"unknown_variables"`
}

// RenderCanned fills a canned response's variables for a conversation and the caller.
func (s *Service) RenderCanned(ctx context.Context, a Actor, conversationID, cannedID string) (Rendered, error) {
	vars, err := s.variables(ctx, a, conversationID)
	if err != nil {
		return Rendered{}, err
	}
	c, err := s.CannedResponse(ctx, a, cannedID)
	if err != nil {
		return Rendered{}, err
	}
	body, unknown := Render(c.Body, vars)
	return Rendered{Body: body, UnknownVariables: unknown}, nil
}
