//go:build ignore

// derive turns the Apache JIRA bug reports of SPEAR-SE/LogInBugReportsEmpirical_Data
// into the compact copy the expert-finding benchmark reads (see README.md in
// this directory):
//
//	go run derive.go path/to/bug_reports > /dev/null
//
// bug_reports holds one directory per project (ActiveMQ, HDFS, Hadoop, ...)
// with one JIRA REST JSON file per report. Kept: reports resolved as Fixed
// with an assignee and a resolution date. Each project is one tenant; its
// cases are ordered by resolution time: the oldest 70 % are the past cases,
// the next 10 % the validation split (the only one looked at while tuning),
// the newest 20 % the test split. People are pseudonymised per project
// (u0001, u0002, ... in order of first resolution); no name, login or email
// is written.
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// descLimit is how much of a report's description is kept: its first lines,
// as a customer's first message would be.
const descLimit = 180

type report struct {
	Key    string `json:"key"`
	Fields struct {
		Summary     string `json:"summary"`
		Description string `json:"description"`
		Created     string `json:"created"`
		Resolved    string `json:"resolutiondate"`
		Resolution  *struct {
			Name string `json:"name"`
		} `json:"resolution"`
		Assignee *struct {
			Name string `json:"name"`
		} `json:"assignee"`
		Components []struct {
			Name string `json:"name"`
		} `json:"components"`
	} `json:"fields"`
}

type kase struct {
	Tenant   string    `json:"tenant"`
	Key      string    `json:"key"`
	Split    string    `json:"split"` // past, validation, test
	Queue    string    `json:"queue"`
	Resolver string    `json:"resolver"`
	Created  time.Time `json:"created"`
	Resolved time.Time `json:"resolved"`
	Text     string    `json:"text"`
	assignee string
}

const jiraTime = "2006-01-02T15:04:05.000-0700"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run derive.go path/to/bug_reports")
		os.Exit(2)
	}
	projects, err := os.ReadDir(os.Args[1])
	check(err)
	var all []kase
	for _, p := range projects {
		if !p.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(os.Args[1], p.Name(), "*.json"))
		check(err)
		var cs []kase
		for _, f := range files {
			if c, ok := read(f, p.Name()); ok {
				cs = append(cs, c)
			}
		}
		if len(cs) < 100 {
			continue // AspectJ and PDE hold one or two reports here
		}
		slices.SortFunc(cs, func(a, b kase) int {
			if c := a.Resolved.Compare(b.Resolved); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		names := map[string]string{}
		for i := range cs {
			if names[cs[i].assignee] == "" {
				names[cs[i].assignee] = fmt.Sprintf("u%04d", len(names)+1)
			}
			cs[i].Resolver = names[cs[i].assignee]
			switch {
			case i < len(cs)*70/100:
				cs[i].Split = "past"
			case i < len(cs)*80/100:
				cs[i].Split = "validation"
			default:
				cs[i].Split = "test"
			}
		}
		fmt.Fprintf(os.Stderr, "%s: %d cases, %d resolvers\n", p.Name(), len(cs), len(names))
		all = append(all, cs...)
	}
	out, err := os.Create("cases.jsonl.gz")
	check(err)
	zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	for _, c := range all {
		check(enc.Encode(c))
	}
	check(zw.Close())
	check(out.Close())
	fmt.Fprintf(os.Stderr, "%d cases\n", len(all))
}

func read(path, tenant string) (kase, bool) {
	b, err := os.ReadFile(path)
	check(err)
	var r report
	if json.Unmarshal(b, &r) != nil {
		return kase{}, false
	}
	f := r.Fields
	if f.Resolution == nil || f.Resolution.Name != "Fixed" || f.Assignee == nil || f.Assignee.Name == "" || f.Resolved == "" {
		return kase{}, false
	}
	created, err1 := time.Parse(jiraTime, f.Created)
	resolved, err2 := time.Parse(jiraTime, f.Resolved)
	if err1 != nil || err2 != nil {
		return kase{}, false
	}
	queue := "(none)"
	if len(f.Components) > 0 {
		queue = f.Components[0].Name
	}
	desc := strings.Join(strings.Fields(f.Description), " ")
	if len(desc) > descLimit {
		cut := descLimit
		for cut > 0 && (desc[cut]&0xC0) == 0x80 { // not inside a UTF-8 character
			cut--
		}
		desc = desc[:cut]
	}
	text := strings.Join(strings.Fields(f.Summary), " ")
	if desc != "" {
		text += "\n" + desc
	}
	return kase{Tenant: tenant, Key: r.Key, Queue: queue, Created: created.UTC(), Resolved: resolved.UTC(), Text: text, assignee: f.Assignee.Name}, true
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
