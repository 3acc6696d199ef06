package bench

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
)

// The knowledge-suggestion quality benchmark (issue 13): real customer
// questions with known right answers (Banking77, see testdata/kb/README.md;
// CLINC150, see testdata/clinc150/README.md), ranked by BM25 text match
// alone and by our suggestion (text match blended with the votes of similar
// past cases), in the same run, on the test split that tuning never looked
// at.

// The data sets, each a folder of testdata in the same shape.
const (
	kbBanking = "kb"
	kbClinc   = "clinc150"
)

type kbArticle struct {
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Questions  []string `json:"questions"`
}

type kbQuestion struct {
	Text    string `json:"text"`
	Article string `json:"article"`
}

func readKB[T any](tb testing.TB, set, name string) []T {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", set, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var out []T
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// kbBench holds the articles' text index and the past cases.
type kbBench struct {
	text     *kbindex.Index
	cases    *suggest.Cases
	articles map[string]string // each article's words, by id
}

// kbTenant is the one tenant of the benchmark.
const kbTenant = "bench"

// newKBBench indexes the articles of a set, each with the first `questions`
// of its customer questions as its issue, and the past cases.
func newKBBench(tb testing.TB, set string, questions int) *kbBench {
	return newKBBenchSome(tb, set, questions, 1)
}

// newKBBenchSome is newKBBench keeping one past case in every: a young
// tenant with few resolved conversations. The text match is the center's
// own search index (internal/knowledge/kbindex: bleve, BM25, English
// stemming), in memory.
func newKBBenchSome(tb testing.TB, set string, questions, every int) *kbBench {
	tb.Helper()
	idx, err := kbindex.OpenInMemory()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { idx.Close() })
	var arts []knowledge.Article
	words := map[string]string{}
	for _, a := range readKB[kbArticle](tb, set, "articles.jsonl.gz") {
		arts = append(arts, knowledge.Article{ID: a.ExternalID, TenantID: kbTenant, Slug: a.ExternalID, Title: a.Title,
			Issue: strings.Join(a.Questions[:questions], "\n"), Audience: knowledge.Everyone, Locale: "en", State: knowledge.Published})
		words[a.ExternalID] = a.Title + "\n" + arts[len(arts)-1].Issue
	}
	if err := idx.Upsert(context.Background(), arts...); err != nil {
		tb.Fatal(err)
	}
	var cases []suggest.Case
	for i, q := range readKB[kbQuestion](tb, set, "cases.jsonl.gz") {
		if i%every != 0 {
			continue
		}
		cases = append(cases, suggest.Case{ID: fmt.Sprint(i), Text: q.Text, ArticleIDs: []string{q.Article}})
	}
	return &kbBench{text: idx, cases: suggest.NewCases(cases), articles: words}
}

// hits is the BM25 text match for a question.
func (b *kbBench) hits(tb testing.TB, text string, n int) []suggest.Hit {
	res, err := b.text.Search(context.Background(), kbindex.Query{TenantID: kbTenant, Text: text, Limit: n})
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]suggest.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, suggest.Hit{ArticleID: h.ArticleID, Score: h.Score, Text: b.articles[h.ArticleID]})
	}
	return out
}

// kbScores are recall@10, recall@3 (what a desktop panel shows without
// scrolling) and mean reciprocal rank over a split, and the share of
// questions given no suggestion at all (Silent).
type kbScores struct{ Recall10, Recall3, MRR, Silent float64 }

func (s *kbScores) add(ranked []string, want string) {
	if len(ranked) == 0 {
		s.Silent++
	}
	if i := slices.Index(ranked, want); i >= 0 {
		s.MRR += 1 / float64(i+1)
		if i < 10 {
			s.Recall10++
		}
		if i < 3 {
			s.Recall3++
		}
	}
}

func (s kbScores) mean(n int) kbScores {
	return kbScores{Recall10: s.Recall10 / float64(n), Recall3: s.Recall3 / float64(n), MRR: s.MRR / float64(n), Silent: s.Silent / float64(n)}
}

// kbRun is a split with each question's text match, searched once.
type kbRun struct {
	qs   []kbQuestion
	hits [][]suggest.Hit
}

