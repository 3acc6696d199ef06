// Package rollup folds a tenant's event stream into the aggregates that
// reports read (ADR 0051): counters and duration histograms per UTC hour and
// per dimension (all, channel, queue, agent, team, tag), and one fact row per
// conversation for drill-down. The fold is pure — events in, deltas and
// changed state out — and a Runner applies it to the database, each batch of
// events in one transaction with the tenant's cursor, so an event applied
// twice counts once and a crash mid-batch leaves nothing half-counted.
package rollup

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// CSATAnswered is the event a customer's satisfaction answer raises; the
// CSAT engine defines it as event.CSATAnswered.
const CSATAnswered = event.CSATAnswered

// The metrics. Durations are observed in histograms and in counters whose
// Total is milliseconds; counts have Total 0 unless said.
const (
	Conversations = "conversations"     // Sub: channel; at creation
	Queued        = "queued"            // Sub: channel; when a conversation first enters a queue
	FirstResponse = "first_response"    // created → first agent reply
	Wait          = "wait"              // created → first assignment (an answer)
	Handle        = "handle"            // first assignment → first resolution
	Resolution    = "resolution"        // created → first resolution
	Resolved      = "resolved"          // first resolutions
	FCR           = "fcr"               // first resolutions never reopened
	SLABreached   = "resolved_breached" // first resolutions after an SLA breach
	Abandoned     = "abandoned"         // ended or expired before any agent took or answered it
	Presence      = "presence"          // Sub: presence state; Total: milliseconds in it
	CSAT          = "csat"              // Sub: rating 1–5; Total: the rating

	// Notices (dims all and notice type; Sub: the channel). Sent counts each
	// channel a notice went out on; the others each notice once.
	NoticeSent      = "notice_sent"
	NoticeDelivered = "notice_delivered"
	NoticeRead      = "notice_read"
	NoticeReplied   = "notice_replied"
	NoticeFailed    = "notice_failed"
	NoticeOptOut    = "notice_opt_out" // a revocation; Sub: the channel it names, if any
	// ResponseHour counts notices read or answered (dims all and segment;
	// Sub: the customer's local hour, "00"–"23").
	ResponseHour = "notice_response_hour"

	// Knowledge. KBLinked counts first resolutions of conversations with an
	// article linked (in the resolution's cells, as FCR); KBLinks counts
	// links of articles to conversations (dims all and article; Sub: kind).
	KBLinked = "kb_linked"
	KBLinks  = "kb_links"
)

// The dimensions every aggregate is kept by; DimAll has the empty value.
const (
	DimAll     = "all"
	DimChannel = "channel"
	DimQueue   = "queue"
	DimAgent   = "agent"
	DimTeam    = "team"
	DimTag     = "tag"
	// Dimensions of notices and knowledge only.
	DimNoticeType = "notice_type"
	DimSegment    = "segment"
	DimArticle    = "article"
)

// Key names one aggregate cell: one metric in one UTC hour or day for one
// value of one dimension. Every figure is counted in both grains: reports
// read whole days from day cells and the edges of a range (a time zone's
// midnight) from hour cells.
type Key struct {
	Grain  string // Hourly or Daily
	Hour   int64  // Unix seconds the cell begins
	Dim    string
	Val    string
	Metric string
	Sub    string
}

// The grains.
const (
	Hourly = "h"
	Daily  = "d"
)

// Sum is a counter cell: how many, and their total.
type Sum struct{ N, Total int64 }

// DimVal is one dimension's value.
type DimVal struct{ Dim, Val string }

// Conv is what the fold remembers of one conversation: its fact row.
type Conv struct {
	ID            string    `json:"id"`
	Created       time.Time `json:"created,omitzero"`
	Channel       string    `json:"channel"`
	Team          string    `json:"team,omitempty"`
	Tags          []string  `json:"tags,omitempty"`
	QueueID       string    `json:"queue_id,omitempty"`
	AgentID       string    `json:"agent_id,omitempty"`
	Status        string    `json:"status,omitempty"`
	FirstResponse time.Time `json:"first_response,omitzero"`
	FirstAssigned time.Time `json:"first_assigned,omitzero"`
	Resolved      time.Time `json:"resolved,omitzero"` // the first resolution
	ResolvedDims  []DimVal  `json:"resolved_dims,omitempty"`
	Reopened      bool      `json:"reopened,omitempty"`
	Breached      bool      `json:"breached,omitempty"`
	Abandoned     bool      `json:"abandoned,omitempty"`
	CSAT          int       `json:"csat,omitempty"`
	Counted       bool      `json:"counted,omitempty"` // its creation was counted
	// Links are the articles linked to it now; LinkCounted says its first
	// resolution counts in KBLinked.
	Links       map[string]Link `json:"links,omitempty"`
	LinkCounted bool            `json:"link_counted,omitempty"`
}

