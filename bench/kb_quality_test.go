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
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

var kbQualityData = flag.String("kb.quality.data", "testdata/kb",
	"BenchmarkKnowledgeSearchQuality: the Banking77-derived data (articles.jsonl.gz, test.jsonl.gz; see its README)")

// qualityArticle and qualityQuestion are rows of the Banking77-derived data
// the knowledge-suggestion benchmark also reads (bench/testdata/kb/README.md).
type qualityArticle struct {
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Questions  []string `json:"questions"`
}

type qualityQuestion struct {
	Text    string `json:"text"`
	Article string `json:"article"`
}

func readJSONL[T any](b *testing.B, path string) []T {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatalf("%v: the data is Banking77 derived by the knowledge-suggestion benchmark (bench/testdata/kb); point -kb.quality.data at it", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var out []T
	sc := bufio.NewScanner(z)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			b.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// BenchmarkKnowledgeSearchQuality measures how well each engine finds the
// right article for a real customer question: Banking77's 77 intents as
// one tenant's articles (the intent's name as title, three of its training
// questions as the issue), its 3,080 test questions as searches, each with
// its intent's article as the one right answer. Reported per engine:
// recall at 1 and 5 and the mean reciprocal rank of the top 10; then again
// with a typo in every question (two letters of its longest word swapped).
// It runs once per process whatever b.N is.
func BenchmarkKnowledgeSearchQuality(b *testing.B) {
	ctx := context.Background()
	arts := readJSONL[qualityArticle](b, filepath.Join(*kbQualityData, "articles.jsonl.gz"))
	questions := readJSONL[qualityQuestion](b, filepath.Join(*kbQualityData, "test.jsonl.gz"))
	const tenantID = "banking77"
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var corpus []knowledge.Article
	for _, a := range arts {
		corpus = append(corpus, knowledge.Article{ID: a.ExternalID, TenantID: tenantID, Slug: a.ExternalID, Title: a.Title,
			Issue: strings.Join(a.Questions, "\n"), Audience: knowledge.Everyone, Locale: "en", State: knowledge.Published,
			Tags: []string{}, Version: 1, CreatedAt: t0, UpdatedAt: t0})
	}
	typo := make([]KBQuery, len(questions))
	plain := make([]KBQuery, len(questions))
	for i, q := range questions {
		plain[i] = KBQuery{TenantID: tenantID, Text: q.Text}
		typo[i] = KBQuery{TenantID: tenantID, Text: withTypo(q.Text)}
	}
	fmt.Printf("knowledge search quality: %d articles, %d test questions (Banking77)\n", len(corpus), len(questions))

	x, err := kbindex.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if err := x.Upsert(ctx, corpus...); err != nil {
		b.Fatal(err)
	}
	bleveSearch := func(ctx context.Context, q KBQuery) ([]string, error) {
		res, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ArticleID)
		}
		return ids, err
	}
	fts, err := LoadFTS5(ctx, filepath.Join(b.TempDir(), "fts.db"), corpus)
	if err != nil {
		b.Fatal(err)
	}
	defer fts.Close()
	pg, err := LoadPostgres(ctx, storetest.PostgresDSN(b), corpus)
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	for _, e := range []struct {
		suffix string
		search func(context.Context, KBQuery) ([]string, error)
	}{{"", bleveSearch}, {"_fts5", fts.Search}, {"_pg", pg.Search}} {
		for _, set := range []struct {
			name string
			qs   []KBQuery
		}{{"", plain}, {"_typo", typo}} {
			var at1, at5, rr float64
			for i, q := range set.qs {
				ids, err := e.search(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				for rank, id := range ids {
					if id == questions[i].Article {
						rr += 1 / float64(rank+1)
						if rank == 0 {
							at1++
						}
						if rank < 5 {
							at5++
						}
						break
					}
				}
			}
			n := float64(len(set.qs))
			Report("kb_quality_recall_at_1"+set.name+e.suffix, at1/n, "ratio")
			Report("kb_quality_recall_at_5"+set.name+e.suffix, at5/n, "ratio")
			Report("kb_quality_mrr_at_10"+set.name+e.suffix, rr/n, "ratio")
		}
	}
	for b.Loop() {
	}
}

// withTypo swaps two letters in the middle of text's longest word.
func withTypo(text string) string {
	words := strings.Fields(text)
	longest := 0
	for i, w := range words {
		if len(w) > len(words[longest]) {
			longest = i
		}
	}
	w := []byte(words[longest])
	if len(w) >= 5 {
		m := len(w) / 2
		w[m], w[m+1] = w[m+1], w[m]
		words[longest] = string(w)
	}
	return strings.Join(words, " ")
}
