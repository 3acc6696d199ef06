package bench

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
)

// HINT3 (testdata/hint3/README.md): three companies' customer-service bots
// (Curekart, an online health store; Powerplay11, a fantasy-sports app;
// SOFMattress, a mattress maker), each its own tenant: the articles and
// past cases are the bot's training sentences, the test queries are what
// real users wrote to the live bot.
var kbHINT3Bots = []string{"curekart", "powerplay11", "sofmattress"}

// BenchmarkKnowledgeSuggestHINT3 prints, on each bot's test queries and on
// all three pooled (every query counts once), BM25's and our suggestion's
// recall and MRR in the same run (kb_hint3_*), and how many out-of-scope
// queries each leaves without a suggestion. The weights are
// suggest.DefaultWeights, chosen on Banking77's validation split.
//
//	go test -run '^$' -bench 'BenchmarkKnowledgeSuggestHINT3$' -benchtime 1x ./bench/
func BenchmarkKnowledgeSuggestHINT3(b *testing.B) {
	type bot struct {
		kb        *kbBench
		test, oos []kbQuestion
		bm25      kbScores   // sums, not means
		padded    [2]float64 // sums of paddedRecall10's expectations: BM25, ours
		ours      kbScores
		oosBM25   kbScores
		oosOurs   kbScores
	}
	var bots []*bot
	for _, name := range kbHINT3Bots {
		set := "hint3/" + name
		bots = append(bots, &bot{kb: newKBBench(b, set, 1), test: readKB[kbQuestion](b, set, "test.jsonl.gz"),
			oos: readKB[kbQuestion](b, set, "oos_test.jsonl.gz")})
	}
	for b.Loop() {
		for _, t := range bots {
			n, o := len(t.test), len(t.oos)
			run := t.kb.search(b, t.test)
			bm25, ours := t.kb.evaluate(run, suggest.DefaultWeights)
			t.padded = [2]float64{t.kb.paddedRecall10(run, nil) * float64(n), t.kb.paddedRecall10(run, &suggest.DefaultWeights) * float64(n)}
			oosBM25, oosOurs := t.kb.evaluate(t.kb.search(b, t.oos), suggest.DefaultWeights)
			t.bm25, t.ours, t.oosBM25, t.oosOurs = bm25.times(n), ours.times(n), oosBM25.times(o), oosOurs.times(o)
		}
	}
	var bm25, ours, oosBM25, oosOurs kbScores
	var n, o int
	var padded [2]float64
	for i, t := range bots {
		p := "kb_hint3_" + kbHINT3Bots[i] + "_"
		Report(p+"bm25_recall_at_10", t.bm25.Recall10/float64(len(t.test)), "ratio")
		Report(p+"suggest_recall_at_10", t.ours.Recall10/float64(len(t.test)), "ratio")
		Report(p+"suggest_recall_vs_bm25", t.ours.Recall10/t.bm25.Recall10, "x")
		Report(p+"test_questions", float64(len(t.test)), "questions")
		bm25, ours, oosBM25, oosOurs = bm25.plus(t.bm25), ours.plus(t.ours), oosBM25.plus(t.oosBM25), oosOurs.plus(t.oosOurs)
		n, o, padded = n+len(t.test), o+len(t.oos), [2]float64{padded[0] + t.padded[0], padded[1] + t.padded[1]}
	}
	bm25, ours, oosBM25, oosOurs = bm25.mean(n), ours.mean(n), oosBM25.mean(o), oosOurs.mean(o)
	p := "kb_hint3_"
	Report(p+"bm25_recall_at_10", bm25.Recall10, "ratio")
	Report(p+"bm25_mrr", bm25.MRR, "ratio")
	Report(p+"suggest_recall_at_10", ours.Recall10, "ratio")
	Report(p+"suggest_mrr", ours.MRR, "ratio")
	Report(p+"suggest_recall_vs_bm25", ours.Recall10/bm25.Recall10, "x")
	Report(p+"ceiling_vs_bm25", 1/bm25.Recall10, "x")
	Report(p+"bm25_padded_recall_at_10", padded[0]/float64(n), "ratio")
	Report(p+"suggest_padded_recall_at_10", padded[1]/float64(n), "ratio")
	Report(p+"suggest_recall_vs_bm25_padded", padded[1]/padded[0], "x")
	Report(p+"bm25_recall_at_3", bm25.Recall3, "ratio")
	Report(p+"suggest_recall_at_3", ours.Recall3, "ratio")
	Report(p+"suggest_recall_at_3_vs_bm25", ours.Recall3/bm25.Recall3, "x")
	Report(p+"suggest_silent", ours.Silent, "ratio")
	Report(p+"oos_bm25_silent", oosBM25.Silent, "ratio")
	Report(p+"oos_suggest_silent", oosOurs.Silent, "ratio")
	Report(p+"test_questions", float64(n), "questions")
	Report(p+"oos_test_questions", float64(o), "questions")
}

