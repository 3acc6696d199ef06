package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
)

type ptuneProfile struct {
	tf     map[string]float64
	length float64
}

func ptuneProfiles(t *expertTenant, half time.Duration) (map[string]*ptuneProfile, map[string]float64, float64) {
	var newest time.Time
	for _, h := range t.history {
		if h.Resolved.After(newest) {
			newest = h.Resolved
		}
	}
	ps := map[string]*ptuneProfile{}
	for _, h := range t.history {
		w := 1.0
		if half > 0 {
			w = math.Pow(0.5, float64(newest.Sub(h.Resolved))/float64(half))
		}
		p := ps[h.Resolver]
		if p == nil {
			p = &ptuneProfile{tf: map[string]float64{}}
			ps[h.Resolver] = p
		}
		for _, term := range suggest.Terms(h.Text) {
			p.tf[term] += w
			p.length += w
		}
	}
	df := map[string]float64{}
	total := 0.0
	for _, p := range ps {
		for term := range p.tf {
			df[term]++
		}
		total += p.length
	}
	return ps, df, total / float64(len(ps))
}

type ptunePost struct {
	u  string
	tf float64
}

type ptuneModel struct {
	post   map[string][]ptunePost
	length map[string]float64
	df     map[string]float64
	cf     map[string]float64
	total  float64
	avg    float64
	n      float64
}

func ptuneBuild(t *expertTenant, half time.Duration) *ptuneModel {
	ps, df, avg := ptuneProfiles(t, half)
	m := &ptuneModel{post: map[string][]ptunePost{}, length: map[string]float64{}, df: df, cf: map[string]float64{}, avg: avg, n: float64(len(ps))}
	for u, p := range ps {
		m.length[u] = p.length
		m.total += p.length
		for term, tf := range p.tf {
			m.post[term] = append(m.post[term], ptunePost{u, tf})
			m.cf[term] += tf
		}
	}
	return m
}

func (m *ptuneModel) bm25(terms []string) map[string]float64 {
	out := map[string]float64{}
	for _, term := range terms {
		d := m.df[term]
		if d == 0 {
			continue
		}
		idf := math.Log(1 + (m.n-d+0.5)/(d+0.5))
		for _, p := range m.post[term] {
			norm := 1.2 * (1 - 0.75 + 0.75*m.length[p.u]/m.avg)
			out[p.u] += idf * p.tf * 2.2 / (p.tf + norm)
		}
	}
	return out
}

