package routing_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

// model is what the decisions say, kept by the test: every decision must be
// consistent with it.
type model struct {
	t        *rapid.T
	agents   map[string]routing.Agent
	modality map[string]routing.Modality // live work → modality
	offers   map[string][2]string        // offer id → work, agent
	offerOf  map[string]string           // work → open offer id
	assigned map[string]string           // work → agent
}

func (m *model) load(agent string, mod routing.Modality) int {
	n := 0
	for w, a := range m.assigned {
		if a == agent && m.modality[w] == mod {
			n++
		}
	}
	for _, o := range m.offers {
		if o[1] == agent && m.modality[o[0]] == mod {
			n++
		}
	}
	return n
}

func (m *model) apply(ds []routing.Decision) {
	t := m.t
	for _, d := range ds {
		switch d.Kind {
		case routing.Offer, routing.Assign:
			if d.Kind == routing.Assign && d.OfferID != "" {
				o, ok := m.offers[d.OfferID]
				if !ok || o[0] != d.WorkID || o[1] != d.AgentID {
					t.Fatalf("assign of an offer not open: %+v", d)
				}
				delete(m.offers, d.OfferID)
				delete(m.offerOf, d.WorkID)
				m.assigned[d.WorkID] = d.AgentID
				continue
			}
			if _, ok := m.modality[d.WorkID]; !ok {
				t.Fatalf("%s of unknown work: %+v", d.Kind, d)
			}
			if o, ok := m.offerOf[d.WorkID]; ok {
				t.Fatalf("work %s offered twice (open %s): %+v", d.WorkID, o, d)
			}
			if a, ok := m.assigned[d.WorkID]; ok {
				t.Fatalf("work %s already assigned to %s: %+v", d.WorkID, a, d)
			}
			mod := m.modality[d.WorkID]
			if n, c := m.load(d.AgentID, mod)+1, m.agents[d.AgentID].Capacity[mod]; n > c {
				t.Fatalf("agent %s would hold %d %s, capacity %d: %+v", d.AgentID, n, mod, c, d)
			}
			if d.Reason == "" {
				t.Fatalf("no reason: %+v", d)
			}
			if d.Kind == routing.Offer {
				m.offers[d.OfferID] = [2]string{d.WorkID, d.AgentID}
				m.offerOf[d.WorkID] = d.OfferID
			} else {
				m.assigned[d.WorkID] = d.AgentID
			}
		case routing.OfferExpired, routing.OfferWithdrawn:
			if _, ok := m.offers[d.OfferID]; !ok {
				t.Fatalf("%s of an offer not open: %+v", d.Kind, d)
			}
			delete(m.offers, d.OfferID)
			delete(m.offerOf, d.WorkID)
		case routing.Expired:
			if _, ok := m.offerOf[d.WorkID]; ok {
				t.Fatalf("expired while offered: %+v", d)
			}
			if _, ok := m.assigned[d.WorkID]; ok {
				t.Fatalf("expired while assigned: %+v", d)
			}
			delete(m.modality, d.WorkID)
		}
	}
}

var (
	agentIDs = []string{"a0", "a1", "a2", "a3"}
	queueIDs = []string{"q0", "q1", "q2"}
	skills   = []string{"billing", "french"}
	mods     = []routing.Modality{routing.Chat, routing.Email, routing.Voice}
)

func genAgent(t *rapid.T, id string) routing.Agent {
	a := routing.Agent{ID: id, Name: "Agent " + id, Skills: map[string]int{}, Capacity: map[routing.Modality]int{},
		Presence: routing.Presence{Name: "available", Routable: rapid.IntRange(0, 3).Draw(t, "routable") > 0}}
	for _, q := range queueIDs {
		if rapid.Bool().Draw(t, "member") {
			a.Queues = append(a.Queues, q)
		}
	}
	for _, s := range skills {
		a.Skills[s] = rapid.IntRange(0, 5).Draw(t, "level")
	}
	for _, m := range mods {
		a.Capacity[m] = rapid.IntRange(0, 2).Draw(t, "capacity")
	}
	if rapid.Bool().Draw(t, "blocks") {
		a.Blocks = map[routing.Modality][]routing.Modality{routing.Voice: {routing.Chat}}
	}
	a.WrapUp = time.Duration(rapid.IntRange(0, 2).Draw(t, "wrapup")) * 10 * time.Second
	return a
}