// Link is an article's link to a conversation: its kind and when it counted.
type Link struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
}

// Agent is what the fold remembers of one agent: the presence since when.
type Agent struct {
	ID       string    `json:"id"`
	Presence string    `json:"presence"`
	Since    time.Time `json:"since"`
}

// Folder folds events into deltas. Load the state of the conversations and
// agents a batch names into Convs and Agents (missing ones are new), Apply
// the batch in seq order, then persist Counters, Hists and the states named
// in Dirty.
type Folder struct {
	Convs       map[string]*Conv
	Agents      map[string]*Agent
	Counters    map[Key]Sum
	Hists       map[Key]Hist
	DirtyConvs  map[string]bool
	DirtyAgents map[string]bool
}

// NewFolder returns an empty folder.
func NewFolder() *Folder {
	return &Folder{Convs: map[string]*Conv{}, Agents: map[string]*Agent{}, Counters: map[Key]Sum{},
		Hists: map[Key]Hist{}, DirtyConvs: map[string]bool{}, DirtyAgents: map[string]bool{}}
}

// Reset forgets the deltas and dirty marks, keeping the states.
func (f *Folder) Reset() {
	clear(f.Counters)
	clear(f.Hists)
	clear(f.DirtyConvs)
	clear(f.DirtyAgents)
}

// Refs names the conversations and agents an event touches, so a runner can
// load their state before applying it.
func Refs(ev event.Event) (convID, agentID string) {
	var p payload
	if json.Unmarshal(ev.Data, &p) != nil {
		return "", ""
	}
	switch ev.Type {
	case event.ConversationCreated, event.ConversationUpdated:
		return p.ID, ""
	case event.MessageCreated:
		return p.Conversation.ID, ""
	case event.AgentPresenceChanged:
		return "", p.UserID
	}
	return p.ConversationID, ""
}

// payload is the union of the fields the fold reads from the events it counts.
type payload struct {
	// conversation.created / conversation.updated: the conversation.
	ID         string   `json:"id"`
	Status     string   `json:"status"`
	AssigneeID string   `json:"assignee_id"`
	Team       string   `json:"team"`
	Channel    string   `json:"channel"`
	Tags       []string `json:"tags"`
	// message.created
	Message struct {
		Kind       string `json:"kind"`
		Direction  string `json:"direction"`
		AuthorType string `json:"author_type"`
		AuthorID   string `json:"author_id"`
	} `json:"message"`
	Conversation struct {
		ID         string    `json:"id"`
		Status     string    `json:"status"`
		AssigneeID string    `json:"assignee_id"`
		Team       string    `json:"team"`
		Channel    string    `json:"channel"`
		Tags       []string  `json:"tags"`
		CreatedAt  time.Time `json:"created_at"`
	} `json:"conversation"`
	// routing.*, sla.*, csat.answered
	ConversationID string `json:"conversation_id"`
	QueueID        string `json:"queue_id"`
	AgentID        string `json:"agent_id"`
	Rating         int    `json:"rating"`
	// agent.presence_changed
	UserID   string `json:"user_id"`
	Presence string `json:"presence"`
	// notice.status, notice.responded, notice.opted_out
	Type      string `json:"type"`
	How       string `json:"how"`
	Segment   string `json:"segment"`
	LocalHour *int   `json:"local_hour"`
	// knowledge.linked, knowledge.unlinked
	ArticleID string `json:"article_id"`
	Kind      string `json:"kind"`
}

