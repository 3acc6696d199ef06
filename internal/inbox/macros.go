package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// The macro action types.
var macroActionTypes = []string{"reply", "note", "status", "priority", "tags_add", "tags_remove", "assign", "team"}

// MaxMacroActions bounds a macro.
const MaxMacroActions = 20

// MacroInput is a macro as its author writes it.
type MacroInput struct {
	Name    string              `json:"name"`
	Actions []store.MacroAction `json:"actions"`
	Scope   ContentScope        `json:"scope,omitempty"`
}

func (in MacroInput) validate() error {
	if n := strings.TrimSpace(in.Name); n == "" {
		return &tenant.FieldError{Field: "name", Reason: "a macro needs a name"}
	} else if err := textfield.Line("name", n, textfield.MaxName); err != nil {
		return err
	}
	if len(in.Actions) == 0 || len(in.Actions) > MaxMacroActions {
		return &tenant.FieldError{Field: "actions", Reason: fmt.Sprintf("a macro has 1 to %d actions", MaxMacroActions)}
	}
	for i, act := range in.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		switch {
		case !slices.Contains(macroActionTypes, act.Type):
			return &tenant.FieldError{Field: f + ".type", Reason: "must be one of " + strings.Join(macroActionTypes, ", ")}
		case (act.Type == "reply" || act.Type == "note") && strings.TrimSpace(act.Value) == "":
			return &tenant.FieldError{Field: f + ".value", Reason: "a " + act.Type + " needs text"}
		case act.Type == "reply" || act.Type == "note":
			if err := textfield.Block(f+".value", act.Value, textfield.MaxBody); err != nil {
				return err
			}
		default:
			if err := textfield.Line(f+".value", act.Value, textfield.MaxLine); err != nil {
				return err
			}
		case act.Type == "status" && (!conversation.Status(act.Value).Valid() || act.Value == string(conversation.StatusSnoozed)):
			return &tenant.FieldError{Field: f + ".value", Reason: "must be open, pending or resolved"}
		case act.Type == "priority":
			if _, ok := parsePriority(act.Value); !ok {
				return &tenant.FieldError{Field: f + ".value", Reason: "must be low, normal, high, urgent or 0–3"}
			}
		}
	}
	return nil
}

func parsePriority(v string) (conversation.Priority, bool) {
	names := map[string]conversation.Priority{"low": conversation.PriorityLow, "normal": conversation.PriorityNormal,
		"high": conversation.PriorityHigh, "urgent": conversation.PriorityUrgent}
	if p, ok := names[strings.ToLower(v)]; ok {
		return p, true
	}
	n, err := strconv.Atoi(v)
	return conversation.Priority(n), err == nil && n >= 0 && n <= 3
}

// Macros lists the tenant's macros and the caller's own.
func (s *Service) Macros(ctx context.Context, a Actor) ([]store.Macro, error) {
	return s.db.Macros(ctx, a.TenantID, a.UserID)
}

// Macro returns a macro the caller sees.
func (s *Service) Macro(ctx context.Context, a Actor, id string) (store.Macro, error) {
	m, err := s.db.Macro(ctx, a.TenantID, id)
	if err == nil && !a.visible(m.OwnerID) {
		return store.Macro{}, store.ErrNotFound
	}
	return m, err
}

// CreateMacro adds a macro in the input's scope.
func (s *Service) CreateMacro(ctx context.Context, k Keeper, in MacroInput) (store.Macro, error) {
	if err := in.validate(); err != nil {
		return store.Macro{}, err
	}
	owner, err := k.ownerFor(in.Scope)
	if err != nil {
		return store.Macro{}, err
	}
	now := s.clock.Now()
	m := store.Macro{ID: ids.New(), TenantID: k.TenantID, OwnerID: owner, Name: strings.TrimSpace(in.Name), Actions: in.Actions,
		CreatedAt: now, UpdatedAt: now}
	return m, s.db.PutMacro(ctx, m)
}

