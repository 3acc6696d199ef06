package swarm_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

func ids(xs []swarm.Expert) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x.UserID)
	}
	return out
}

func TestRankExperts(t *testing.T) {
	dec := func(d int) time.Time { return time.Date(2026, 12, d, 9, 0, 0, 0, time.UTC) }
	ev := []swarm.Evidence{
		{ConversationID: "c1", Similarity: 8, ResolvedAt: dec(1), ResolverID: "ann", NoteAuthors: []string{"ben", "ben"}, Linkers: []string{"ann"}},
		{ConversationID: "c2", Similarity: 6, ResolvedAt: dec(2), ResolverID: "ann", Linkers: []string{"cat"}},
		{ConversationID: "c3", Similarity: 2, ResolvedAt: dec(3), ResolverID: "ben", Helpers: []string{"dan"}},
		{ConversationID: "c4", Similarity: 4, ResolvedAt: dec(4), ResolverID: "gone"},
		{ConversationID: "c5", Similarity: 4, ResolvedAt: dec(5), ResolverID: "me"},
	}
	avail := func(u string) swarm.Candidate { return swarm.Candidate{UserID: u, Presence: "available"} }
	tests := []struct {
		name  string
		cands []swarm.Candidate
		k     int
		want  []string
	}{
		{"evidence decides among equals", []swarm.Candidate{avail("ann"), avail("ben"), avail("cat"), avail("me")}, 10, []string{"ann", "ben", "cat"}},
		{"k cuts", []swarm.Candidate{avail("ann"), avail("ben"), avail("cat")}, 1, []string{"ann"}},
		{"offline and loaded sink", []swarm.Candidate{{UserID: "ann", Presence: "offline", Load: 10}, avail("ben"), avail("cat")}, 10, []string{"ben", "cat", "ann"}},
		{"non-candidates are left out", []swarm.Candidate{avail("cat")}, 10, []string{"cat"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := swarm.RankExperts(ev, tc.cands, map[string]bool{"me": true}, tc.k)
			if !slices.Equal(ids(got), tc.want) {
				t.Fatalf("got %v, want %v", ids(got), tc.want)
			}
		})
	}
	got := swarm.RankExperts(ev, []swarm.Candidate{avail("ann"), {UserID: "ben", Presence: "away", Load: 2}}, nil, 10)
	ann, ben := got[0], got[1]
	if ann.Resolved != 2 || ann.Linked != 1 || ann.Why[0].Text != "resolved 2 similar cases, last on 2 Dec" || ann.Why[1].Code != swarm.WhyLinked {
		t.Fatalf("ann: %+v", ann)
	}
	if ben.Noted != 1 || ben.Resolved != 1 || ben.Why[1].Text != "wrote notes on 1 similar case" || ben.Why[len(ben.Why)-1].Code != swarm.WhyLoad || ben.Presence != "away" {
		t.Fatalf("ben (a note written twice counts once): %+v", ben)
	}
	if got := swarm.RankExperts(ev, []swarm.Candidate{avail("dan")}, nil, 5); len(got) != 1 || got[0].Helped != 1 || got[0].Why[0].Code != swarm.WhyHelped {
		t.Fatalf("a room helper: %+v", got)
	}
	if swarm.RankExperts(nil, []swarm.Candidate{avail("ann")}, nil, 5) != nil {
		t.Fatal("no evidence, no experts")
	}
}

func TestRankExpertsAgesEvidence(t *testing.T) {
	avail := func(u string) swarm.Candidate { return swarm.Candidate{UserID: u, Presence: "available"} }
	cands := []swarm.Candidate{avail("amy"), avail("zoe")}
	year := func(y int) time.Time { return time.Date(y, 12, 1, 9, 0, 0, 0, time.UTC) }
	// Amy resolved a slightly closer case two years before Zoe resolved hers:
	// two half-lives make Amy's count a quarter.
	ev := []swarm.Evidence{
		{ConversationID: "c1", Similarity: 6, ResolvedAt: year(2024), ResolverID: "amy"},
		{ConversationID: "c2", Similarity: 5, ResolvedAt: year(2026), ResolverID: "zoe"},
	}
	if got := ids(swarm.RankExperts(ev, cands, nil, 2)); !slices.Equal(got, []string{"zoe", "amy"}) {
		t.Fatalf("recent evidence first: got %v", got)
	}
	ev[0].ResolvedAt, ev[1].ResolvedAt = time.Time{}, time.Time{}
	if got := ids(swarm.RankExperts(ev, cands, nil, 2)); !slices.Equal(got, []string{"amy", "zoe"}) {
		t.Fatalf("undated evidence is not aged: got %v", got)
	}
}