func uniqTerms(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range suggest.Terms(text) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

type ptuneComp2 struct {
	s    map[string]float64
	f    map[string]map[string]float64
	want string
}

// BenchmarkExpertFindingProfileTune is the exploration behind the
// candidates' profiles (ADR 0037, second amendment), on the validation
// split only: the ranking's scores over everyone (as rooms.Finding.Rank
// gives them, without the profiles), resolvers' profiles by BM25 (their
// cases unaged, or aged by half per 90 or 365 days) and people's recent
// activity, alone and fused. A reimplementation with knobs for the record;
// the headline never uses it:
//
//	go test -run '^$' -bench 'BenchmarkExpertFindingProfileTune$' -benchtime 1x -v ./bench/
func BenchmarkExpertFindingProfileTune(b *testing.B) {
	cases := readExpertCases(b)
	tenants := expertTenants(cases, "validation")
	day := 24 * time.Hour
	var comps []ptuneComp2
	for _, t := range tenants {
		var newest time.Time
		for _, h := range t.history {
			if h.Resolved.After(newest) {
				newest = h.Resolved
			}
		}
		acts := map[string]map[string]float64{}
		for _, hl := range []int{90, 180, 365} {
			a := map[string]float64{}
			for _, h := range t.history {
				a[h.Resolver] += math.Pow(0.5, float64(newest.Sub(h.Resolved))/float64(time.Duration(hl)*day))
			}
			acts[fmtf("act%d", hl)] = a
		}
		models := map[string]*ptuneModel{}
		for _, hl := range []int{90, 365, 0} {
			models[fmtf("%d", hl)] = ptuneBuild(t, time.Duration(hl)*day)
		}
		for _, c := range t.eval {
			now := c.Created
			if n := len(t.signals); n > 0 && t.signals[n-1].At.After(now) {
				now = t.signals[n-1].At
			}
			ids, sim := rooms.NearestCases(t.index.Similar(c.Text, rooms.SimilarAsked), c.Key)
			var ev []swarm.Evidence
			for _, id := range ids {
				h := t.history[id]
				ev = append(ev, swarm.Evidence{ConversationID: id, ResolvedAt: h.Resolved, ResolverID: h.Resolver, Similarity: sim[id]})
			}
			cands := slices.Clone(t.candidates)
			if ra := queueAreas(c.Queue); len(ra) > 0 {
				from := now.Add(-rooms.LearnFrom)
				i, _ := slices.BinarySearchFunc(t.signals, from, func(s swarm.Signal, at time.Time) int { return s.At.Compare(at) })
				learned := swarm.LearnExpertise(t.signals[i:], now)
				for k := range cands {
					cands[k].Areas = swarm.Matching(learned[cands[k].UserID], ra)
				}
			}
			sc := ptuneComp2{s: map[string]float64{}, f: map[string]map[string]float64{}, want: c.Resolver}
			for _, x := range swarm.RankExperts(ev, cands, nil, 100000) {
				sc.s[x.UserID] = x.Score
			}
			terms := uniqTerms(c.Text)
			for k, v := range acts {
				sc.f[k] = v
			}
			for name, m := range models {
				sc.f["bm25_"+name] = m.bm25(terms)
			}
			comps = append(comps, sc)
		}
	}
	norm := func(m map[string]float64) map[string]float64 {
		best := 0.0
		for _, v := range m {
			best = max(best, v)
		}
		out := map[string]float64{}
		for u, v := range m {
			if best > 0 {
				out[u] = v / best
			}
		}
		return out
	}
	eval := func(name string, f func(sc ptuneComp2) map[string]float64) {
		var s expertScores
		for _, sc := range comps {
			m := f(sc)
			out := make([]string, 0, len(m))
			for u := range m {
				out = append(out, u)
			}
			slices.SortFunc(out, func(a, b string) int {
				if m[a] != m[b] {
					if m[a] > m[b] {
						return -1
					}
					return 1
				}
				return compareKeys(a, b)
			})
			s.add(out[:min(len(out), 10)], sc.want)
		}
		s = s.mean()
		b.Logf("%-40s p@3 %.4f p@1 %.4f MRR %.4f", name, s.P3, s.P1, s.MRR)
	}
	b.ResetTimer()
	eval("current", func(sc ptuneComp2) map[string]float64 { return sc.s })
	var names []string
	for k := range comps[0].f {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		eval(k, func(sc ptuneComp2) map[string]float64 { return sc.f[k] })
	}
	for _, k := range names {
		if !strings.HasPrefix(k, "bm25") && !strings.HasPrefix(k, "act") {
			continue
		}
		for _, w := range []float64{0.25, 0.5, 0.75, 1} {
			eval(fmtf("s + %g*%s", w, k), func(sc ptuneComp2) map[string]float64 {
				out := map[string]float64{}
				for u, v := range norm(sc.s) {
					out[u] += v
				}
				for u, v := range norm(sc.f[k]) {
					out[u] += w * v
				}
				return out
			})
		}
	}
	for _, k := range []string{"act90", "act180", "act365"} {
		for _, e := range []float64{0.25, 0.5, 1} {
			eval(fmtf("s * %s^%g", k, e), func(sc ptuneComp2) map[string]float64 {
				out := map[string]float64{}
				a := norm(sc.f[k])
				for u, v := range sc.s {
					out[u] = v * math.Pow(a[u]+1e-3, e)
				}
				return out
			})
		}
	}
}

func fmtf(f string, a ...any) string { return fmt.Sprintf(f, a...) }