func (b *kbBench) search(tb testing.TB, qs []kbQuestion) kbRun {
	r := kbRun{qs: qs}
	for _, q := range qs {
		r.hits = append(r.hits, b.hits(tb, q.Text, 30))
	}
	return r
}

// evaluate scores BM25 alone and the suggestion with w on a split.
func (b *kbBench) evaluate(run kbRun, w suggest.Weights) (bm25, ours kbScores) {
	qs := run.qs
	for i, q := range qs {
		hits := run.hits[i]
		var text []string
		for _, h := range hits {
			text = append(text, h.ArticleID)
		}
		bm25.add(text, q.Article)
		var ranked []string
		for _, s := range suggest.Rank(suggest.Input{Text: q.Text, Hits: hits, Cases: b.cases}, w) {
			ranked = append(ranked, s.ArticleID)
		}
		ours.add(ranked, q.Article)
	}
	return bm25.mean(len(qs)), ours.mean(len(qs))
}

// BenchmarkKnowledgeSuggest prints the quality figures on the test splits:
// Banking77's under kb_, CLINC150's under kb_clinc_.
func BenchmarkKnowledgeSuggest(b *testing.B) {
	test := readKB[kbQuestion](b, kbBanking, "test.jsonl.gz")
	kb, rich, titles, young := newKBBench(b, kbBanking, 1), newKBBench(b, kbBanking, 3), newKBBench(b, kbBanking, 0), newKBBenchSome(b, kbBanking, 1, 20)
	var bm25, ours, noMin, richBM25, richOurs, titleBM25, titleOurs, youngOurs kbScores
	var searchTime, rankTime time.Duration
	for b.Loop() {
		start := time.Now()
		run := kb.search(b, test)
		searchTime = time.Since(start)
		start = time.Now()
		for i, q := range run.qs {
			suggest.Rank(suggest.Input{Text: q.Text, Hits: run.hits[i], Cases: kb.cases}, suggest.DefaultWeights)
		}
		rankTime = time.Since(start)
		_, youngOurs = young.evaluate(young.search(b, test), suggest.DefaultWeights)
		bm25, ours = kb.evaluate(run, suggest.DefaultWeights)
		_, noMin = kb.evaluate(run, kbNoMinimum)
		richBM25, richOurs = rich.evaluate(rich.search(b, test), suggest.DefaultWeights)
		titleBM25, titleOurs = titles.evaluate(titles.search(b, test), suggest.DefaultWeights)
	}
	Report("kb_bm25_recall_at_10", bm25.Recall10, "ratio")
	Report("kb_bm25_mrr", bm25.MRR, "ratio")
	Report("kb_suggest_recall_at_10", ours.Recall10, "ratio")
	Report("kb_suggest_mrr", ours.MRR, "ratio")
	Report("kb_suggest_recall_vs_bm25", ours.Recall10/bm25.Recall10, "x")
	Report("kb_bm25_recall_at_3", bm25.Recall3, "ratio")
	Report("kb_suggest_recall_at_3", ours.Recall3, "ratio")
	Report("kb_suggest_recall_at_3_vs_bm25", ours.Recall3/bm25.Recall3, "x")
	Report("kb_rich_bm25_recall_at_10", richBM25.Recall10, "ratio")
	Report("kb_rich_bm25_mrr", richBM25.MRR, "ratio")
	Report("kb_rich_suggest_recall_at_10", richOurs.Recall10, "ratio")
	Report("kb_rich_suggest_mrr", richOurs.MRR, "ratio")
	Report("kb_titles_bm25_recall_at_10", titleBM25.Recall10, "ratio")
	Report("kb_titles_suggest_recall_at_10", titleOurs.Recall10, "ratio")
	Report("kb_young_cases", float64(young.cases.Len()), "cases")
	Report("kb_young_suggest_recall_at_10", youngOurs.Recall10, "ratio")
	Report("kb_young_suggest_mrr", youngOurs.MRR, "ratio")
	Report("kb_search_us_per_question", float64(searchTime.Microseconds())/float64(len(test)), "us")
	Report("kb_rank_us_per_question", float64(rankTime.Microseconds())/float64(len(test)), "us")
	Report("kb_test_questions", float64(len(test)), "questions")
	Report("kb_ceiling_vs_bm25", 1/bm25.Recall10, "x")
	Report("kb_suggest_recall_at_10_no_minimum", noMin.Recall10, "ratio")
	Report("kb_suggest_silent", ours.Silent, "ratio")
	kbClincReport(b)
}

