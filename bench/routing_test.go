package bench

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

// routingState is one tenant at the target size, with the work in
// flight tracked so the mix can finish, accept and decline real items.
type routingState struct {
	e        *routing.Engine
	now      time.Time
	rng      *rand.Rand
	agents   []routing.Agent
	queues   []string
	offers   []string // open offer ids
	assigned []string // assigned work ids
	next     int
	// criteria, when set, gives a share of the work its own routing
	// criteria (skills steps, named agents, personal queues).
	criteria bool
}

func (s *routingState) handle(ev routing.Event) []routing.Decision {
	ds, err := s.e.Handle(s.now, ev)
	if err != nil {
		panic(fmt.Sprintf("%T: %v", ev, err))
	}
	for _, d := range ds {
		switch d.Kind {
		case routing.Offer:
			s.offers = append(s.offers, d.OfferID)
		case routing.Assign:
			s.assigned = append(s.assigned, d.WorkID)
		}
	}
	return ds
}

// take removes and returns a random element.
func take(rng *rand.Rand, s *[]string) string {
	i := rng.IntN(len(*s))
	v := (*s)[i]
	(*s)[i] = (*s)[len(*s)-1]
	*s = (*s)[:len(*s)-1]
	return v
}

func (s *routingState) work(age time.Duration) routing.Work {
	s.next++
	mods := []routing.Modality{routing.Chat, routing.Chat, routing.Email, routing.Message, routing.Voice}
	qi := s.rng.IntN(len(s.queues))
	w := routing.Work{ID: "w" + strconv.Itoa(s.next), Kind: routing.Conversation,
		QueueID:  s.queues[qi],
		Modality: mods[s.rng.IntN(len(mods))], Priority: s.rng.IntN(4), Arrived: s.now.Add(-age)}
	if s.criteria {
		skill := "skill" + strconv.Itoa(qi%50)
		agentID := func() string { return s.agents[s.rng.IntN(len(s.agents))].ID }
		switch r := s.rng.IntN(100); {
		case r < 20: // skills narrowing to broad, with two preferred agents between
			w.Criteria = &routing.Criteria{Steps: []routing.CriteriaStep{
				{Skills: map[string]int{skill: 4, "skill" + strconv.Itoa((qi+1)%50): 2}, Expiry: 20 * time.Second},
				{Agents: []string{agentID(), agentID()}, Expiry: 30 * time.Second},
				{Skills: map[string]int{skill: 1}}}}
		case r < 25: // a personal queue, falling back after a minute
			w.Criteria = &routing.Criteria{Steps: []routing.CriteriaStep{{Agents: []string{agentID()}, Expiry: time.Minute}}}
		}
	}
	return w
}

func newRoutingState(agents, queues, waiting int, criteria bool) *routingState {
	s := &routingState{e: routing.New(routing.Options{}), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		rng: rand.New(rand.NewPCG(1, 2)), criteria: criteria}
	strategies := []routing.Strategy{routing.LongestIdle, routing.LeastOccupied, routing.SkillsBased}
	for i := range queues {
		id := "q" + strconv.Itoa(i)
		s.queues = append(s.queues, id)
		s.handle(routing.QueueChanged{Queue: routing.Queue{ID: id, Name: "Queue " + strconv.Itoa(i),
			Skills: []string{"skill" + strconv.Itoa(i%50)}, Strategy: strategies[i%3], Priority: i % 2}})
	}
	for i := range agents {
		a := routing.Agent{ID: "a" + strconv.Itoa(i), Name: "Agent " + strconv.Itoa(i), Skills: map[string]int{},
			Capacity: map[routing.Modality]int{routing.Chat: 3, routing.Email: 5, routing.Message: 5, routing.Voice: 1},
			Presence: routing.Presence{Name: "offline"}}
		for range 3 + s.rng.IntN(3) {
			q := s.rng.IntN(queues)
			a.Queues = append(a.Queues, s.queues[q])
			a.Skills["skill"+strconv.Itoa(q%50)] = 1 + s.rng.IntN(5)
		}
		s.agents = append(s.agents, a)
		s.handle(routing.AgentChanged{Agent: a})
	}
	// A fifth of the agents come online and fill up; the rest stay offline,
	// so the work piles up in the queues.
	for i := range agents / 5 {
		s.agents[i].Presence = routing.Presence{Name: "available", Routable: true}
		s.handle(routing.AgentChanged{Agent: s.agents[i]})
	}
	total := func() int {
		n := 0
		for _, q := range s.queues {
			n += s.e.Waiting(q)
		}
		return n
	}
	for total() < waiting {
		for range min(1000, waiting-total()) {
			s.handle(routing.WorkArrived{Work: s.work(time.Duration(s.rng.IntN(3600)) * time.Second)})
		}
		for len(s.offers) > 0 {
			s.handle(routing.OfferAccepted{OfferID: take(s.rng, &s.offers)})
		}
	}
	return s
}

