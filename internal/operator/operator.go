// Package operator is the role above tenants, for whoever runs the service:
// operators and their tokens, every tenant's state (sandbox, live,
// suspended), suspending and resuming with a reason, plan limits and their
// enforcement, and usage for billing. Tenants' own people never reach it.
package operator

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// ErrUnauthenticated is a missing, malformed, unknown or revoked operator token.
var ErrUnauthenticated = errors.New("not an operator")

// tokenPrefix marks an operator token, so that it is never mistaken for a
// tenant's API key (sbk_) and a leaked one is recognised by secret scanners.
const tokenPrefix = "sbo_"

// Operator is a person who runs the service.
type Operator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Service runs the operator's side.
type Service struct {
	db       *store.DB
	out      *outbox.Outbox
	accounts *accounts.Service
	clock    clock.Clock
	log      *slog.Logger
	pepper   []byte
}

// New returns the operator service. secret peppers the token hashes; it is
// the server's secret key, shared by every node.
func New(db *store.DB, out *outbox.Outbox, acc *accounts.Service, clk clock.Clock, log *slog.Logger, secret []byte) *Service {
	return &Service{db: db, out: out, accounts: acc, clock: clk, log: log, pepper: secret}
}

// Create makes an operator and returns their token, shown this once.
func (s *Service) Create(ctx context.Context, name string) (Operator, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Operator{}, "", &tenant.FieldError{Field: "name", Reason: "is required"}
	}
	if err := textfield.Line("name", name, textfield.MaxName); err != nil {
		return Operator{}, "", err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	o := Operator{ID: ids.New(), Name: name}
	enc := base64.RawURLEncoding.EncodeToString(secret)
	err := s.db.CreateOperator(ctx, store.Operator{ID: o.ID, Name: name, SecretHash: s.hash(enc), CreatedAt: s.clock.Now().UnixMicro()})
	if err != nil {
		return Operator{}, "", err
	}
	return o, tokenPrefix + o.ID + "_" + enc, nil
}

// Revoke ends an operator's token.
func (s *Service) Revoke(ctx context.Context, id string) error {
	return s.db.RevokeOperator(ctx, id, s.clock.Now().UnixMicro())
}

// IsToken reports whether presented has an operator token's shape.
func IsToken(presented string) bool { return strings.HasPrefix(presented, tokenPrefix) }

// Verify returns the operator a token belongs to. A tenant's API key, a
// session token or anything else is ErrUnauthenticated.
func (s *Service) Verify(ctx context.Context, presented string) (Operator, error) {
	rest, ok := strings.CutPrefix(presented, tokenPrefix)
	if !ok {
		return Operator{}, ErrUnauthenticated
	}
	// ids carry no underscore, the base64url secret may: cut at the first.
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || id == "" || secret == "" {
		return Operator{}, ErrUnauthenticated
	}
	o, err := s.db.OperatorByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Operator{}, ErrUnauthenticated
	}
	if err != nil {
		return Operator{}, err
	}
	if !hmac.Equal([]byte(s.hash(secret)), []byte(o.SecretHash)) {
		return Operator{}, ErrUnauthenticated
	}
	return Operator{ID: o.ID, Name: o.Name}, nil
}

func (s *Service) hash(secret string) string {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte("operator:" + secret))
	return hex.EncodeToString(m.Sum(nil))
}

// Actor is the operator as a tenant's audit log records them.
func (o Operator) Actor(tenantID, remoteAddr string) accounts.Actor {
	return accounts.Actor{TenantID: tenantID, Type: "operator", ID: o.ID, RemoteAddr: remoteAddr}
}

// audit records an operator's action in the tenant's audit log, inside tx.
func (s *Service) audit(ctx context.Context, tx *outbox.Tx, a accounts.Actor, action string, detail map[string]any) error {
	return tx.AppendAudit(ctx, tenant.AuditEntry{
		ID: ids.New(), TenantID: a.TenantID, ActorType: a.Type, ActorID: a.ID, Action: action,
		TargetType: "tenant", TargetID: a.TenantID, Detail: detail, RemoteAddr: a.RemoteAddr, CreatedAt: s.clock.Now(),
	})
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
