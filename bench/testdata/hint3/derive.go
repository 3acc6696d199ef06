//go:build ignore

// derive turns HINT3's three bots (v2) into the compact copies the
// knowledge-suggestion benchmark reads (see README.md in this directory),
// one folder per bot, each in the same shape as ../kb (Banking77):
//
//	go run derive.go path/to/HINT3/dataset/v2
//
// Per intent, the first three training sentences (in file order) are kept
// with the article (its issue) and never used as past cases; of the other
// training sentences, those whose FNV-1a hash is 0 mod 10 are the
// validation split (for tuning), as for Banking77, and the rest are past
// cases. The test file's in-scope queries (real users' messages to the
// live bot) are the test split, left unseen while tuning; its out-of-scope
// ones (label NO_NODES_DETECTED: no intent, so no right article) are kept
// apart, with an empty article.
package main

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
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

// outOfScope is HINT3's label for a query that fits no intent.
const outOfScope = "NO_NODES_DETECTED"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run derive.go path/to/HINT3/dataset/v2")
		os.Exit(2)
	}
	for _, bot := range []string{"curekart", "powerplay11", "sofmattress"} {
		derive(os.Args[1], bot)
	}
}

func derive(dir, bot string) {
	issues := map[string][]string{}
	var order []string
	var validation, cases []question
	for _, q := range read(filepath.Join(dir, "train", bot+"_train.csv")) {
		if _, seen := issues[q.Article]; !seen {
			order = append(order, q.Article)
		}
		if len(issues[q.Article]) < 3 {
			issues[q.Article] = append(issues[q.Article], q.Text)
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(q.Text))
		if h.Sum32()%10 == 0 {
			validation = append(validation, q)
		} else {
			cases = append(cases, q)
		}
	}
	var articles []article
	for _, id := range order {
		articles = append(articles, article{ExternalID: id, Title: title(id), Questions: issues[id]})
	}
	var test, oos []question
	for _, q := range read(filepath.Join(dir, "test", bot+"_test.csv")) {
		switch {
		case q.Article == outOfScope:
			oos = append(oos, question{Text: q.Text})
		case issues[q.Article] == nil:
			fmt.Fprintf(os.Stderr, "%s: %q: intent %q has no training sentence\n", bot, q.Text, q.Article)
			os.Exit(1)
		default:
			test = append(test, q)
		}
	}
	check(os.MkdirAll(bot, 0o755))
	write(filepath.Join(bot, "articles.jsonl.gz"), articles)
	write(filepath.Join(bot, "cases.jsonl.gz"), cases)
	write(filepath.Join(bot, "validation.jsonl.gz"), validation)
	write(filepath.Join(bot, "test.jsonl.gz"), test)
	write(filepath.Join(bot, "oos_test.jsonl.gz"), oos)
	fmt.Printf("%s: %d articles, %d past cases, %d validation, %d test, %d out of scope\n", bot, len(articles), len(cases),
		len(validation), len(test), len(oos))
}

// title is an intent's name in words: "CALL_CENTER" is "Call center".
func title(id string) string {
	t := strings.ToLower(strings.ReplaceAll(id, "_", " "))
	return strings.ToUpper(t[:1]) + t[1:]
}

// read returns a CSV file's rows (sentence, label) after its header.
func read(path string) []question {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	check(err)
	if len(rows) == 0 || rows[0][0] != "sentence" || rows[0][1] != "label" {
		fmt.Fprintf(os.Stderr, "%s: want the header sentence,label\n", path)
		os.Exit(1)
	}
	var out []question
	for _, r := range rows[1:] {
		out = append(out, question{Text: strings.TrimSpace(r[0]), Article: strings.TrimSpace(r[1])})
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
