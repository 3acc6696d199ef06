package rooms_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
)

func TestNearestCases(t *testing.T) {
	m := func(conv string, score float64) suggest.Match {
		return suggest.Match{Case: suggest.Case{ConversationID: conv}, Score: score}
	}
	matches := []suggest.Match{m("room", 9), m("", 8), m("c1", 7), m("c1", 6), m("c2", 5)}
	for i := range rooms.Neighbours + 5 {
		matches = append(matches, m("x"+string(rune('a'+i%26))+string(rune('a'+i/26)), 1))
	}
	got, sim := rooms.NearestCases(matches, "room")
	if len(got) != rooms.Neighbours || got[0] != "c1" || got[1] != "c2" || sim["c1"] != 7 || sim["c2"] != 5 {
		t.Fatalf("own, imported and repeated cases are skipped, at most Neighbours kept: %d %v %v", len(got), got[:2], sim["c1"])
	}
	if _, ok := sim["room"]; ok {
		t.Fatal("the room's own conversation is no evidence")
	}
}

// TestFindingRank: the rooms' deciding, as the service and the benchmark
// run it: areas are learned from the signals at Now, only the room's
// count, and every why is true of the person.
func TestFindingRank(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	cards := []swarm.AreaRef{{Kind: swarm.AreaQueue, Name: "Cards"}}
	loans := []swarm.AreaRef{{Kind: swarm.AreaQueue, Name: "Loans"}}
	sig := func(u, conv string, areas []swarm.AreaRef, daysAgo int) swarm.Signal {
		return swarm.Signal{UserID: u, ConversationID: conv, Kind: swarm.WhyResolved, Areas: areas, At: now.AddDate(0, 0, -daysAgo)}
	}
	avail := func(u string) swarm.Candidate { return swarm.Candidate{UserID: u, Presence: "available"} }
	f := rooms.Finding{
		Evidence: []swarm.Evidence{
			{ConversationID: "c9", ResolvedAt: now.AddDate(0, 0, -3), ResolverID: "ben"},
			{ConversationID: "c8", ResolvedAt: now.AddDate(0, 0, -3), ResolverID: "dan"},
		},
		Similarity: map[string]float64{"c9": 5, "c8": 5},
		RoomAreas:  cards,
		Signals: []swarm.Signal{
			sig("ann", "c1", cards, 10), sig("ann", "c2", cards, 20),
			sig("ben", "c9", loans, 3),
			sig("cat", "c4", cards, 400), // four and a half half-lives: too little to be expertise
		},
		Candidates: []swarm.Candidate{avail("ann"), avail("ben"), avail("cat"), avail("dan")},
		Members:    map[string]bool{"dan": true},
		Now:        now,
	}
	got := f.Rank()
	var who []string
	for _, x := range got {
		who = append(who, x.UserID)
	}
	if !slices.Equal(who, []string{"ann", "ben"}) {
		t.Fatalf("got %v, want ann (expert in the room's queue) then ben (one similar case)", who)
	}
	if w := got[0].Why[0]; w.Code != swarm.WhyExpertIn || w.Text != "expert in Cards — 2 cases" || got[0].Resolved != 0 {
		t.Fatalf("ann: %+v", got[0])
	}
	for _, r := range got[1].Why {
		if r.Code == swarm.WhyExpertIn {
			t.Fatalf("ben works Loans, not the room's Cards: %+v", got[1])
		}
	}
	if got[1].Why[0].Text != "resolved 1 similar case, last on 3 Dec" {
		t.Fatalf("ben: %+v", got[1].Why)
	}
	if f.Candidates[0].Areas != nil || f.Evidence[0].Similarity != 0 {
		t.Fatal("Rank changed what it was given")
	}
	f.RoomAreas = nil
	if got := f.Rank(); len(got) != 1 || got[0].UserID != "ben" {
		t.Fatalf("a room about nothing known learns no areas: %+v", got)
	}
}

// TestFindingRankProfiles: the resolvers' profiles the index found reach
// the candidates they name (not others, not people who are no
// candidates), and only the candidates' copies.
func TestFindingRankProfiles(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	avail := func(u string) swarm.Candidate { return swarm.Candidate{UserID: u, Presence: "available"} }
	f := rooms.Finding{
		Evidence:   []swarm.Evidence{{ConversationID: "c1", ResolvedAt: now.AddDate(0, 0, -3), ResolverID: "ann"}},
		Similarity: map[string]float64{"c1": 3},
		Profiles: []suggest.Profile{
			{ResolverID: "gone", Score: 9, Cases: 50}, // deactivated: no candidate
			{ResolverID: "ben", Score: 6, Cases: 12},
			{ResolverID: "ann", Score: 3, Cases: 2},
		},
		Candidates: []swarm.Candidate{avail("ann"), avail("ben"), avail("cat")},
		Now:        now,
	}
	got := f.Rank()
	if len(got) != 2 || got[0].UserID != "ann" || got[1].UserID != "ben" {
		t.Fatalf("got %+v, want ann (the similar case and half the best profile) then ben (the best profile)", got)
	}
	if got[0].Score != 1.125 || got[1].Score != 0.25 {
		t.Fatalf("scores: ann %v ben %v; the best profile among candidates is ben's, not gone's", got[0].Score, got[1].Score)
	}
	var why string
	for _, r := range got[1].Why {
		if r.Code == swarm.WhyProfile {
			why = r.Text
		}
	}
	if why != "the 12 cases they resolved share this conversation's words" {
		t.Fatalf("ben's why: %+v", got[1].Why)
	}
	if f.Candidates[1].Profile != 0 {
		t.Fatal("Rank changed the candidates it was given")
	}
}
