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

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
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

// Channels finds the center's channels (channel.Registry): its Web Push
// channel tells an away invitee on the browsers they subscribed from the
// desktop (ADR 0048).
type Channels interface {
	Get(name string) (channel.Channel, bool)
}

// TellArgs is the job that tells an invitee who was away, by mail and Web
// Push, that they are asked into a room. It is enqueued with the invitation, in its
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

// Teller is the worker that sends TellArgs jobs' mail and pushes.
type Teller struct {
	river.WorkerDefaults[TellArgs]
	db       *store.DB
	mail     Mailer   // nil: the center has no relay; no mail is sent
	channels Channels // nil, or no Web Push channel: no push is sent
	clock    clock.Clock
	log      *slog.Logger
	baseURL  string
}

// NewTeller returns the worker; it is registered with the job queue
// before the service (which needs the queue) exists, and before the
// channels are registered (they are looked up when a job runs).
func NewTeller(db *store.DB, mail Mailer, channels Channels, clk clock.Clock, log *slog.Logger, baseURL string) *Teller {
	return &Teller{db: db, mail: mail, channels: channels, clock: clk, log: log, baseURL: strings.TrimRight(baseURL, "/")}
}

// RoomLink is the desktop's deep link to a room: its conversation, with
// the room's panel open.
func RoomLink(baseURL string, r swarm.Room) string {
	return strings.TrimRight(baseURL, "/") + "/desktop/c/" + url.PathEscape(r.ConversationID) + "?room=" + url.QueryEscape(r.ID)
}

// Work tells one invitee, once: a push to each browser they subscribed and
// a mail. An invitee who joined meanwhile, a room closed meanwhile, or one
// told already (a retry after the mail) gets nothing more. Pushes go first:
// a retry after a failed mail pushes again, which the push service and the
// browser take as the same notice (its Topic and tag are the job's), never
// a second one. A browser the push service says is gone is forgotten.
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
	pushed, err := w.push(ctx, a, subject, r)
	if err != nil {
		return err
	}
	if w.mail == nil {
		if pushed == 0 {
			w.log.Warn("swarm invitee not told: no SMTP relay and no browser subscribed", "tenant_id", a.TenantID, "room_id", a.RoomID, "user_id", a.UserID)
			return nil
		}
		if _, err := w.db.MarkSwarmMemberTold(ctx, a.TenantID, a.RoomID, a.UserID, w.clock.Now()); err != nil {
			return fmt.Errorf("tell invitee: %w", err)
		}
		return nil
	}
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

// push sends the invitation to each browser the invitee subscribed and
// returns how many took it. A push that failed for a while is left to the
// mail when there is a relay, and retried (an error) when there is none.
func (w *Teller) push(ctx context.Context, a TellArgs, subject string, r swarm.Room) (int, error) {
	if w.channels == nil {
		return 0, nil
	}
	ch, ok := w.channels.Get(webpush.Name)
	if !ok {
		return 0, nil
	}
	subs, err := w.db.UserPushSubscriptions(ctx, a.TenantID, a.UserID)
	if err != nil || len(subs) == 0 {
		return 0, err
	}
	q := oneLine(r.Question, 300)
	pushed, failed := 0, 0
	for _, sub := range subs {
		to := webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}}
		_, err := ch.Send(ctx, channel.Outbound{TenantID: a.TenantID, MessageID: "swarm-tell-" + a.RoomID + "-" + a.UserID,
			To: to.JSON(), Subject: subject, Body: q,
			Headers: map[string]string{webpush.LinkHeader: RoomLink(w.baseURL, r), webpush.UrgencyHeader: "high"}})
		switch {
		case err == nil:
			pushed++
		case errors.Is(err, channel.ErrHeld):
			// A suspended workspace sends nothing; its mail is the staff's.
		case errors.Is(err, channel.ErrPermanent):
			// Gone (the browser unsubscribed) or never deliverable: the
			// error names the push service's host only.
			w.log.Info("swarm invitee's browser subscription dropped", "tenant_id", a.TenantID, "user_id", a.UserID, "err", err)
			if err := w.db.DeleteUserPushSubscriptionID(ctx, a.TenantID, sub.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return pushed, fmt.Errorf("tell invitee: %w", err)
			}
		default:
			failed++
			w.log.Warn("swarm invitee push failed", "tenant_id", a.TenantID, "room_id", a.RoomID, "user_id", a.UserID, "err", err)
		}
	}
	if pushed == 0 && failed > 0 && w.mail == nil {
		return 0, errors.New("tell invitee: every push failed")
	}
	if pushed > 0 {
		w.log.Info("swarm invitee told by push", "tenant_id", a.TenantID, "room_id", a.RoomID, "user_id", a.UserID, "browsers", pushed)
	}
	return pushed, nil
}

// oneLine is s on one line, cut to at most n characters with "…".
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
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
