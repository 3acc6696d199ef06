package dispatch

import (
	"context"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"

	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// tenantConfig is one tenant's routing configuration as stored.
type tenantConfig struct {
	queues, calendars, policies, rules []store.ConfigRecord
	agents                             []store.AgentRouting
	states                             []store.PresenceState
}

// rebuild builds the engine of every tenant of the shard from SQL, reading
// only their rows: configuration, agents, active work and open offers,
// unrouted conversations, running SLA clocks. Events that arrive meanwhile
// wait in l.pending and are applied after it; they find the items they
// describe already known and change nothing twice.
func (l *leader) rebuild(ctx context.Context) error {
	db := l.s.db
	if err := l.listTenants(ctx); err != nil {
		return err
	}
	// The events heard since the shard was registered (l.floor: the last
	// seq then) are applied after the rebuild, as they always were: the
	// rows read here hold their state, but not what they mean to the SLA
	// clocks (an answer, a customer writing again). catchUp reads each
	// tenant's from the floor on, the ones the bus lost included.
	seqs := map[string]int64{}
	for _, id := range l.mine {
		if l.floor >= 0 {
			seqs[id] = l.floor
			continue
		}
		seq, err := db.LatestEventSeq(ctx, id) // no floor was read: from now on
		if err != nil {
			return err
		}
		seqs[id] = seq
	}
	defer func() {
		for id, ts := range l.tenants {
			ts.seq = max(ts.seq, seqs[id])
		}
	}()
	cfgs := map[string]*tenantConfig{}
	cfg := func(id string) *tenantConfig {
		if cfgs[id] == nil {
			cfgs[id] = &tenantConfig{}
		}
		return cfgs[id]
	}
	for _, k := range []store.ConfigKind{store.ConfigCalendars, store.ConfigSLAPolicies, store.ConfigRoutingRules, store.ConfigQueues} {
		recs, err := db.ConfigsAmong(ctx, k, l.mine)
		if err != nil {
			return err
		}
		for _, r := range recs {
			c := cfg(r.TenantID)
			switch k {
			case store.ConfigCalendars:
				c.calendars = append(c.calendars, r)
			case store.ConfigSLAPolicies:
				c.policies = append(c.policies, r)
			case store.ConfigRoutingRules:
				c.rules = append(c.rules, r)
			default:
				c.queues = append(c.queues, r)
			}
		}
	}
	agents, err := db.AgentRoutingAmong(ctx, l.mine)
	if err != nil {
		return err
	}
	for _, a := range agents {
		if cfgs[a.TenantID] != nil { // a tenant without queues does not route
			cfgs[a.TenantID].agents = append(cfgs[a.TenantID].agents, a)
		}
	}
	for id, c := range cfgs {
		if len(c.queues) == 0 {
			continue
		}
		if c.states, err = db.PresenceStates(ctx, id); err != nil {
			return err
		}
		l.applyConfig(ctx, l.tenant(id), c)
	}

	offers, err := db.OpenOffersAmong(ctx, l.mine)
	if err != nil {
		return err
	}
	open := map[string]store.OfferRecord{} // work id → its open offer
	for _, o := range offers {
		open[o.WorkID] = o
	}
	if err := l.restoreWork(ctx, open); err != nil {
		return err
	}

	clocks, err := db.SLAClocksToRestoreAmong(ctx, l.mine)
	if err != nil {
		return err
	}
	l.restoreClocks(clocks)
	if len(clocks) > 0 { // (no clock restored: no tracker to feed)
		if err := l.catchUpClocks(ctx); err != nil {
			return err
		}
	}
	if err := l.catchUpActivity(ctx); err != nil {
		return err
	}

	// Changes the last leader did not live to apply, then conversations
	// that arrived while no node led.
	if err := l.catchUpConversations(ctx); err != nil {
		return err
	}
	return l.routeUnrouted(ctx, l.mine)
}

// catchUpWindow is how far back a rebuild looks for messages the SLA
// clocks and the live chats' idle clocks have not counted. What it looks
// for is the last leader's backlog when it was killed — seconds of events,
// minutes at the very worst.
const catchUpWindow = 10 * time.Minute

// catchUpClocks gives the restored SLA clocks the messages they have not
// counted: those the last leader did not live to apply, whose events are
// before the shard's floor and never applied here. An agent's reply it
// missed left the first response running — the wall alarmed and the report
// counted a breach though the customer had been answered — and a
// customer's message it missed started no next-response clock. A message a
// clock counted started or ended it at the message's time, so the ones
// newer than every clock of their conversation are the ones missed
// (store.SLAMessagesPastClocksAmong); each is fed once, as slaHistory feeds
// a timeline, and its event, if it comes after the floor, is not fed again.
func (l *leader) catchUpClocks(ctx context.Context) error {
	return l.eachRecentMark(ctx, l.s.db.SLAMessagesPastClocksAmong, func(ts *tenantState, c conversation.Conversation, m store.MessageMark) {
		tr := ts.trackers[m.ConversationID]
		if tr == nil {
			return
		}
		if tr.historyTo == "" {
			tr.historyTo = "\x00" // from now on each message is fed once, in order
		}
		l.slaMessage(ctx, ts, c, m.Message())
	})
}

// eachRecentMark reads the shard's messages of the catch-up window with read
// and gives each of a tenant routing knows to fn, with its conversation's
// identity.
func (l *leader) eachRecentMark(ctx context.Context,
	read func(context.Context, []string, time.Time) ([]store.MessageMark, error),
	fn func(*tenantState, conversation.Conversation, store.MessageMark)) error {
	ms, err := read(ctx, l.mine, l.s.clock.Now().Add(-catchUpWindow))
	if err != nil {
		return err
	}
	for _, m := range ms {
		if ts := l.tenants[m.TenantID]; ts != nil {
			fn(ts, conversation.Conversation{ID: m.ConversationID, TenantID: m.TenantID}, m)
		}
	}
	return nil
}

// catchUpActivity stops the idle clock of a live chat whose customer wrote
// after its agent's last message, in a message the last leader did not live
// to apply: the chat was released as waiting on the customer though the
// customer had answered (store.CustomerMessagesToAssignedAmong). It reads
// nothing when no restored chat is waiting on its customer.
func (l *leader) catchUpActivity(ctx context.Context) error {
	quiet := func(it *item) bool {
		return it.Kind == routing.Conversation && it.state == stateAssigned && it.Live && !it.QuietSince.IsZero()
	}
	waiting := false
find:
	for _, ts := range l.tenants {
		for _, it := range ts.work {
			if quiet(it) {
				waiting = true
				break find
			}
		}
	}
	if !waiting {
		return nil
	}
	return l.eachRecentMark(ctx, l.s.db.CustomerMessagesToAssignedAmong, func(ts *tenantState, c conversation.Conversation, m store.MessageMark) {
		if slices.ContainsFunc(ts.byConv[c.ID], func(it *item) bool { return quiet(it) && m.CreatedAt.After(it.QuietSince) }) {
			l.activity(ctx, ts, c, m.Message())
		}
	})
}

// catchUpConversations brings the rebuilt work in step with the
// conversations as SQL has them now. The events up to the shard's floor
// are never applied here, and the leader before may have died before it
// applied the last of them: a conversation resolved then kept its assigned
// work — its agent's capacity held for good (the chaos test's agents ended
// up full of resolved conversations) — one taken by hand was still offered,
// one reopened never reached its agent's count. Each such conversation is
// taken as its event would have been (store.ConversationsOutOfStepAmong).
func (l *leader) catchUpConversations(ctx context.Context) error {
	var routed []string
	for _, id := range l.mine {
		if ts := l.tenants[id]; ts != nil && len(ts.queues) > 0 {
			routed = append(routed, id)
		}
	}
	convs, err := l.s.db.ConversationsOutOfStepAmong(ctx, routed)
	if err != nil {
		return err
	}
	for _, c := range convs {
		l.inStep(ctx, l.tenants[c.TenantID], c)
	}
	return nil
}

// inStep makes a conversation's work agree with the conversation as SQL
// has it: as conversationChanged does for an event, except that assigned
// work of an open conversation with no assignee is the crash between an
// assignment's two transactions, whose conversation is assigned to the
// work's agent, not routed again.
func (l *leader) inStep(ctx context.Context, ts *tenantState, c conversation.Conversation) {
	if c.Status == conversation.StatusOpen && c.AssigneeID == "" {
		for _, it := range ts.byConv[c.ID] {
			if it.Kind == routing.Conversation && it.state == stateAssigned {
				it.unwritten = true
			}
		}
	}
	l.conversationChanged(ctx, ts, c)
}

// routeUnrouted routes the open conversations of the tenants that have no
// agent and no active work — they arrived while no node led, or while their
// tenant had no queue for them — page by page. Tenants without queues
// leave theirs for people to assign.
func (l *leader) routeUnrouted(ctx context.Context, tenants []string) error {
	var after *conversation.Conversation
	for {
		convs, err := l.s.db.UnroutedConversationsAmong(ctx, tenants, after, 1000)
		if err != nil {
			return err
		}
		for _, c := range convs {
			if ts := l.tenants[c.TenantID]; ts != nil && len(ts.queues) > 0 {
				l.route(ctx, ts, c, "", 0) // its clocks count its timeline so far (slaStart)
			}
		}
		if len(convs) < 1000 {
			return nil
		}
		after = &convs[len(convs)-1]
	}
}

// restore gives the engine back one active item from SQL.
func (l *leader) restore(ctx context.Context, w store.WorkRecord, open map[string]store.OfferRecord) {
	r := decodeWork(w)
	if r.err != nil {
		l.s.log.Error("undecodable work item; skipped", "tenant_id", w.TenantID, "work_id", w.ID, "err", r.err)
		return
	}
	ts := l.restoreItem(ctx, r.tenantID, r.it, open)
	if it := r.it; ts != nil && it.state == stateAssigned && it.Kind == routing.Conversation {
		l.ensureAssigned(ctx, ts, it)
	}
}

// restoreItem gives the engine back one active item decoded by decodeWork
// and returns its tenant's state, nil if the item was not restored (known
// already, or no longer active). Whether the item agrees with its
// conversation is for the caller to see: the rebuild asks SQL once for
// every conversation out of step (catchUpConversations), not once an item.
func (l *leader) restoreItem(ctx context.Context, tenantID string, it *item, open map[string]store.OfferRecord) *tenantState {
	ts := l.tenants[tenantID]
	if ts == nil {
		ts = l.tenant(tenantID)
	}
	if _, ok := ts.work[it.ID]; ok {
		return nil
	}
	switch it.state {
	case stateWaiting, stateOffered, stateAssigned:
		ts.track(it)
	default:
		return nil
	}
	switch it.state {
	case stateWaiting:
		l.handle(ctx, ts, routing.WorkArrived{Work: it.Work})
	case stateAssigned:
		l.handle(ctx, ts, routing.Restored{Work: it.Work, AgentID: it.agent})
	case stateOffered:
		o, ok := open[it.ID]
		if !ok {
			// The offer was decided but the item not moved (a crash between two
			// transactions cannot cause this, but a hand edit can): route it again.
			it.state = stateWaiting
			l.handle(ctx, ts, routing.WorkArrived{Work: it.Work})
			return ts
		}
		it.offer = o.ID
		l.handle(ctx, ts, routing.Restored{Work: it.Work, AgentID: it.agent, Offer: o.ID, Expires: o.ExpiresAt})
	}
	return ts
}

// restoreClocks rebuilds SLA trackers from their stored clocks: the
// running ones, and the ended ones of conversations still open (see
// store.SLAClocksToRestoreAmong).
func (l *leader) restoreClocks(clocks []store.SLAClock) {
	for _, c := range clocks {
		ts := l.tenants[c.TenantID]
		if ts == nil {
			continue
		}
		tr := ts.trackers[c.ConversationID]
		if tr == nil {
			p, ok := ts.policies[c.PolicyID]
			if !ok {
				continue
			}
			// New clocks count in the hours of the queue the conversation
			// waits in now (its work was restored before its clocks).
			var cal *sla.Calendar
			for _, it := range ts.byConv[c.ConversationID] {
				cal = ts.calendarOf(ts.queues[it.QueueID])
				break
			}
			t, err := sla.NewTracker(p, cal)
			if err != nil {
				continue
			}
			t.Begun = true
			tr = &tracker{policyID: c.PolicyID, t: t}
			ts.trackers[c.ConversationID] = tr
		}
		clock := sla.Clock{Target: sla.Target(c.Target), State: sla.State(c.State),
			Started: c.Started, WarnAt: c.WarnAt, Due: c.Due, Done: c.Done, Breached: c.Breached, PausedAt: c.PausedAt}
		tr.t.Clocks = append(tr.t.Clocks, clock)
		if tr.stored == nil {
			tr.stored = map[sla.Target]store.SLAClock{}
		}
		tr.stored[sla.Target(c.Target)] = c // as SQL has it: not written again until it moves
		l.slaDue(ts, c.ConversationID, tr)
		if c.Target != string(sla.Resolution) && clock.Active() {
			tr.t.Waiting = true // a response is awaited
		}
	}
}

// applyConfig makes a tenant's engine match its stored configuration.
func (l *leader) applyConfig(ctx context.Context, ts *tenantState, c *tenantConfig) {
	ts.calendars, ts.policies, ts.states = map[string]sla.Calendar{}, map[string]sla.Policy{}, map[string]bool{}
	for _, r := range c.calendars {
		if cal, err := calendarOf(r); err == nil {
			ts.calendars[r.ID] = cal.Calendar
		}
	}
	for _, r := range c.policies {
		if p, err := policyOf(r); err == nil {
			ts.policies[r.ID] = p.Policy
		}
	}
	for _, st := range c.states {
		ts.states[st.Name] = st.Routable
	}
	ts.rules = nil
	for _, r := range c.rules {
		rc, err := ruleOf(r)
		if err != nil {
			l.s.log.Error("undecodable routing rule; skipped", "tenant_id", ts.id, "rule_id", r.ID, "err", err)
			continue
		}
		ts.rules = append(ts.rules, rc)
	}
	sortRules(ts.rules)
	old := ts.queues
	ts.queues = map[string]QueueConfig{}
	for _, r := range c.queues {
		q, err := queueOf(r)
		if err != nil {
			l.s.log.Error("undecodable queue; skipped", "tenant_id", ts.id, "queue_id", r.ID, "err", err)
			continue
		}
		ts.queues[q.ID] = q
		l.handle(ctx, ts, routing.QueueChanged{Queue: q.routingQueue(ts.calendars)})
	}
	for id := range old {
		if _, ok := ts.queues[id]; !ok {
			l.handle(ctx, ts, routing.QueueRemoved{QueueID: id})
		}
	}
	seen := map[string]bool{}
	for _, a := range c.agents {
		p, err := profileOf(a)
		if err != nil {
			l.s.log.Error("undecodable agent profile; defaults used", "tenant_id", ts.id, "user_id", a.UserID, "err", err)
			p = defaultProfile(a.UserID, a.Role)
		}
		seen[a.UserID] = true
		ts.agents[a.UserID] = true
		l.handle(ctx, ts, routing.AgentChanged{Agent: routingAgent(a, p, ts.queues, ts.states)})
	}
	for id := range ts.agents {
		if !seen[id] {
			delete(ts.agents, id)
			l.handle(ctx, ts, routing.AgentRemoved{AgentID: id})
		}
	}
}

// reload re-reads one tenant's configuration (a command after an admin
// change) and routes the conversations it left unrouted: a new queue takes
// those waiting for one, as a rebuild would.
func (l *leader) reload(ctx context.Context, tenantID string) error {
	db := l.s.db
	c := &tenantConfig{}
	var err error
	if c.queues, err = db.Configs(ctx, store.ConfigQueues, tenantID); err != nil {
		return err
	}
	if c.calendars, err = db.Configs(ctx, store.ConfigCalendars, tenantID); err != nil {
		return err
	}
	if c.policies, err = db.Configs(ctx, store.ConfigSLAPolicies, tenantID); err != nil {
		return err
	}
	if c.rules, err = db.Configs(ctx, store.ConfigRoutingRules, tenantID); err != nil {
		return err
	}
	if c.states, err = db.PresenceStates(ctx, tenantID); err != nil {
		return err
	}
	if c.agents, err = l.tenantAgents(ctx, tenantID); err != nil {
		return err
	}
	l.applyConfig(ctx, l.tenant(tenantID), c)
	return l.routeUnrouted(ctx, []string{tenantID})
}

// tenantAgents lists a tenant's routable users.
func (l *leader) tenantAgents(ctx context.Context, tenantID string) ([]store.AgentRouting, error) {
	return l.s.db.AgentRoutingAmong(ctx, []string{tenantID})
}

// listTenants finds the shard's tenants, whose rows the rebuild reads.
// Tenants made later are the shard's as their events and commands come.
func (l *leader) listTenants(ctx context.Context) error {
	all, err := l.s.db.TenantIDs(ctx)
	if err != nil {
		return err
	}
	l.mine = l.mine[:0]
	for _, id := range all {
		if ShardOf(id, l.s.cfg.Shards) == l.shard {
			l.mine = append(l.mine, id)
		}
	}
	return nil
}

// track records an active item in the tenant's indexes.
func (ts *tenantState) track(it *item) {
	ts.work[it.ID] = it
	if it.ConversationID != "" {
		ts.byConv[it.ConversationID] = append(ts.byConv[it.ConversationID], it)
	}
}

// untrack forgets an item that is no longer active. The conversation's list
// is replaced, not changed in place, so a loop over it that untracks as it
// goes still sees every item it started with.
func (ts *tenantState) untrack(it *item) {
	delete(ts.work, it.ID)
	list := ts.byConv[it.ConversationID]
	if !slices.Contains(list, it) {
		return
	}
	rest := make([]*item, 0, len(list)-1)
	for _, x := range list {
		if x != it {
			rest = append(rest, x)
		}
	}
	if len(rest) == 0 {
		delete(ts.byConv, it.ConversationID)
		return
	}
	ts.byConv[it.ConversationID] = rest
}
