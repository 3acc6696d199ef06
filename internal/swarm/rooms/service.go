// Package rooms runs swarm rooms: it opens them on a conversation, finds
// experts through the evidence of similar resolved conversations, invites
// and joins people, keeps what is said and the contribution record, and
// closes rooms with their outcome. Each change is written with its event in
// one transaction (the outbox). The rules are the pure swarm package's.
package rooms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Deps are what the service works with.
type Deps struct {
	DB  *store.DB
	Out *outbox.Outbox
	// Similar finds the past cases most like a room's question: the knowledge
	// suggestions' index (reuse.Service), so expert finding and suggestions
	// read one similarity and each node keeps one copy of the cases.
	Similar SimilarCases
	Clock   clock.Clock
	Log     *slog.Logger
	// Jobs, when set, carries the mail to invitees who are away (a
	// TellArgs job per invitation, run by a Teller); nil sends none.
	Jobs Queue
	// MaxFileBytes is the largest file a room takes: the conversations'
	// attachment limit (inbox.Service.MaxAttachmentBytes).
	MaxFileBytes int64
}

// SimilarCases finds a tenant's past cases most like text, best first, and
// the resolvers whose cases taken together are (their profiles), from the
// same index.
type SimilarCases interface {
	SimilarCases(ctx context.Context, tenantID, text string, k int) ([]suggest.Match, error)
	ResolverProfiles(ctx context.Context, tenantID, text string, k int) ([]suggest.Profile, error)
}

// Service runs every tenant's swarm rooms.
type Service struct {
	Deps
}

// New returns the service.
func New(d Deps) *Service { return &Service{Deps: d} }

// Actor is who acts: a user, or an API key of the tenant (UserID "",
// swarm.Integration), which acts on every room of its tenant as a joined
// member would (a bot asking for help) but is no member and never joins.
type Actor struct {
	TenantID string
	UserID   string
}

// ErrNeedsUser refuses what only a person does (joining a room).
var ErrNeedsUser = errors.New("only a person joins a swarm room: call as a signed-in user")

// Limits.
const (
	// roomsListed is how many of a person's rooms are listed.
	roomsListed = 200
	// contributionsListed is how many of a person's contributions are listed.
	contributionsListed = 500
)

// View is a room as its members see it.
type View struct {
	Room     swarm.Room      `json:"room"`
	Members  []swarm.Member  `json:"members"`
	Messages []swarm.Message `json:"messages"`
}

// Notice is the data of a swarm.* event: ids only, never what is said, so
// a reader of the feed who is not a member learns nothing of the room but
// that it exists. Members lists who the event is for.
type Notice struct {
	RoomID         string   `json:"room_id"`
	ConversationID string   `json:"conversation_id"`
	UserID         string   `json:"user_id,omitempty"` // who was invited, joined or wrote
	MessageID      string   `json:"message_id,omitempty"`
	State          string   `json:"state"`
	Members        []string `json:"members"`
}

func notice(r swarm.Room, ms []swarm.Member, userID, messageID string) Notice {
	n := Notice{RoomID: r.ID, ConversationID: r.ConversationID, UserID: userID, MessageID: messageID, State: string(r.State), Members: []string{}}
	for _, m := range ms {
		n.Members = append(n.Members, m.UserID)
	}
	return n
}

// contribute is the contribution of a person; an integration's acts are
// not anyone's contribution.
func contribute(ctx context.Context, tx *outbox.Tx, r swarm.Room, a Actor, kind swarm.Kind, ref string, now time.Time) error {
	if a.UserID == swarm.Integration {
		return nil
	}
	return tx.AddSwarmContributions(ctx, swarm.Contribute(ids.New(), r, a.UserID, kind, ref, now))
}

// member loads a room and its members for a member of it (or the tenant's
// integration); a room the actor is not a member of is not found, like
// another tenant's.
func member(ctx context.Context, s *store.Store, a Actor, roomID string) (swarm.Room, []swarm.Member, error) {
	r, err := s.SwarmRoom(ctx, a.TenantID, roomID)
	if err != nil {
		return r, nil, err
	}
	ms, err := s.SwarmMembers(ctx, a.TenantID, roomID)
	if err != nil {
		return r, nil, err
	}
	if _, ok := findMember(ms, a.UserID); ok || a.UserID == swarm.Integration {
		return r, ms, nil
	}
	return swarm.Room{}, nil, fmt.Errorf("swarm room %s: %w", roomID, store.ErrNotFound)
}

func emit(ctx context.Context, tx *outbox.Tx, typ string, r swarm.Room, ms []swarm.Member, userID, messageID string) error {
	_, err := tx.Emit(ctx, r.TenantID, typ, notice(r, ms, userID, messageID))
	return err
}

