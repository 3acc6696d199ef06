package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Commands travel from any node to the leader of the tenant's shard on
// switchboard.dispatch.<shard>.<tenant>: only that shard's leader
// subscribes to it.
const commandSubjectPrefix = "switchboard.dispatch."

// commandSubject is the subject of a command about the tenant.
func (s *Service) commandSubject(tenantID string) string {
	return commandSubjectPrefix + strconv.Itoa(ShardOf(tenantID, s.cfg.Shards)) + "." + tenantID
}

// shardSubjectAll is what shard i's leader subscribes to.
func shardSubjectAll(i int) string { return commandSubjectPrefix + strconv.Itoa(i) + ".*" }

// tenantOf is the tenant token of a command's subject.
func tenantOf(subject string) string {
	return subject[strings.LastIndexByte(subject, '.')+1:]
}

// The commands.
const (
	cmdAccept   = "accept"
	cmdDecline  = "decline"
	cmdWork     = "work"   // (re)read a work item from SQL: an escalation, a callback attempt
	cmdReload   = "reload" // a tenant's configuration changed
	cmdStats    = "stats"
	cmdTransfer = "transfer" // a conversation moves to another queue
	cmdAgents   = "agents"   // the agents' live load and capacity
	cmdCriteria = "criteria" // set a conversation's routing criteria
	cmdStep     = "step"     // where a conversation's work stands in its criteria
)

// command is one request to the leader.
type command struct {
	Kind           string               `json:"kind"`
	TenantID       string               `json:"tenant_id"`
	UserID         string               `json:"user_id,omitempty"`
	OfferID        string               `json:"offer_id,omitempty"`
	ConversationID string               `json:"conversation_id,omitempty"`
	Modality       routing.Modality     `json:"modality,omitempty"`
	WorkID         string               `json:"work_id,omitempty"`
	QueueID        string               `json:"queue_id,omitempty"`
	KeyID          string               `json:"key_id,omitempty"`
	AgentID        string               `json:"agent_id,omitempty"` // a transfer to a person
	Steps          []CriteriaStepConfig `json:"steps,omitempty"`
	// Until is when the sender stops waiting to have the command started
	// (Unix microseconds; 0: no limit): a leader that comes to it later
	// leaves it undone, so that a sender told "no leader" (503) can rely on
	// nothing having happened. A command started in time is still awaited
	// for commandGrace past it.
	Until int64 `json:"until,omitempty"`
}

// commandGrace is how long past a command's Until its sender still waits
// for the answer of a leader that started it in time.
const commandGrace = 3 * time.Second

// late tells whether the command came to the leader after its sender
// stopped waiting to have it started. The senders' clocks are the nodes'
// wall clocks, as the contexts' deadlines are.
func (c command) late(now time.Time) bool {
	return c.Until != 0 && now.UnixMicro() > c.Until
}

// reply is the leader's answer; Code names a sentinel error.
type reply struct {
	Code     string           `json:"code,omitempty"`
	Field    string           `json:"field,omitempty"`
	Err      string           `json:"err,omitempty"`
	Stats    []QueueStatsView `json:"stats,omitempty"`
	Agents   []AgentLoad      `json:"agents,omitempty"`
	Criteria *CriteriaView    `json:"criteria,omitempty"`
}

const (
	codeNotFound  = "not_found"
	codeNotYours  = "not_your_offer"
	codeOfferGone = "offer_gone"
	codeField     = "field"
	codeConflict  = "conflict"
	codeBusy      = "busy"
	codeInternal  = "internal"
)

// request sends a command to the leader of the tenant's shard and waits
// for its reply. While no node leads the shard (a hand-over, a node that
// died) it tries again until CommandTimeout: a command that no leader
// received, or that one refused as busy or late, did nothing. A leader
// starts a command only until CommandTimeout has passed (command.Until),
// and its answer is awaited commandGrace longer: ErrNoLeader is a command
// not done, unless a leader took longer than commandGrace over it. Only the commands
// about what is stored already (a reload, work to pick up) are not
// repeated: the next leader reads them from SQL when it rebuilds.
func (s *Service) request(ctx context.Context, c command) (reply, error) {
	// A reload or work to pick up is read from SQL whenever it comes: done
	// late, it is still right, so it carries no Until. While no node leads
	// it is not sent again (the next leader's rebuild reads it), but a
	// leader too busy to take it now is asked again: it would otherwise
	// route by what it read before.
	fromSQL := c.Kind == cmdReload || c.Kind == cmdWork
	if !fromSQL {
		c.Until = time.Now().Add(s.cfg.CommandTimeout).UnixMicro()
	}
	data, err := json.Marshal(c)
	if err != nil {
		return reply{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CommandTimeout+commandGrace)
	defer cancel()
	subject := s.commandSubject(c.TenantID)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, 250*time.Millisecond) {
		// A reply may come in parts (replyparts.go): the Stats of thousands of
		// queues is larger than NATS carries in one message.
		answer, err := requestParts(ctx, s.bus.Conn(), subject, data)
		var r reply
		if err == nil {
			if err := json.Unmarshal(answer, &r); err != nil {
				return reply{}, fmt.Errorf("dispatch %s: bad reply: %w", c.Kind, err)
			}
		}
		switch {
		case errors.Is(err, nats.ErrNoResponders), err == nil && r.Code == codeBusy:
			if (fromSQL && err != nil) || c.late(time.Now().Add(wait)) {
				return reply{}, ErrNoLeader // tried again, it would come too late
			}
			select {
			case <-ctx.Done():
				return reply{}, ErrNoLeader
			case <-time.After(wait):
				continue
			}
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
			return reply{}, ErrNoLeader
		case err != nil:
			return reply{}, fmt.Errorf("dispatch %s: %w", c.Kind, err)
		}
		return r, r.err()
	}
}

