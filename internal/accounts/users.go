package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// NewUser is what an admin gives to add a person.
type NewUser struct {
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     tenant.Role `json:"role"`
	Password string      `json:"password"`
}

// UserPatch changes some of a user's fields; nil fields stay as they are.
type UserPatch struct {
	Name     *string      `json:"name"`
	Role     *tenant.Role `json:"role"`
	Disabled *bool        `json:"disabled"`
	// KnowledgePublisher makes the user a knowledge publisher (or not).
	KnowledgePublisher *bool `json:"knowledge_publisher"`
}

// CreateUser adds a person to the actor's tenant.
func (s *Service) CreateUser(ctx context.Context, a Actor, in NewUser) (tenant.User, error) {
	var u tenant.User
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		u, err = s.createUser(ctx, tx, a, in)
		return err
	})
	return u, err
}

func (s *Service) createUser(ctx context.Context, tx *outbox.Tx, a Actor, in NewUser) (tenant.User, error) {
	email, err := tenant.NormalizeEmail(in.Email)
	if err != nil {
		return tenant.User{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return tenant.User{}, &tenant.FieldError{Field: "name", Reason: "is required"}
	}
	if err := textfield.Line("name", name, textfield.MaxName); err != nil {
		return tenant.User{}, err
	}
	if !in.Role.Valid() {
		return tenant.User{}, &tenant.FieldError{Field: "role", Reason: "must be admin, supervisor, agent or expert"}
	}
	hash, err := auth.HashPassword(in.Password)
	if errors.Is(err, auth.ErrWeakPassword) {
		return tenant.User{}, &tenant.FieldError{Field: "password", Reason: err.Error()}
	}
	if err != nil {
		return tenant.User{}, err
	}
	now := s.clock.Now()
	u := tenant.User{ID: ids.New(), TenantID: a.TenantID, Email: email, Name: name, Role: in.Role,
		Presence: tenant.PresenceOffline, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return u, &tenant.FieldError{Field: "email", Reason: "a user with this email already exists"}
		}
		return u, err
	}
	if err := audit(ctx, tx, a, now, "user.create", "user", u.ID, map[string]any{"email": u.Email, "role": u.Role}); err != nil {
		return u, err
	}
	_, err = tx.Emit(ctx, u.TenantID, event.UserCreated, u)
	return u, err
}

// User returns one user of the tenant.
func (s *Service) User(ctx context.Context, tenantID, id string) (tenant.User, error) {
	return s.db.User(ctx, tenantID, id)
}

// Users lists the tenant's users.
func (s *Service) Users(ctx context.Context, tenantID string, page store.Page) ([]tenant.User, error) {
	return s.db.Users(ctx, tenantID, page)
}

// UpdateUser changes a user's name, role or disabled flag. Disabling a user ends
// their sessions at once; disabling them or changing their role closes their
// realtime sockets on every node, so what they see follows what they may read.
func (s *Service) UpdateUser(ctx context.Context, a Actor, id string, p UserPatch) (tenant.User, error) {
	var u tenant.User
	var revoke string // why the user's sockets must close, if they must
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		var err error
		if u, err = tx.User(ctx, a.TenantID, id); err != nil {
			return err
		}
		revoke = ""
		detail := map[string]any{}
		if p.Name != nil {
			if strings.TrimSpace(*p.Name) == "" {
				return &tenant.FieldError{Field: "name", Reason: "must not be empty"}
			}
			if err := textfield.Line("name", strings.TrimSpace(*p.Name), textfield.MaxName); err != nil {
				return err
			}
			u.Name, detail["name"] = strings.TrimSpace(*p.Name), strings.TrimSpace(*p.Name)
		}
		if p.Role != nil {
			if !p.Role.Valid() {
				return &tenant.FieldError{Field: "role", Reason: "must be admin, supervisor, agent or expert"}
			}
			if *p.Role != u.Role {
				revoke = "role changed"
			}
			u.Role, detail["role"] = *p.Role, *p.Role
		}
		if p.Disabled != nil {
			u.Disabled, detail["disabled"] = *p.Disabled, *p.Disabled
			if u.Disabled {
				revoke = "user disabled"
				u.Presence = tenant.PresenceOffline
				if err := tx.DeleteUserSessions(ctx, u.TenantID, u.ID); err != nil {
					return err
				}
			}
		}
		if p.KnowledgePublisher != nil {
			if *p.KnowledgePublisher != u.KnowledgePublisher {
				revoke = "permissions changed"
			}
			u.KnowledgePublisher, detail["knowledge_publisher"] = *p.KnowledgePublisher, *p.KnowledgePublisher
		}
		u.UpdatedAt = s.clock.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := audit(ctx, tx, a, u.UpdatedAt, "user.update", "user", u.ID, detail); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, u.TenantID, event.UserUpdated, u)
		return err
	})
	if err == nil && revoke != "" {
		s.announceAuthChange(ctx, u.TenantID, event.AuthChange{UserID: u.ID, Reason: revoke})
	}
	return u, err
}

// SetPresence changes the actor's own presence and tells every connected
// desktop. Besides the built-in states, a state the tenant defined (its
// presence_states, managed by the dispatcher's admin API) is accepted; it is
// looked up in the same transaction, so a state deleted meanwhile is refused.
func (s *Service) SetPresence(ctx context.Context, tenantID, userID string, p tenant.Presence) (tenant.User, error) {
	var u tenant.User
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if !p.Valid() {
			states, err := tx.PresenceStates(ctx, tenantID)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(states, func(st store.PresenceState) bool { return st.Name == string(p) }) {
				names := []string{"available", "busy", "away", "offline"}
				for _, st := range states {
					names = append(names, st.Name)
				}
				return &tenant.FieldError{Field: "presence", Reason: "must be one of " + strings.Join(names, ", ")}
			}
		}
		var err error
		if u, err = tx.User(ctx, tenantID, userID); err != nil {
			return err
		}
		changed := u.Presence != p
		u.Presence, u.UpdatedAt = p, s.clock.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		// The wall shows how long an agent has been in their state; setting
		// the same presence again does not restart it.
		if changed {
			if err := tx.SetPresenceSince(ctx, tenantID, userID, u.UpdatedAt); err != nil {
				return err
			}
		}
		_, err = tx.Emit(ctx, tenantID, event.AgentPresenceChanged, map[string]any{"user_id": u.ID, "presence": p})
		return err
	})
	return u, err
}