func genQueue(t *rapid.T, id string) routing.Queue {
	q := routing.Queue{ID: id, Name: "Queue " + id,
		Strategy:     rapid.SampledFrom([]routing.Strategy{routing.LongestIdle, routing.LeastOccupied, routing.SkillsBased}).Draw(t, "strategy"),
		Priority:     rapid.IntRange(0, 2).Draw(t, "qprio"),
		AutoAssign:   rapid.IntRange(0, 4).Draw(t, "auto") == 0,
		OfferTimeout: time.Duration(rapid.IntRange(0, 3).Draw(t, "timeout")) * 10 * time.Second}
	if rapid.Bool().Draw(t, "skilled") {
		q.Skills = []string{rapid.SampledFrom(skills).Draw(t, "skill")}
	}
	if rapid.IntRange(0, 3).Draw(t, "qcriteria") == 0 {
		q.Criteria = genCriteria(t)
	}
	if rapid.Bool().Draw(t, "overflow") {
		q.Overflow = []routing.Overflow{{After: time.Duration(rapid.IntRange(0, 6).Draw(t, "after")) * 10 * time.Second,
			To: rapid.SampledFrom(queueIDs).Draw(t, "to")}}
	}
	return q
}

// genCriteria makes one to three steps of skills at levels and named
// agents, the last one sometimes never expiring.
func genCriteria(t *rapid.T) *routing.Criteria {
	c := &routing.Criteria{}
	n := rapid.IntRange(1, 3).Draw(t, "nsteps")
	for i := range n {
		var s routing.CriteriaStep
		if rapid.Bool().Draw(t, "stepSkill") {
			s.Skills = map[string]int{rapid.SampledFrom(skills).Draw(t, "stepSkillName"): rapid.IntRange(1, 5).Draw(t, "stepLevel")}
		}
		if rapid.IntRange(0, 3).Draw(t, "stepAny") == 0 {
			s.AnyOf = []map[string]int{{"billing": rapid.IntRange(1, 5).Draw(t, "anyB")}, {"french": rapid.IntRange(1, 5).Draw(t, "anyF")}}
		}
		if rapid.IntRange(0, 2).Draw(t, "stepNamed") == 0 {
			s.Agents = rapid.SliceOfNDistinct(rapid.SampledFrom(agentIDs), 1, 3, rapid.ID[string]).Draw(t, "stepAgents")
		}
		if i < n-1 || rapid.Bool().Draw(t, "lastExpires") {
			s.Expiry = time.Duration(rapid.IntRange(1, 60).Draw(t, "expiry")) * time.Second
		}
		c.Steps = append(c.Steps, s)
	}
	return c
}

func genWork(t *rapid.T, now time.Time) routing.Work {
	w := routing.Work{ID: fmt.Sprintf("w%d", rapid.IntRange(0, 11).Draw(t, "work")),
		Kind:     rapid.SampledFrom([]routing.Kind{routing.Conversation, routing.Callback, routing.Escalation}).Draw(t, "kind"),
		QueueID:  rapid.SampledFrom(queueIDs).Draw(t, "queue"),
		Modality: rapid.SampledFrom(mods).Draw(t, "modality"),
		Priority: rapid.IntRange(0, 3).Draw(t, "priority"),
		Arrived:  now.Add(-time.Duration(rapid.IntRange(0, 120).Draw(t, "age")) * time.Second)}
	if rapid.Bool().Draw(t, "preferred") {
		w.Preferred = rapid.SampledFrom(agentIDs).Draw(t, "pref")
		w.PreferredFor = time.Duration(rapid.IntRange(0, 60).Draw(t, "prefFor")) * time.Second
	}
	if rapid.IntRange(0, 2).Draw(t, "criteria") == 0 {
		w.Criteria = genCriteria(t)
	}
	if w.Kind == routing.Callback {
		w.NotBefore = now.Add(time.Duration(rapid.IntRange(-60, 120).Draw(t, "nb")) * time.Second)
		if rapid.Bool().Draw(t, "window") {
			w.NotAfter = w.NotBefore.Add(time.Duration(rapid.IntRange(1, 300).Draw(t, "nl")) * time.Second)
		}
	}
	return w
}

func TestEngineProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := routing.New(routing.Options{AgeStep: time.Minute, MissedOffersAway: rapid.IntRange(1, 3).Draw(t, "away")})
		m := &model{t: t, agents: map[string]routing.Agent{}, modality: map[string]routing.Modality{},
			offers: map[string][2]string{}, offerOf: map[string]string{}, assigned: map[string]string{}}
		now := t0
		handle := func(ev routing.Event) error {
			ds, err := e.Handle(now, ev)
			if err != nil && !errors.Is(err, routing.ErrUnknownOffer) && !errors.Is(err, routing.ErrUnknownWork) {
				t.Fatalf("%T: %v", ev, err)
			}
			if w, ok := ev.(routing.WorkArrived); ok {
				if _, known := m.modality[w.Work.ID]; !known {
					m.modality[w.Work.ID] = w.Work.Modality
				}
			}
			m.apply(ds)
			if err := e.CheckInvariants(); err != nil {
				t.Fatalf("after %T %+v: %v", ev, ev, err)
			}
			if err := e.CheckViews(now); err != nil {
				t.Fatalf("after %T %+v: %v", ev, ev, err)
			}
			return err
		}
		openOffer := func() string {
			ids := []string{"bogus"}
			for id := range m.offers {
				ids = append(ids, id)
			}
			// map order is random: sort through rapid's choice of index
			sortStrings(ids)
			return rapid.SampledFrom(ids).Draw(t, "offer")
		}
		for range rapid.IntRange(1, 80).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(0, 40).Draw(t, "advance")) * time.Second)
			switch rapid.IntRange(0, 12).Draw(t, "event") {
			case 0, 1:
				handle(routing.WorkArrived{Work: genWork(t, now)})
			case 2:
				w := fmt.Sprintf("w%d", rapid.IntRange(0, 11).Draw(t, "work"))
				p := rapid.IntRange(0, 3).Draw(t, "priority")
				handle(routing.WorkChanged{WorkID: w, Priority: &p, QueueID: rapid.SampledFrom(append([]string{""}, queueIDs...)).Draw(t, "queue")})
			case 3:
				w := fmt.Sprintf("w%d", rapid.IntRange(0, 11).Draw(t, "work"))
				_, was := m.assigned[w]
				if was { // the agent's capacity frees before the decisions
					delete(m.assigned, w)
				}
				if err := handle(routing.WorkFinished{WorkID: w}); (err == nil) != was {
					t.Fatalf("finish %s: assigned %v, error %v", w, was, err)
				}
				if was {
					delete(m.modality, w)
				}
			case 4:
				w := fmt.Sprintf("w%d", rapid.IntRange(0, 11).Draw(t, "work"))
				_, live := m.modality[w]
				_, held := m.assigned[w]
				if err := handle(routing.WorkWithdrawn{WorkID: w}); (err == nil) != (live && !held) {
					t.Fatalf("withdraw %s: live %v assigned %v, error %v", w, live, held, err)
				}
				if live && !held {
					delete(m.modality, w)
				}
			case 5, 6:
				a := genAgent(t, rapid.SampledFrom(agentIDs).Draw(t, "agent"))
				m.agents[a.ID] = a
				handle(routing.AgentChanged{Agent: a})
			case 7:
				handle(routing.AgentRemoved{AgentID: rapid.SampledFrom(agentIDs).Draw(t, "agent")})
			case 8:
				q := rapid.SampledFrom(queueIDs).Draw(t, "queue")
				if rapid.IntRange(0, 3).Draw(t, "remove") == 0 {
					handle(routing.QueueRemoved{QueueID: q})
				} else {
					handle(routing.QueueChanged{Queue: genQueue(t, q)})
				}
			case 9:
				id := openOffer()
				_, open := m.offers[id]
				if err := handle(routing.OfferAccepted{OfferID: id}); (err == nil) != open {
					t.Fatalf("accept %s: open %v, error %v", id, open, err)
				}
			case 10:
				id := openOffer()
				o, open := m.offers[id]
				if open { // a decline decides nothing about the offer itself
					delete(m.offers, id)
					delete(m.offerOf, o[0])
				}
				if err := handle(routing.OfferDeclined{OfferID: id}); (err == nil) != open {
					t.Fatalf("decline %s: open %v, error %v", id, open, err)
				}
			case 11:
				handle(routing.Tick{})
			case 12:
				w := fmt.Sprintf("w%d", rapid.IntRange(0, 11).Draw(t, "work"))
				var c *routing.Criteria
				if rapid.Bool().Draw(t, "setCriteria") {
					c = genCriteria(t)
				}
				handle(routing.WorkCriteria{WorkID: w, Criteria: c})
			}
		}

		// Liveness: with every agent able and willing (and one who has
		// declined nothing), everything still live ends up assigned.
		for _, id := range append(agentIDs, "rescuer") {
			a := routing.Agent{ID: id, Name: id, Queues: queueIDs, Skills: map[string]int{"billing": 5, "french": 5},
				Capacity: map[routing.Modality]int{routing.Chat: 100, routing.Email: 100, routing.Voice: 100},
				Presence: routing.Presence{Name: "available", Routable: true}}
			m.agents[id] = a
			handle(routing.AgentChanged{Agent: a})
		}
		for _, q := range queueIDs {
			handle(routing.QueueChanged{Queue: routing.Queue{ID: q, Name: q, Strategy: routing.LongestIdle}})
		}
		for range 40 {
			// One offer at a time per agent: an accept may bring the next.
			for range 200 {
				if len(m.offers) == 0 {
					break
				}
				for id := range m.offers {
					handle(routing.OfferAccepted{OfferID: id})
					break
				}
			}
			now = now.Add(time.Minute)
			handle(routing.Tick{})
		}
		for w := range m.modality {
			if _, ok := m.assigned[w]; !ok {
				t.Fatalf("work %s never assigned (offer %q)", w, m.offerOf[w])
			}
		}
	})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
