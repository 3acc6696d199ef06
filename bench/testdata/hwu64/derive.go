//go:build ignore

// derive turns HWU64 (in DialoGLUE's train/valid/test split) into the
// compact copy the knowledge-suggestion benchmark reads (see README.md in
// this directory), in the same shape as ../kb (Banking77) and ../clinc150:
//
//	go run derive.go path/to/Few-Shot-Intent-Detection/Datasets/HWU64
//
// The folder holds train/, valid/ and test/, each with seq.in (one request a
// line) and label (its intent, the same line). Per intent, the first three
// training requests (in file order) are kept with the article (its issue, in
// the customer's words, as KCS asks) and never used as past cases; the
// other training requests are past cases. The split's own validation part
// is the split for tuning; its test part is left unseen while tuning.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
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

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run derive.go path/to/Datasets/HWU64")
		os.Exit(2)
	}
	dir := os.Args[1]
	issues := map[string][]string{}
	var order []string
	var cases []question
	for _, q := range read(dir, "train") {
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
		articles = append(articles, article{ExternalID: id, Title: title(id), Questions: issues[id]})
	}
	val, test := read(dir, "valid"), read(dir, "test")
	for _, q := range append(val, test...) {
		if issues[q.Article] == nil {
			fmt.Fprintf(os.Stderr, "%q: intent %q has no training request\n", q.Text, q.Article)
			os.Exit(1)
		}
	}
	write("articles.jsonl.gz", articles)
	write("cases.jsonl.gz", cases)
	write("validation.jsonl.gz", val)
	write("test.jsonl.gz", test)
	fmt.Printf("%d articles, %d past cases, %d validation, %d test\n", len(articles), len(cases), len(val), len(test))
}

// title is an intent's name in words: "alarm_set" is "Alarm set",
// "iot_hue_lightchange" is "Iot hue lightchange" (the name is left as
// HWU64 spells it, not rewritten by hand).
func title(id string) string {
	t := strings.ReplaceAll(id, "_", " ")
	return strings.ToUpper(t[:1]) + t[1:]
}

// read pairs a split's seq.in and label line by line.
func read(dir, split string) []question {
	texts, labels := lines(filepath.Join(dir, split, "seq.in")), lines(filepath.Join(dir, split, "label"))
	if len(texts) != len(labels) {
		fmt.Fprintf(os.Stderr, "%s: %d requests but %d labels\n", split, len(texts), len(labels))
		os.Exit(1)
	}
	out := make([]question, len(texts))
	for i := range texts {
		out[i] = question{Text: strings.TrimSpace(texts[i]), Article: strings.TrimSpace(labels[i])}
	}
	return out
}

func lines(path string) []string {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	check(sc.Err())
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