// UpdateMacro rewrites a macro; its scope stays.
func (s *Service) UpdateMacro(ctx context.Context, k Keeper, id string, in MacroInput) (store.Macro, error) {
	if err := in.validate(); err != nil {
		return store.Macro{}, err
	}
	m, err := s.Macro(ctx, k.Actor, id)
	if err != nil {
		return m, err
	}
	if err := k.mayChange(m.OwnerID); err != nil {
		return m, err
	}
	m.Name, m.Actions, m.UpdatedAt = strings.TrimSpace(in.Name), in.Actions, s.clock.Now()
	return m, s.db.PutMacro(ctx, m)
}

// DeleteMacro removes a macro.
func (s *Service) DeleteMacro(ctx context.Context, k Keeper, id string) error {
	m, err := s.Macro(ctx, k.Actor, id)
	if err != nil {
		return err
	}
	if err := k.mayChange(m.OwnerID); err != nil {
		return err
	}
	return s.db.DeleteMacro(ctx, k.TenantID, id)
}

// RunMacro runs a macro's actions on a conversation in order, each through
// the method an agent would use by hand (each with its timeline item). A
// failing action stops the rest; its error names it (actions[2]). Replies and
// notes fill the canned-response variables.
func (s *Service) RunMacro(ctx context.Context, a Actor, conversationID, macroID string) (conversation.Conversation, error) {
	c, err := s.db.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return c, err
	}
	m, err := s.Macro(ctx, a, macroID)
	if err != nil {
		return c, err
	}
	vars, err := s.variables(ctx, a, conversationID)
	if err != nil {
		return c, err
	}
	for i, act := range m.Actions {
		if c, err = s.runAction(ctx, a, c, act, vars); err != nil {
			var fe *tenant.FieldError
			if errors.As(err, &fe) {
				return c, &tenant.FieldError{Field: fmt.Sprintf("actions[%d]", i), Reason: act.Type + ": " + fe.Reason}
			}
			return c, fmt.Errorf("macro action %d (%s): %w", i, act.Type, err)
		}
	}
	return c, nil
}

func (s *Service) runAction(ctx context.Context, a Actor, c conversation.Conversation, act store.MacroAction, vars map[string]string) (conversation.Conversation, error) {
	switch act.Type {
	case "reply":
		body, _ := Render(act.Value, vars)
		if _, err := s.Reply(ctx, a, c.ID, ReplyInput{Body: body}); err != nil {
			return c, err
		}
		return s.db.Conversation(ctx, a.TenantID, c.ID)
	case "note":
		body, _ := Render(act.Value, vars)
		if _, err := s.Note(ctx, a, c.ID, body); err != nil {
			return c, err
		}
		return s.db.Conversation(ctx, a.TenantID, c.ID)
	case "status":
		return s.SetStatus(ctx, a, c.ID, conversation.Status(act.Value))
	case "priority":
		p, ok := parsePriority(act.Value)
		if !ok {
			return c, &tenant.FieldError{Field: "value", Reason: "not a priority"}
		}
		return s.SetPriority(ctx, a, c.ID, p)
	case "tags_add", "tags_remove":
		tags := slices.Clone(c.Tags)
		for _, t := range strings.Split(act.Value, ",") {
			t = strings.TrimSpace(t)
			if t == "" {
				continue
			}
			if act.Type == "tags_add" && !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
			if act.Type == "tags_remove" {
				tags = slices.DeleteFunc(tags, func(x string) bool { return x == t })
			}
		}
		return s.SetTags(ctx, a, c.ID, tags)
	case "assign":
		who := act.Value
		if who == "me" {
			who = a.UserID
		}
		return s.Assign(ctx, a, c.ID, who)
	case "team":
		return s.SetTeam(ctx, a, c.ID, act.Value)
	}
	return c, &tenant.FieldError{Field: "type", Reason: "unknown action " + act.Type}
}
