package rooms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Queue enqueues durable jobs inside a transaction (the jobs package).
type Queue interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Mailer sends the center's own mail (internal/mailer).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// TellArgs is the job that tells an invitee who was away, by mail, that
// they are asked into a room. It is enqueued with the invitation, in its
// transaction, so an invitation is never without it.
type TellArgs struct {
	TenantID string `json:"tenant_id"`
	RoomID   string `json:"room_id"`
	UserID   string `json:"user_id"`
}

// Kind implements river.JobArgs.
func (TellArgs) Kind() string { return "swarm_tell_invitee" }

// tellAttempts: a relay down for a while still gets the mail out.
const tellAttempts = 10

// Teller is the worker that sends TellArgs jobs' mail.
type Teller struct {
	river.WorkerDefaults[TellArgs]
	db      *store.DB
	mail    Mailer // nil: the center has no relay; nothing is sent
	clock   clock.Clock
	log     *slog.Logger
	baseURL string
}

// NewTeller returns the worker; it is registered with the job queue
// before the service (which needs the queue) exists.
func NewTeller(db *store.DB, mail Mailer, clk clock.Clock, log *slog.Logger, baseURL string) *Teller {
	return &Teller{db: db, mail: mail, clock: clk, log: log, baseURL: strings.TrimRight(baseURL, "/")}
}

// RoomLink is the desktop's deep link to a room: its conversation, with
// the room's panel open.
func RoomLink(baseURL string, r swarm.Room) string {
	return strings.TrimRight(baseURL, "/") + "/desktop/c/" + url.PathEscape(r.ConversationID) + "?room=" + url.QueryEscape(r.ID)
}

// Work sends one invitee their mail, once: an invitee who joined meanwhile,
// a room closed meanwhile, or one told already (a retry after the send)
// gets nothing more.
func (w *Teller) Work(ctx context.Context, job *river.Job[TellArgs]) error {
	a := job.Args
	r, err := w.db.SwarmRoom(ctx, a.TenantID, a.RoomID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the room went with its conversation
	}
	if err != nil {
		return err
	}
	ms, err := w.db.SwarmMembers(ctx, a.TenantID, a.RoomID)
	if err != nil {
		return err
	}
	m, ok := findMember(ms, a.UserID)
	if !ok || m.Status != swarm.Invited || !m.ToldAt.IsZero() || r.State != swarm.StateOpen {
		return nil
	}
	if w.mail == nil {
		w.log.Warn("swarm invitee not told by mail: no SMTP relay", "tenant_id", a.TenantID, "room_id", a.RoomID, "user_id", a.UserID)
		return nil
	}
	u, err := w.db.User(ctx, a.TenantID, a.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return nil
	}
	if err != nil {
		return err
	}
	tn, err := w.db.Tenant(ctx, a.TenantID)
	if err != nil {
		return err
	}
	who := "A colleague"
	if m.InvitedBy != "" {
		if by, err := w.db.User(ctx, a.TenantID, m.InvitedBy); err == nil && by.Name != "" {
			who = by.Name
		}
	}
	subject, body := tellMail(who, tn.Name, r, RoomLink(w.baseURL, r))
	if err := w.mail.Send(ctx, u.Email, subject, body); err != nil {
		w.log.Warn("swarm invitee mail failed", "tenant_id", a.TenantID, "room_id", a.RoomID, "attempt", job.Attempt, "err", err)
		return fmt.Errorf("tell invitee: %w", err)
	}
	if _, err := w.db.MarkSwarmMemberTold(ctx, a.TenantID, a.RoomID, a.UserID, w.clock.Now()); err != nil {
		return fmt.Errorf("tell invitee: %w", err)
	}
	w.log.Info("swarm invitee told by mail", "tenant_id", a.TenantID, "room_id", a.RoomID, "user_id", a.UserID)
	return nil
}

// tellMail is the invitation's subject and text: who asks, in which
// workspace, the question, and the link.
func tellMail(who, workspace string, r swarm.Room, link string) (string, string) {
	q := r.Question
	if len([]rune(q)) > 500 {
		q = string([]rune(q)[:500]) + "…"
	}
	subject := fmt.Sprintf("%s asks for your help in %s", who, workspace)
	body := fmt.Sprintf("%s asks for your help on a conversation in %s:\n\n  %s\n\nOpen the room: %s\n\n"+
		"You get this mail because you were away when you were invited; the room is also in your desktop.\n",
		who, workspace, strings.ReplaceAll(q, "\n", "\n  "), link)
	return subject, body
}