// Open opens a room on the tenant's conversation with a question; the
// actor is its first member.
func (s *Service) Open(ctx context.Context, a Actor, conversationID, question string) (View, error) {
	now := s.Clock.Now()
	r, err := swarm.Open(ids.New(), a.TenantID, conversationID, a.UserID, question, now)
	if err != nil {
		return View{}, err
	}
	members := []swarm.Member{}
	if m, ok := swarm.Opener(r); ok {
		members = append(members, m)
	}
	err = s.Out.Do(ctx, func(tx *outbox.Tx) error {
		if _, err := tx.Conversation(ctx, a.TenantID, conversationID); err != nil {
			return fmt.Errorf("conversation %s: %w", conversationID, err)
		}
		if err := tx.CreateSwarmRoom(ctx, r); err != nil {
			return err
		}
		for _, m := range members {
			if err := tx.PutSwarmMember(ctx, m); err != nil {
				return err
			}
		}
		if err := contribute(ctx, tx, r, a, swarm.KindJoin, "", now); err != nil {
			return err
		}
		return emit(ctx, tx, event.SwarmRoomOpened, r, members, a.UserID, "")
	})
	if err != nil {
		return View{}, err
	}
	return View{Room: r, Members: members, Messages: []swarm.Message{}}, nil
}

// Room is a room for a member of it.
func (s *Service) Room(ctx context.Context, a Actor, roomID string) (View, error) {
	var v View
	err := s.DB.Snapshot(ctx, func(st *store.Store) error {
		r, ms, err := member(ctx, st, a, roomID)
		if err != nil {
			return err
		}
		msgs, err := st.SwarmMessages(ctx, a.TenantID, roomID)
		if err != nil {
			return err
		}
		if msgs == nil {
			msgs = []swarm.Message{}
		}
		if ms == nil {
			ms = []swarm.Member{}
		}
		v = View{Room: r, Members: ms, Messages: msgs}
		return nil
	})
	return v, err
}

// Mine lists the rooms the actor is a member of (invited or joined); an
// integration is a member of none.
func (s *Service) Mine(ctx context.Context, a Actor) ([]swarm.Room, error) {
	if a.UserID == swarm.Integration {
		return []swarm.Room{}, nil
	}
	rs, err := s.DB.SwarmRoomsOf(ctx, a.TenantID, a.UserID, roomsListed)
	if rs == nil {
		rs = []swarm.Room{}
	}
	return rs, err
}

// Invite asks a user of the tenant into the room.
func (s *Service) Invite(ctx context.Context, a Actor, roomID, userID string) (swarm.Member, error) {
	var m swarm.Member
	err := s.Out.Do(ctx, func(tx *outbox.Tx) error {
		r, ms, err := member(ctx, tx.Store, a, roomID)
		if err != nil {
			return err
		}
		presence := ""
		if userID != "" {
			u, err := tx.User(ctx, a.TenantID, userID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
				return &swarm.InvalidError{Field: "user_id", Reason: "is not an active user of the workspace"}
			}
			if err != nil {
				return err
			}
			presence = string(u.Presence)
		}
		m, err = swarm.Invite(r, ms, a.UserID, userID, s.Clock.Now())
		if err != nil {
			return err
		}
		if err := tx.PutSwarmMember(ctx, m); err != nil {
			return err
		}
		// Away or offline: the desktop may not reach them, a mail will.
		if s.Jobs != nil && swarm.TellAway(presence) {
			args := TellArgs{TenantID: a.TenantID, RoomID: roomID, UserID: userID}
			if err := s.Jobs.InsertTx(ctx, tx.SQL, args, &river.InsertOpts{MaxAttempts: tellAttempts}); err != nil {
				return fmt.Errorf("tell invitee: %w", err)
			}
		}
		return emit(ctx, tx, event.SwarmInvited, r, append(ms, m), userID, "")
	})
	return m, err
}

// Join brings the invited actor into the room; joining twice is one join.
func (s *Service) Join(ctx context.Context, a Actor, roomID string) (swarm.Member, error) {
	var m swarm.Member
	err := s.Out.Do(ctx, func(tx *outbox.Tx) error {
		r, ms, err := member(ctx, tx.Store, a, roomID)
		if err != nil {
			return err
		}
		if a.UserID == swarm.Integration {
			return ErrNeedsUser
		}
		now := s.Clock.Now()
		var changed bool
		m, changed, err = swarm.Join(r, ms, a.UserID, now)
		if err != nil || !changed {
			return err
		}
		if err := tx.PutSwarmMember(ctx, m); err != nil {
			return err
		}
		if err := contribute(ctx, tx, r, a, swarm.KindJoin, "", now); err != nil {
			return err
		}
		return emit(ctx, tx, event.SwarmJoined, r, ms, a.UserID, "")
	})
	return m, err
}