// kbNoMinimum are the default weights without the minimum evidence: what
// the minimum costs in recall.
var kbNoMinimum = func() suggest.Weights {
	w := suggest.DefaultWeights
	w.MinEvidence, w.MinArticleEvidence = 0, 0
	return w
}()

// kbClincReport is the CLINC150 part of BenchmarkKnowledgeSuggest: 150
// articles, and out-of-scope questions that have no right article, where
// the best answer is no suggestion.
func kbClincReport(b *testing.B) {
	test := readKB[kbQuestion](b, kbClinc, "test.jsonl.gz")
	oos := readKB[kbQuestion](b, kbClinc, "oos_test.jsonl.gz")
	kb, young := newKBBench(b, kbClinc, 1), newKBBenchSome(b, kbClinc, 1, 20)
	run, oosRun := kb.search(b, test), kb.search(b, oos)
	bm25, ours := kb.evaluate(run, suggest.DefaultWeights)
	_, noMin := kb.evaluate(run, kbNoMinimum)
	oosBM25, oosOurs := kb.evaluate(oosRun, suggest.DefaultWeights)
	_, youngOurs := young.evaluate(young.search(b, test), suggest.DefaultWeights)
	p := "kb_clinc_"
	Report(p+"bm25_recall_at_10", bm25.Recall10, "ratio")
	Report(p+"bm25_mrr", bm25.MRR, "ratio")
	Report(p+"suggest_recall_at_10", ours.Recall10, "ratio")
	Report(p+"suggest_mrr", ours.MRR, "ratio")
	Report(p+"suggest_recall_vs_bm25", ours.Recall10/bm25.Recall10, "x")
	Report(p+"ceiling_vs_bm25", 1/bm25.Recall10, "x")
	Report(p+"bm25_recall_at_3", bm25.Recall3, "ratio")
	Report(p+"suggest_recall_at_3", ours.Recall3, "ratio")
	Report(p+"suggest_recall_at_3_vs_bm25", ours.Recall3/bm25.Recall3, "x")
	Report(p+"suggest_recall_at_10_no_minimum", noMin.Recall10, "ratio")
	Report(p+"suggest_silent", ours.Silent, "ratio")
	Report(p+"young_cases", float64(young.cases.Len()), "cases")
	Report(p+"young_suggest_recall_at_10", youngOurs.Recall10, "ratio")
	Report(p+"young_suggest_mrr", youngOurs.MRR, "ratio")
	Report(p+"oos_bm25_silent", oosBM25.Silent, "ratio")
	Report(p+"oos_suggest_silent", oosOurs.Silent, "ratio")
	Report(p+"test_questions", float64(len(test)), "questions")
	Report(p+"oos_test_questions", float64(len(oos)), "questions")
}

// kbTuneFew narrows BenchmarkKnowledgeSuggestTune to its young-tenant part.
var kbTuneFew = flag.Bool("kb.tune-few", false, "BenchmarkKnowledgeSuggestTune: only the runs with few past cases")

// kbTuneSet is the data set BenchmarkKnowledgeSuggestTune tunes on.
var kbTuneSet = flag.String("kb.tune-set", kbBanking, "BenchmarkKnowledgeSuggestTune: the data set (a folder of testdata: kb, clinc150, hwu64, hint3/BOT)")