// paddedRecall10 is recall@10 if a list shorter than ten (BM25 returns only
// articles sharing a word with the question; the suggestion leaves out
// articles without evidence) were filled with other articles at random: the
// expectation over a run, for BM25 alone (w nil) or the suggestion with w.
// In a small knowledge base it is a fairer comparison than the lists as
// they are.
func (b *kbBench) paddedRecall10(run kbRun, w *suggest.Weights) float64 {
	n := float64(len(b.articles))
	var sum float64
	for i, q := range run.qs {
		var ranked []string
		if w == nil {
			for _, h := range run.hits[i] {
				ranked = append(ranked, h.ArticleID)
			}
		} else {
			for _, s := range suggest.Rank(suggest.Input{Text: q.Text, Hits: run.hits[i], Cases: b.cases}, *w) {
				ranked = append(ranked, s.ArticleID)
			}
		}
		top := ranked[:min(10, len(ranked))]
		if slices.Contains(top, q.Article) {
			sum++
		} else if k := float64(len(top)); k < 10 {
			sum += (10 - k) / (n - k)
		}
	}
	return sum / float64(len(run.qs))
}

// times turns means over n questions back into sums, to pool splits.
func (s kbScores) times(n int) kbScores {
	f := float64(n)
	return kbScores{Recall10: s.Recall10 * f, Recall3: s.Recall3 * f, MRR: s.MRR * f, Silent: s.Silent * f}
}

func (s kbScores) plus(t kbScores) kbScores {
	return kbScores{Recall10: s.Recall10 + t.Recall10, Recall3: s.Recall3 + t.Recall3, MRR: s.MRR + t.MRR, Silent: s.Silent + t.Silent}
}

// TestKnowledgeSuggestHINT3Data checks the committed HINT3 copies against
// their README: the row counts, every past case, validation and test query
// belonging to an article of its bot, no out-of-scope query with an
// article, and how many test queries are word for word (ignoring case) a
// training sentence of the bot: real users who typed a menu button's words.
func TestKnowledgeSuggestHINT3Data(t *testing.T) {
	want := map[string][6]int{ // articles, cases, validation, test, out of scope, test seen in training
		"curekart":    {28, 465, 50, 459, 532, 8},
		"powerplay11": {57, 285, 35, 309, 674, 0},
		"sofmattress": {21, 242, 23, 253, 144, 0},
	}
	for _, bot := range kbHINT3Bots {
		set := "hint3/" + bot
		arts := readKB[kbArticle](t, set, "articles.jsonl.gz")
		known := map[string]bool{}
		seen := map[string]bool{}
		for _, a := range arts {
			if len(a.Questions) == 0 || len(a.Questions) > 3 || a.Title == "" || known[a.ExternalID] {
				t.Fatalf("%s: article %+v: want a new id, a title and one to three sentences", bot, a)
			}
			known[a.ExternalID] = true
			for _, q := range a.Questions {
				seen[strings.ToLower(q)] = true
			}
		}
		got := [6]int{len(arts)}
		for i, name := range []string{"cases.jsonl.gz", "validation.jsonl.gz", "test.jsonl.gz", "oos_test.jsonl.gz"} {
			qs := readKB[kbQuestion](t, set, name)
			got[i+1] = len(qs)
			for _, q := range qs {
				if q.Text == "" || known[q.Article] == (name == "oos_test.jsonl.gz") {
					t.Fatalf("%s %s: %+v: no text, or an article where none (or no article where one) is due", bot, name, q)
				}
				switch name {
				case "test.jsonl.gz":
					if seen[strings.ToLower(q.Text)] {
						got[5]++
					}
				case "cases.jsonl.gz", "validation.jsonl.gz":
					seen[strings.ToLower(q.Text)] = true
				}
			}
		}
		if got != want[bot] {
			t.Errorf("%s: articles, cases, validation, test, out of scope, test seen in training: %v, want %v (README)", bot, got, want[bot])
		}
	}
}