// err turns a reply back into the error the leader had.
func (r reply) err() error {
	switch r.Code {
	case "":
		return nil
	case codeNotFound:
		return fmt.Errorf("%s: %w", r.Err, store.ErrNotFound)
	case codeNotYours:
		return ErrNotYourOffer
	case codeOfferGone:
		return ErrOfferGone
	case codeField:
		return &tenant.FieldError{Field: r.Field, Reason: r.Err}
	case codeConflict:
		return fmt.Errorf("%s: %w", r.Err, store.ErrConflict)
	case codeBusy:
		return ErrNoLeader
	}
	return errors.New(r.Err)
}

// replyOf turns the leader's error into a reply.
func replyOf(err error) reply {
	var fe *tenant.FieldError
	switch {
	case err == nil:
		return reply{}
	case errors.As(err, &fe):
		return reply{Code: codeField, Field: fe.Field, Err: fe.Reason}
	case errors.Is(err, store.ErrNotFound):
		return reply{Code: codeNotFound, Err: err.Error()}
	case errors.Is(err, ErrNotYourOffer):
		return reply{Code: codeNotYours}
	case errors.Is(err, ErrOfferGone):
		return reply{Code: codeOfferGone}
	case errors.Is(err, store.ErrConflict):
		return reply{Code: codeConflict, Err: err.Error()}
	}
	return reply{Code: codeInternal, Err: err.Error()}
}

func respond(m *nats.Msg, r reply) {
	data, _ := json.Marshal(r)
	respondParts(m, data)
}

// command runs one command on the leader and answers it.
func (l *leader) command(ctx context.Context, m *nats.Msg) {
	var c command
	if err := json.Unmarshal(m.Data, &c); err != nil {
		respond(m, reply{Code: codeInternal, Err: "undecodable command"})
		return
	}
	if c.late(time.Now()) {
		// Its sender has answered "no leader" or is about to: done now, it
		// would be done behind the caller's back (an accept answered 503,
		// then performed).
		respond(m, reply{Code: codeBusy, Err: "routing command came too late"})
		return
	}
	if c.TenantID == "" || c.TenantID != tenantOf(m.Subject) {
		respond(m, reply{Code: codeInternal, Err: "command for another tenant than its subject"})
		return
	}
	if ShardOf(c.TenantID, l.s.cfg.Shards) != l.shard {
		l.s.log.Error("routing command for a tenant of another shard: do the nodes count the same shards?",
			"tenant_id", c.TenantID, "shard", l.shard)
		respond(m, reply{Code: codeInternal, Err: "command sent to the wrong routing shard (nodes differ in their number of shards)"})
		return
	}
	_, loaded, ok := l.known(ctx, c.TenantID)
	if !ok {
		// Centers may share a NATS cluster: the leader of another database
		// stays silent about tenants it does not have (and, unable to read
		// SQL, lets the sender time out rather than answer wrongly).
		return
	}
	var r reply
	var err error
	switch c.Kind {
	case cmdAccept:
		err = l.accept(ctx, c)
	case cmdDecline:
		err = l.decline(ctx, c)
	case cmdWork:
		err = l.pickUpWork(ctx, c)
	case cmdReload:
		if !loaded { // known() has just read it
			err = l.reload(ctx, c.TenantID)
		}
	case cmdStats:
		r.Stats = l.stats(l.s.clock.Now(), l.tenant(c.TenantID))
	case cmdTransfer:
		err = l.transfer(ctx, c)
	case cmdAgents:
		r.Agents = l.agentLoads(l.tenant(c.TenantID))
	case cmdEnd:
		err = l.endWork(ctx, c)
	case cmdCriteria:
		err = l.setCriteria(ctx, c)
	case cmdStep:
		r.Criteria, err = l.criteriaView(l.tenant(c.TenantID), c.ConversationID)
	default:
		err = fmt.Errorf("unknown command %q", c.Kind)
	}
	if err != nil {
		r = replyOf(err)
		if r.Code == codeInternal {
			l.s.log.Error("dispatch command", "tenant_id", c.TenantID, "kind", c.Kind, "err", err)
		}
	}
	respond(m, r)
}