// Apply folds one event. Events it does not count, and malformed ones, are
// skipped: a report never stops for one bad event.
func (f *Folder) Apply(ev event.Event) {
	var p payload
	if json.Unmarshal(ev.Data, &p) != nil {
		return
	}
	at := ev.At
	switch ev.Type {
	case event.ConversationCreated:
		c := f.conv(p.ID)
		if c == nil || c.Counted {
			return
		}
		c.Counted, c.Created, c.Channel, c.Team, c.Tags, c.Status = true, at, p.Channel, p.Team, p.Tags, p.Status
		f.count(at, f.dims(c, "", ""), Conversations, c.Channel, 1, 0)
		f.DirtyConvs[c.ID] = true
	case event.ConversationUpdated:
		c := f.conv(p.ID)
		if c == nil {
			return
		}
		f.seen(c, p.Channel, p.Team, p.Tags)
		if p.AssigneeID != "" {
			f.assigned(c, c.QueueID, p.AssigneeID, at)
		}
		f.status(c, p.Status, at)
	case event.MessageCreated:
		c := f.conv(p.Conversation.ID)
		if c == nil {
			return
		}
		if c.Created.IsZero() && !p.Conversation.CreatedAt.IsZero() {
			c.Created = p.Conversation.CreatedAt // began before the history the rollups saw
		}
		f.seen(c, p.Conversation.Channel, p.Conversation.Team, p.Conversation.Tags)
		m := p.Message
		if m.Kind == "message" && m.Direction == "out" && m.AuthorType == "user" && c.FirstResponse.IsZero() {
			c.FirstResponse = at
			if !c.Created.IsZero() {
				f.observe(at, f.dims(c, c.QueueID, m.AuthorID), FirstResponse, at.Sub(c.Created))
			}
		}
		f.status(c, p.Conversation.Status, at)
		f.DirtyConvs[c.ID] = true
	case event.RoutingOffered, event.RoutingAssigned, event.RoutingOverflowed, event.RoutingExpired:
		c := f.conv(p.ConversationID)
		if c == nil {
			return
		}
		if p.QueueID != "" && p.QueueID != c.QueueID {
			if c.QueueID == "" {
				f.count(at, f.dims(c, p.QueueID, ""), Queued, c.Channel, 1, 0)
			}
			c.QueueID = p.QueueID
			f.DirtyConvs[c.ID] = true
		}
		switch ev.Type {
		case event.RoutingAssigned:
			f.assigned(c, p.QueueID, p.AgentID, at)
		case event.RoutingExpired:
			f.abandon(c, at)
		}
	case event.SLABreached:
		if c := f.conv(p.ConversationID); c != nil && !c.Breached {
			c.Breached = true
			f.DirtyConvs[c.ID] = true
		}
	case event.AgentPresenceChanged:
		f.presence(p.UserID, p.Presence, at)
	case CSATAnswered:
		c := f.conv(p.ConversationID)
		if c == nil || c.CSAT != 0 || p.Rating < 1 || p.Rating > 5 {
			return
		}
		c.CSAT = p.Rating
		if c.Channel == "" {
			c.Channel = p.Channel
		}
		dims := f.dims(c, p.QueueID, p.AgentID)
		if p.Channel != "" && p.Channel != c.Channel { // the channel the survey was answered on
			dims = slices.DeleteFunc(dims, func(d DimVal) bool { return d.Dim == DimChannel })
			dims = append(dims, DimVal{DimChannel, p.Channel})
		}
		f.count(at, dims, CSAT, string(rune('0'+p.Rating)), 1, int64(p.Rating))
		f.DirtyConvs[c.ID] = true
	case event.NoticeStatus, event.NoticeResponded, event.NoticeOptedOut:
		f.notice(ev.Type, p, at)
	case event.KnowledgeLinked:
		f.link(f.conv(p.ConversationID), p.ArticleID, p.Kind, at)
	case event.KnowledgeUnlinked:
		f.unlink(f.conv(p.ConversationID), p.ArticleID)
	}
}

// conv is the state of conversation id, new when unseen; nil for no id.
func (f *Folder) conv(id string) *Conv {
	if id == "" {
		return nil
	}
	c := f.Convs[id]
	if c == nil {
		c = &Conv{ID: id}
		f.Convs[id] = c
	}
	return c
}

// seen keeps what the conversation says of itself now.
func (f *Folder) seen(c *Conv, channel, team string, tags []string) {
	if c.Channel == "" && channel != "" {
		c.Channel = channel
	}
	if team != c.Team || !slices.Equal(tags, c.Tags) {
		c.Team, c.Tags = team, slices.Clone(tags)
	}
	f.DirtyConvs[c.ID] = true
}

// assigned notes an agent taking the conversation; the first time is its answer.
func (f *Folder) assigned(c *Conv, queueID, agentID string, at time.Time) {
	if agentID != "" {
		c.AgentID = agentID
	}
	if c.FirstAssigned.IsZero() {
		c.FirstAssigned = at
		if !c.Created.IsZero() {
			f.observe(at, f.dims(c, queueID, agentID), Wait, at.Sub(c.Created))
		}
	}
	f.DirtyConvs[c.ID] = true
}

// answered tells whether an agent took or answered the conversation.
func (c *Conv) answered() bool { return !c.FirstAssigned.IsZero() || !c.FirstResponse.IsZero() }