// BenchmarkRouting drives one tenant of 10,000 agents in 500 queues with
// 100,000 items waiting through a mix of events, one Handle call at a time,
// timing each: work arriving (30%), finishing (20%), offers accepted (20%)
// and declined (5%), presence changes (10%) and ticks (15%), the clock
// moving 10 ms per event. It reports decisions (each offer, assignment,
// expiry, …) per second of engine time and the time per decision — a call's
// time shared by the decisions it made — and, beside them, the time per
// Handle call that decided anything, whose tail is the calls that decide
// many things at once.
func BenchmarkRouting(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	routingMix(b, []*routingState{newRoutingState(10_000, 500, 100_000, false)}, "")
}

// BenchmarkRouting500k is the same mix at the published limits of the large
// centers: 15,000 agents, 5,000 queues and 500,000 items waiting in one
// tenant, a quarter of the work bringing its own routing criteria (a fifth
// with three steps — two skills at levels, two named agents, one skill at
// any level — and a twentieth a personal queue falling back after a
// minute). Its figures carry the suffix _500k.
func BenchmarkRouting500k(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	routingMix(b, []*routingState{newRoutingState(15_000, 5_000, 500_000, true)}, "_500k")
}

// BenchmarkRoutingTenants is many tenants on one node: the same mix over
// 1,000 tenants of 15 agents, 5 queues and about 500 waiting items each (the
// agents, queues and items of BenchmarkRouting500k, spread out), each event
// for a tenant drawn at random. Its figures carry the suffix _1000t.
func BenchmarkRoutingTenants(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	states := make([]*routingState, 1_000)
	for i := range states {
		states[i] = newRoutingState(15, 5, 500, true)
	}
	routingMix(b, states, "_1000t")
}

