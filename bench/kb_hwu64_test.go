package bench

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
)

// HWU64 (testdata/hwu64/README.md) is the third set of the
// knowledge-suggestion benchmark: 64 articles and short, crowd-written
// requests that share few words with the article they belong to, so the
// text match alone leaves room (BM25 recall@10 well under Banking77's and
// CLINC150's), and a perfect ranker could reach more than 1.3× BM25.
const kbHWU = "hwu64"

// BenchmarkKnowledgeSuggestHWU64 prints the HWU64 figures on its test split
// (kb_hwu64_*), BM25 and our suggestion in the same run; the weights are
// suggest.DefaultWeights, chosen on Banking77's validation split.
//
//	go test -run '^$' -bench 'BenchmarkKnowledgeSuggestHWU64$' -benchtime 1x ./bench/
func BenchmarkKnowledgeSuggestHWU64(b *testing.B) {
	test := readKB[kbQuestion](b, kbHWU, "test.jsonl.gz")
	val := readKB[kbQuestion](b, kbHWU, "validation.jsonl.gz")
	kb, rich, young := newKBBench(b, kbHWU, 1), newKBBench(b, kbHWU, 3), newKBBenchSome(b, kbHWU, 1, 20)
	var bm25, ours, noMin, richBM25, richOurs, youngOurs, valBM25, valOurs kbScores
	var padded, oursPadded float64
	for b.Loop() {
		run := kb.search(b, test)
		bm25, ours = kb.evaluate(run, suggest.DefaultWeights)
		_, noMin = kb.evaluate(run, kbNoMinimum)
		padded, oursPadded = kb.paddedRecall10(run, nil), kb.paddedRecall10(run, &suggest.DefaultWeights)
		richBM25, richOurs = rich.evaluate(rich.search(b, test), suggest.DefaultWeights)
		_, youngOurs = young.evaluate(young.search(b, test), suggest.DefaultWeights)
		valBM25, valOurs = kb.evaluate(kb.search(b, val), suggest.DefaultWeights)
	}
	p := "kb_hwu64_"
	Report(p+"bm25_recall_at_10", bm25.Recall10, "ratio")
	Report(p+"bm25_mrr", bm25.MRR, "ratio")
	Report(p+"suggest_recall_at_10", ours.Recall10, "ratio")
	Report(p+"suggest_mrr", ours.MRR, "ratio")
	Report(p+"suggest_recall_vs_bm25", ours.Recall10/bm25.Recall10, "x")
	Report(p+"ceiling_vs_bm25", 1/bm25.Recall10, "x")
	Report(p+"bm25_padded_recall_at_10", padded, "ratio")
	Report(p+"suggest_padded_recall_at_10", oursPadded, "ratio")
	Report(p+"suggest_recall_vs_bm25_padded", oursPadded/padded, "x")
	Report(p+"bm25_recall_at_3", bm25.Recall3, "ratio")
	Report(p+"suggest_recall_at_3", ours.Recall3, "ratio")
	Report(p+"suggest_recall_at_3_vs_bm25", ours.Recall3/bm25.Recall3, "x")
	Report(p+"suggest_recall_at_10_no_minimum", noMin.Recall10, "ratio")
	Report(p+"suggest_silent", ours.Silent, "ratio")
	Report(p+"rich_bm25_recall_at_10", richBM25.Recall10, "ratio")
	Report(p+"rich_suggest_recall_at_10", richOurs.Recall10, "ratio")
	Report(p+"young_cases", float64(young.cases.Len()), "cases")
	Report(p+"young_suggest_recall_at_10", youngOurs.Recall10, "ratio")
	Report(p+"young_suggest_mrr", youngOurs.MRR, "ratio")
	Report(p+"test_questions", float64(len(test)), "questions")
	// The validation split, with the same weights: the figures do not hang
	// on one draw of test questions.
	Report(p+"validation_bm25_recall_at_10", valBM25.Recall10, "ratio")
	Report(p+"validation_suggest_recall_at_10", valOurs.Recall10, "ratio")
	Report(p+"validation_suggest_recall_vs_bm25", valOurs.Recall10/valBM25.Recall10, "x")
}

// TestKnowledgeSuggestHWU64Data checks the committed HWU64 copy against its
// README: 64 articles of three requests each, every past case and every
// validation and test request belonging to one of them, the row counts, and
// no test request word for word among the past cases or the articles' own
// requests (what the suggestion learns from), so the test split is unseen.
func TestKnowledgeSuggestHWU64Data(t *testing.T) {
	arts := readKB[kbArticle](t, kbHWU, "articles.jsonl.gz")
	seen := map[string]bool{}
	known := map[string]bool{}
	for _, a := range arts {
		if len(a.Questions) != 3 || a.Title == "" || known[a.ExternalID] {
			t.Fatalf("article %+v: want a new id, a title and three requests", a)
		}
		known[a.ExternalID] = true
		for _, q := range a.Questions {
			seen[q] = true
		}
	}
	for _, f := range []struct {
		name string
		rows int
	}{{"cases.jsonl.gz", 8762}, {"validation.jsonl.gz", 1076}, {"test.jsonl.gz", 1076}} {
		qs := readKB[kbQuestion](t, kbHWU, f.name)
		if len(qs) != f.rows {
			t.Errorf("%s: %d rows, want %d (README)", f.name, len(qs), f.rows)
		}
		for _, q := range qs {
			if !known[q.Article] || q.Text == "" {
				t.Fatalf("%s: %+v: no such article or no text", f.name, q)
			}
			if f.name == "test.jsonl.gz" && seen[q.Text] {
				t.Errorf("test request %q is also a past case or an article's request", q.Text)
			}
			if f.name == "cases.jsonl.gz" {
				seen[q.Text] = true
			}
		}
	}
	if len(arts) != 64 {
		t.Errorf("%d articles, want 64", len(arts))
	}
}