func (f *Folder) abandon(c *Conv, at time.Time) {
	if c.Abandoned || c.answered() {
		return
	}
	c.Abandoned = true
	f.count(at, f.dims(c, c.QueueID, ""), Abandoned, "", 1, 0)
	f.DirtyConvs[c.ID] = true
}

// status follows the conversation's status: its first resolution is counted,
// and a reopening after it takes back its first-contact resolution.
func (f *Folder) status(c *Conv, status string, at time.Time) {
	if status == "" || status == c.Status {
		return
	}
	prev := c.Status
	c.Status = status
	f.DirtyConvs[c.ID] = true
	switch {
	case status == "resolved" && c.Resolved.IsZero():
		c.Resolved = at
		f.abandon(c, at)
		dims := f.dims(c, c.QueueID, c.AgentID)
		c.ResolvedDims = dims
		f.count(at, dims, Resolved, "", 1, 0)
		f.count(at, dims, FCR, "", 1, 0)
		if len(c.Links) > 0 {
			c.LinkCounted = true
			f.count(at, dims, KBLinked, "", 1, 0)
		}
		if c.Breached {
			f.count(at, dims, SLABreached, "", 1, 0)
		}
		if !c.Created.IsZero() {
			f.observe(at, dims, Resolution, at.Sub(c.Created))
		}
		if !c.FirstAssigned.IsZero() {
			f.observe(at, dims, Handle, at.Sub(c.FirstAssigned))
		}
	case prev == "resolved" && !c.Reopened && !c.Resolved.IsZero():
		c.Reopened = true
		f.count(c.Resolved, c.ResolvedDims, FCR, "", -1, 0)
	}
}

// presence closes the agent's time in its last state and opens the next.
func (f *Folder) presence(userID, presence string, at time.Time) {
	if userID == "" || presence == "" {
		return
	}
	a := f.Agents[userID]
	if a == nil {
		a = &Agent{ID: userID}
		f.Agents[userID] = a
	}
	if a.Presence != "" && at.After(a.Since) {
		dims := []DimVal{{DimAll, ""}, {DimAgent, userID}}
		for from := a.Since; from.Before(at); {
			end := from.Truncate(time.Hour).Add(time.Hour)
			if end.After(at) {
				end = at
			}
			f.count(from, dims, Presence, a.Presence, 0, end.Sub(from).Milliseconds())
			from = end
		}
	}
	if at.Before(a.Since) {
		return // an older change, out of order: the newer one stands
	}
	a.Presence, a.Since = presence, at
	f.DirtyAgents[userID] = true
}

// dims lists the cells a conversation's figure counts in.
func (f *Folder) dims(c *Conv, queueID, agentID string) []DimVal {
	d := []DimVal{{DimAll, ""}}
	if c.Channel != "" {
		d = append(d, DimVal{DimChannel, c.Channel})
	}
	if queueID != "" {
		d = append(d, DimVal{DimQueue, queueID})
	}
	if agentID != "" {
		d = append(d, DimVal{DimAgent, agentID})
	}
	if c.Team != "" {
		d = append(d, DimVal{DimTeam, c.Team})
	}
	for _, t := range slices.Compact(slices.Sorted(slices.Values(c.Tags))) {
		d = append(d, DimVal{DimTag, t})
	}
	return d
}

// cells are the starts of the hour and the UTC day at holds.
func cells(at time.Time) [2]struct {
	grain string
	start int64
} {
	t := at.UTC()
	return [2]struct {
		grain string
		start int64
	}{{Hourly, t.Truncate(time.Hour).Unix()}, {Daily, t.Truncate(24 * time.Hour).Unix()}}
}

func (f *Folder) count(at time.Time, dims []DimVal, metric, sub string, n, total int64) {
	for _, c := range cells(at) {
		for _, d := range dims {
			k := Key{Grain: c.grain, Hour: c.start, Dim: d.Dim, Val: d.Val, Metric: metric, Sub: sub}
			s := f.Counters[k]
			s.N += n
			s.Total += total
			f.Counters[k] = s
		}
	}
}

func (f *Folder) observe(at time.Time, dims []DimVal, metric string, d time.Duration) {
	d = max(d, 0)
	f.count(at, dims, metric, "", 1, d.Milliseconds())
	for _, c := range cells(at) {
		for _, dv := range dims {
			k := Key{Grain: c.grain, Hour: c.start, Dim: dv.Dim, Val: dv.Val, Metric: metric}
			hist := f.Hists[k]
			if hist == nil {
				hist = Hist{}
				f.Hists[k] = hist
			}
			hist.Add(d.Seconds())
		}
	}
}