func routingMix(b *testing.B, states []*routingState, suffix string) {
	waiting := 0
	for _, s := range states {
		for _, q := range s.queues {
			waiting += s.e.Waiting(q)
		}
	}
	s := states[0]
	pick := rand.New(rand.NewPCG(3, 4)) // the tenant of each event, when there are several
	now := s.now
	const events = 200_000
	var deciding, decisions int
	var spent, decidingSpent time.Duration
	lat := make([]time.Duration, 0, events)
	byKind := map[string][]time.Duration{}
	byKindCPU := map[string][]time.Duration{}
	var sizes []int // decisions per deciding call
	// perDecision has one sample per decision: its call's time shared by the
	// decisions that call made (a presence change that re-routes 14 offers
	// made 14 decisions in one call).
	perDecision := make([]time.Duration, 0, events)
	// The same per decision in the thread's CPU time: what the engine
	// spent, without the time other processes held the CPU (the machine
	// these figures come from is shared), the collector's assists included.
	cpuPerDecision := make([]time.Duration, 0, events)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for range b.N {
		for range events {
			if len(states) > 1 {
				s = states[pick.IntN(len(states))]
			}
			now = now.Add(10 * time.Millisecond)
			s.now = now
			var ev routing.Event
			switch r := s.rng.IntN(100); {
			case r < 30:
				ev = routing.WorkArrived{Work: s.work(0)}
			case r < 50 && len(s.assigned) > 0:
				ev = routing.WorkFinished{WorkID: take(s.rng, &s.assigned)}
			case r < 70 && len(s.offers) > 0:
				ev = routing.OfferAccepted{OfferID: take(s.rng, &s.offers)}
			case r < 75 && len(s.offers) > 0:
				ev = routing.OfferDeclined{OfferID: take(s.rng, &s.offers)}
			case r < 85:
				i := s.rng.IntN(len(s.agents))
				a := &s.agents[i]
				if a.Presence.Routable {
					a.Presence = routing.Presence{Name: "break"}
				} else {
					a.Presence = routing.Presence{Name: "available", Routable: true}
				}
				ev = routing.AgentChanged{Agent: *a}
			default:
				ev = routing.Tick{}
			}
			cpu0 := threadCPU()
			start := time.Now()
			ds, err := s.e.Handle(s.now, ev)
			d := time.Since(start)
			cpu := threadCPU() - cpu0
			if err != nil {
				// an offer may have expired or been withdrawn meanwhile
				continue
			}
			spent += d
			if len(ds) > 0 {
				deciding++
				decisions += len(ds)
				decidingSpent += d
				lat = append(lat, d)
				sizes = append(sizes, len(ds))
				for range ds {
					perDecision = append(perDecision, d/time.Duration(len(ds)))
					cpuPerDecision = append(cpuPerDecision, cpu/time.Duration(len(ds)))
				}
				k := fmt.Sprintf("%T", ev)[len("routing."):]
				byKind[k] = append(byKind[k], d)
				byKindCPU[k] = append(byKindCPU[k], cpu)
			}
			for _, x := range ds {
				switch x.Kind {
				case routing.Offer:
					s.offers = append(s.offers, x.OfferID)
				case routing.Assign:
					s.assigned = append(s.assigned, x.WorkID)
				}
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(perDecision)
	slices.Sort(cpuPerDecision)
	at := func(l []time.Duration, p float64) float64 {
		return float64(l[int(p*float64(len(l)-1))].Nanoseconds()) / 1000
	}
	fmt.Printf("BENCH routing_waiting_at_start%s %d items\n", suffix, waiting)
	fmt.Printf("BENCH routing_decisions_per_s%s %.0f decisions/s\n", suffix, float64(decisions)/spent.Seconds())
	fmt.Printf("BENCH routing_decision_p50_us%s %.1f us\n", suffix, at(perDecision, 0.50))
	fmt.Printf("BENCH routing_decision_p99_us%s %.1f us\n", suffix, at(perDecision, 0.99))
	fmt.Printf("BENCH routing_decision_cpu_p50_us%s %.1f us\n", suffix, at(cpuPerDecision, 0.50))
	fmt.Printf("BENCH routing_decision_cpu_p99_us%s %.1f us\n", suffix, at(cpuPerDecision, 0.99))
	fmt.Printf("BENCH routing_handle_calls_per_s%s %.0f calls/s\n", suffix, float64(events*b.N)/spent.Seconds())
	fmt.Printf("BENCH routing_deciding_calls_per_s%s %.0f calls/s\n", suffix, float64(deciding)/decidingSpent.Seconds())
	fmt.Printf("BENCH routing_call_p50_us%s %.1f us\n", suffix, at(lat, 0.50))
	fmt.Printf("BENCH routing_call_p99_us%s %.1f us\n", suffix, at(lat, 0.99))
	slices.Sort(sizes)
	fmt.Printf("BENCH routing_decisions_per_call_p99%s %d decisions\n", suffix, sizes[int(0.99*float64(len(sizes)-1))])
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		l := byKind[k]
		slices.Sort(l)
		c := byKindCPU[k]
		slices.Sort(c)
		fmt.Printf("BENCH routing_p99_us_%s%s %.1f us (%d calls that decided; CPU p99 %.1f us)\n", k, suffix, at(l, 0.99), len(l), at(c, 0.99))
	}
}