// BenchmarkKnowledgeSuggestTune searches the suggestion's weights on the
// validation split (never the test split) and logs each setting's recall@10
// and MRR; it is how suggest.DefaultWeights were chosen. A tool run on
// request, not a figure: `make bench` leaves it out.
//
//	go test -run '^$' -bench 'BenchmarkKnowledgeSuggestTune$' -benchtime 1x -v ./bench/ [-args -kb.tune-few -kb.tune-set clinc150]
func BenchmarkKnowledgeSuggestTune(b *testing.B) {
	t := b
	set := *kbTuneSet
	val := readKB[kbQuestion](t, set, "validation.jsonl.gz")
	for _, every := range []int{100, 20, 5, 1} {
		kb := newKBBenchSome(t, set, 1, every)
		run := kb.search(t, val)
		for _, conf := range []bool{false, true} {
			for _, text := range []float64{0.1, 0.3, 1} {
				bm25, ours := kb.evaluate(run, suggest.Weights{Text: text, Cases: 1, Neighbours: 50, Sharpness: 4, Confidence: conf})
				t.Logf("one case in %d (%d): confidence %v text %.1f: BM25 recall@10 %.4f MRR %.4f, ours %.4f MRR %.4f", every, kb.cases.Len(), conf, text, bm25.Recall10, bm25.MRR, ours.Recall10, ours.MRR)
			}
		}
	}
	if *kbTuneFew {
		return
	}
	for _, questions := range []int{1, 3} {
		kb := newKBBench(t, set, questions)
		run := kb.search(t, val)
		bm25, _ := kb.evaluate(run, kbNoMinimum)
		t.Logf("articles with %d question(s): validation BM25 alone: recall@10 %.4f MRR %.4f", questions, bm25.Recall10, bm25.MRR)
		for _, text := range []float64{0, 0.1, 0.2, 0.3, 0.5, 1} {
			for _, k := range []int{10, 20, 30, 50} {
				for _, sharp := range []float64{1, 2, 4} {
					w := suggest.Weights{Text: text, Cases: 1, Neighbours: k, Sharpness: sharp}
					_, ours := kb.evaluate(run, w)
					t.Logf("text %.1f neighbours %d sharpness %.0f: recall@10 %.4f MRR %.4f", text, k, sharp, ours.Recall10, ours.MRR)
				}
			}
		}
	}
}

// BenchmarkKnowledgeSuggestMinimum shows, on the validation splits of both
// sets (never the test splits), what each minimum evidence costs in
// recall@10 and how many questions it leaves with no suggestion, in scope
// and (CLINC150) out of scope, with all past cases and with one in 20; it is
// how suggest.DefaultWeights' minimums were chosen. A tool run on request.
//
//	go test -run '^$' -bench 'BenchmarkKnowledgeSuggestMinimum$' -benchtime 1x -v ./bench/
func BenchmarkKnowledgeSuggestMinimum(b *testing.B) {
	clincOOS := readKB[kbQuestion](b, kbClinc, "oos_validation.jsonl.gz")
	for _, set := range []string{kbBanking, kbClinc} {
		val := readKB[kbQuestion](b, set, "validation.jsonl.gz")
		for _, every := range []int{1, 20} {
			kb := newKBBenchSome(b, set, 1, every)
			ranked := kb.rankAll(kb.search(b, val))
			var oos [][]suggest.Suggestion
			if set == kbClinc {
				oos = kb.rankAll(kb.search(b, clincOOS))
			}
			for _, each := range []float64{0, 0.001, 0.01, 0.03, 0.05} {
				for _, best := range []float64{0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5} {
					w := suggest.Weights{MinEvidence: best, MinArticleEvidence: each}
					ours := kbKept(val, ranked, w)
					line := fmt.Sprintf("%s, one case in %d: minimum best %.2f each %.3f: recall@10 %.4f MRR %.4f, silent %.4f",
						set, every, best, each, ours.Recall10, ours.MRR, ours.Silent)
					if oos != nil {
						line += fmt.Sprintf(", out of scope silent %.4f", kbKept(clincOOS, oos, w).Silent)
					}
					b.Log(line)
				}
			}
		}
	}
}

// rankAll ranks every question of a run with the default weights and no
// minimum evidence.
func (b *kbBench) rankAll(run kbRun) [][]suggest.Suggestion {
	w := kbNoMinimum
	w.MinArticleEvidence = 0
	out := make([][]suggest.Suggestion, len(run.qs))
	for i, q := range run.qs {
		out[i] = suggest.Rank(suggest.Input{Text: q.Text, Hits: run.hits[i], Cases: b.cases}, w)
	}
	return out
}

// kbKept scores rankings after the minimums of w.
func kbKept(qs []kbQuestion, ranked [][]suggest.Suggestion, w suggest.Weights) kbScores {
	var s kbScores
	for i, q := range qs {
		var ids []string
		for _, sg := range suggest.Keep(ranked[i], w) {
			ids = append(ids, sg.ArticleID)
		}
		s.add(ids, q.Article)
	}
	return s.mean(len(qs))
}
