//go:build ignore

// derive turns CLINC150's data_full.json into the compact copy the
// knowledge-suggestion benchmark reads (see README.md in this directory),
// in the same shape as ../kb (Banking77):
//
//	go run derive.go path/to/oos-eval/data/data_full.json
//
// Per intent, the first three training questions (in file order) are kept
// with the article (its issue, in the customer's words, as KCS asks) and
// never used as past cases; the other training questions are past cases.
// CLINC150's own validation split is the split for tuning, its test split
// is left unseen while tuning. The out-of-scope questions (no intent, so no
// right article) of the validation and test splits are kept apart: they are
// what a minimum suggestion score should answer with nothing.
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type article struct {
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Questions  []string `json:"questions"`
}

type question struct {
	Text    string `json:"text"`
	Article string `json:"article"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run derive.go data_full.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	check(err)
	var data map[string][][2]string
	check(json.Unmarshal(raw, &data))
	issues := map[string][]string{}
	var order []string
	var cases []question
	for _, r := range data["train"] {
		q := question{Text: strings.TrimSpace(r[0]), Article: r[1]}
		if _, seen := issues[q.Article]; !seen {
			order = append(order, q.Article)
		}
		if len(issues[q.Article]) < 3 {
			issues[q.Article] = append(issues[q.Article], q.Text)
			continue
		}
		cases = append(cases, q)
	}
	var articles []article
	for _, id := range order {
		title := strings.ReplaceAll(id, "_", " ")
		title = strings.ToUpper(title[:1]) + title[1:]
		articles = append(articles, article{ExternalID: id, Title: title, Questions: issues[id]})
	}
	write("articles.jsonl.gz", articles)
	write("cases.jsonl.gz", cases)
	write("validation.jsonl.gz", split(data["val"], ""))
	write("test.jsonl.gz", split(data["test"], ""))
	write("oos_validation.jsonl.gz", split(data["oos_val"], "oos"))
	write("oos_test.jsonl.gz", split(data["oos_test"], "oos"))
	fmt.Printf("%d articles, %d past cases, %d validation, %d test, %d+%d out of scope\n", len(articles), len(cases),
		len(data["val"]), len(data["test"]), len(data["oos_val"]), len(data["oos_test"]))
}

// split converts rows; out-of-scope questions keep an empty article.
func split(rows [][2]string, label string) []question {
	out := make([]question, 0, len(rows))
	for _, r := range rows {
		q := question{Text: strings.TrimSpace(r[0])}
		if r[1] != label || label == "" {
			q.Article = r[1]
		}
		out = append(out, q)
	}
	return out
}

func write[T any](name string, items []T) {
	f, err := os.Create(name)
	check(err)
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	for _, it := range items {
		check(enc.Encode(it))
	}
	check(zw.Close())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