// Say adds a joined member's message to the open room, with the files
// they uploaded to it (Upload) named by attachmentIDs.
func (s *Service) Say(ctx context.Context, a Actor, roomID, body string, mentions, attachmentIDs []string) (swarm.Message, error) {
	var msg swarm.Message
	err := s.Out.Do(ctx, func(tx *outbox.Tx) error {
		r, ms, err := member(ctx, tx.Store, a, roomID)
		if err != nil {
			return err
		}
		uploads, err := tx.SwarmUploads(ctx, a.TenantID, roomID, attachmentIDs)
		if err != nil {
			return err
		}
		files, err := swarm.Attachable(roomID, a.UserID, attachmentIDs, uploads)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		msg, err = swarm.Say(r, ms, ids.New(), a.UserID, body, mentions, files, now)
		if err != nil {
			return err
		}
		if err := tx.AddSwarmMessage(ctx, msg); err != nil {
			return err
		}
		if err := tx.AttachSwarmUploads(ctx, a.TenantID, roomID, msg.ID, attachmentIDs); err != nil {
			return err
		}
		if err := contribute(ctx, tx, r, a, swarm.KindMessage, msg.ID, now); err != nil {
			return err
		}
		return emit(ctx, tx, event.SwarmMessage, r, ms, a.UserID, msg.ID)
	})
	return msg, err
}

// Close ends the open room with its outcome, and records the minutes each
// joined member spent in it and the articles they linked to the
// conversation while in it.
func (s *Service) Close(ctx context.Context, a Actor, roomID, outcome string) (swarm.Room, error) {
	var closed swarm.Room
	err := s.Out.Do(ctx, func(tx *outbox.Tx) error {
		r, ms, err := member(ctx, tx.Store, a, roomID)
		if err != nil {
			return err
		}
		if m, _ := findMember(ms, a.UserID); a.UserID != swarm.Integration && m.Status != swarm.Joined {
			return swarm.ErrNotMember
		}
		now := s.Clock.Now()
		closed, err = r.Close(a.UserID, outcome, now)
		if err != nil {
			return err
		}
		if err := tx.CloseSwarmRoom(ctx, closed); err != nil {
			return err
		}
		msgs, err := tx.SwarmMessages(ctx, a.TenantID, roomID)
		if err != nil {
			return err
		}
		last := map[string]time.Time{}
		for _, m := range msgs {
			last[m.AuthorID] = m.CreatedAt
		}
		var cs []swarm.Contribution
		spent := swarm.MinutesSpent(ms, last, now)
		for _, m := range ms {
			if n, ok := spent[m.UserID]; ok {
				c := swarm.Contribute(ids.New(), closed, m.UserID, swarm.KindMinutes, "", now)
				c.Minutes = n
				cs = append(cs, c)
			}
		}
		links, err := tx.KnowledgeLinks(ctx, a.TenantID, r.ConversationID)
		if err != nil {
			return err
		}
		made := make([]swarm.LinkMade, 0, len(links))
		for _, l := range links {
			made = append(made, swarm.LinkMade{UserID: l.AgentID, ArticleID: l.ArticleID, At: l.CreatedAt})
		}
		for _, l := range swarm.LinksDuring(closed, ms, made, now) {
			cs = append(cs, swarm.Contribute(ids.New(), closed, l.UserID, swarm.KindLink, l.ArticleID, l.At))
		}
		if err := tx.AddSwarmContributions(ctx, cs...); err != nil {
			return err
		}
		return emit(ctx, tx, event.SwarmClosed, closed, ms, a.UserID, "")
	})
	return closed, err
}

func findMember(ms []swarm.Member, userID string) (swarm.Member, bool) {
	for _, m := range ms {
		if m.UserID == userID {
			return m, true
		}
	}
	return swarm.Member{}, false
}

// Contributions lists a user's contributions, newest first. Anyone who
// reads the workspace may see who worked on what (supervisors do).
func (s *Service) Contributions(ctx context.Context, tenantID, userID string) ([]swarm.Contribution, error) {
	if _, err := s.DB.User(ctx, tenantID, userID); err != nil {
		return nil, fmt.Errorf("user %s: %w", userID, err)
	}
	cs, err := s.DB.SwarmContributions(ctx, tenantID, userID, contributionsListed)
	if cs == nil {
		cs = []swarm.Contribution{}
	}
	return cs, err
}
