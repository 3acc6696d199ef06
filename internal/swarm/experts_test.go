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

// TestRankExpertsAreaShare: learned expertise in the room's areas counts
// as a share of the most any candidate has there, at most two closest
// cases' worth, and its why names the area with its cases.
func TestRankExpertsAreaShare(t *testing.T) {
	last := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	area := func(name string, score float64, n int) swarm.Area {
		return swarm.Area{AreaRef: swarm.AreaRef{Kind: swarm.AreaQueue, Name: name}, Score: score, Cases: n, Resolved: n, Last: last}
	}
	cands := []swarm.Candidate{
		{UserID: "ann", Presence: "available", Areas: []swarm.Area{area("Cards", 4, 5)}},
		{UserID: "ben", Presence: "available", Areas: []swarm.Area{area("Cards", 2, 2)}},
		{UserID: "cat", Presence: "available"},
	}
	got := swarm.RankExperts(nil, cands, nil, 5)
	if !slices.Equal(ids(got), []string{"ann", "ben"}) || got[0].Score != 2 || got[1].Score != 1 {
		t.Fatalf("the most expert gains 2, the others their share: %+v", got)
	}
	w := got[0].Why[0]
	if w.Code != swarm.WhyExpertIn || w.Text != "expert in Cards — 5 cases" || w.Count != 5 || !w.Last.Equal(last) {
		t.Fatalf("why: %+v", w)
	}
	for _, x := range got {
		for _, r := range x.Why {
			if r.Code == swarm.WhyResolved {
				t.Fatalf("no similar case, no resolved line: %+v", x)
			}
		}
	}

	// Many matching areas still add at most the share: Dan's two areas
	// are the most, so they count 2, and Eve's one half of it.
	many := []swarm.Candidate{
		{UserID: "dan", Presence: "available", Areas: []swarm.Area{area("Cards", 3, 3), area("Loans", 3, 3)}},
		{UserID: "eve", Presence: "available", Areas: []swarm.Area{area("Cards", 3, 3)}},
	}
	if got := swarm.RankExperts(nil, many, nil, 5); got[0].UserID != "dan" || got[0].Score != 2 || got[1].Score != 1 || len(got[0].Why) != 3 {
		t.Fatalf("bounded over areas: %+v", got)
	}

	// A member of the room does not set the bar for the others.
	if got := swarm.RankExperts(nil, cands, map[string]bool{"ann": true}, 5); len(got) != 1 || got[0].UserID != "ben" || got[0].Score != 2 {
		t.Fatalf("member excluded from the share: %+v", got)
	}

	// Resolving the three closest cases outweighs the queue's most
	// expert with no similar case.
	ev := []swarm.Evidence{
		{ConversationID: "c1", Similarity: 5, ResolvedAt: last, ResolverID: "cat"},
		{ConversationID: "c2", Similarity: 5, ResolvedAt: last, ResolverID: "cat"},
		{ConversationID: "c3", Similarity: 5, ResolvedAt: last, ResolverID: "cat"},
	}
	got = swarm.RankExperts(ev, cands, nil, 5)
	if !slices.Equal(ids(got), []string{"cat", "ann", "ben"}) || got[0].Why[0].Text != "resolved 3 similar cases, last on 20 Nov" {
		t.Fatalf("similar cases first: %+v", got)
	}
}

// TestRankExpertsProfile: a candidate's profile (all their resolved cases
// as one document) adds its share of the best profile's similarity, at
// most a quarter of the closest case's worth, with a why that counts
// their cases; a member does not set the bar; a profile alone is enough
// to be suggested.
func TestRankExpertsProfile(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ev := []swarm.Evidence{
		{ConversationID: "c1", Similarity: 4, ResolvedAt: at, ResolverID: "ann"},
		{ConversationID: "c2", Similarity: 4, ResolvedAt: at, ResolverID: "ben"},
	}
	cands := []swarm.Candidate{
		{UserID: "ann", Presence: "available", Profile: 2, ProfileCases: 3},
		{UserID: "ben", Presence: "available", Profile: 8, ProfileCases: 40},
		{UserID: "cat", Presence: "available", Profile: 4, ProfileCases: 1},
		{UserID: "dan", Presence: "available"},
	}
	got := swarm.RankExperts(ev, cands, nil, 5)
	if !slices.Equal(ids(got), []string{"ben", "ann", "cat"}) {
		t.Fatalf("order: %v", ids(got))
	}
	if got[0].Score != 1.25 || got[1].Score != 1.0625 || got[2].Score != 0.125 {
		t.Fatalf("shares of the best profile, at most 0.25: %+v", got)
	}
	why := func(x swarm.Expert, code string) (swarm.Reason, bool) {
		for _, r := range x.Why {
			if r.Code == code {
				return r, true
			}
		}
		return swarm.Reason{}, false
	}
	if r, ok := why(got[0], swarm.WhyProfile); !ok || r.Count != 40 || r.Text != "the 40 cases they resolved share this conversation's words" {
		t.Fatalf("ben's why: %+v", got[0].Why)
	}
	if r, ok := why(got[2], swarm.WhyProfile); !ok || r.Text != "the 1 case they resolved share this conversation's words" {
		t.Fatalf("cat's why: %+v", got[2].Why)
	}
	if _, ok := why(got[2], swarm.WhyResolved); ok {
		t.Fatalf("cat resolved none of the similar cases: %+v", got[2].Why)
	}

	// Ben in the room: Cat's profile is the best of the others.
	got = swarm.RankExperts(ev, cands, map[string]bool{"ben": true}, 5)
	if !slices.Equal(ids(got), []string{"ann", "cat"}) || got[0].Score != 1.125 || got[1].Score != 0.25 {
		t.Fatalf("member excluded from the share: %+v", got)
	}

	// No similar case and no learned area: the profiles alone speak.
	got = swarm.RankExperts(nil, cands, nil, 5)
	if !slices.Equal(ids(got), []string{"ben", "cat", "ann"}) {
		t.Fatalf("profiles alone: %+v", got)
	}
}
