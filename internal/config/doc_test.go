package config

import (
	"flag"
	"os"
	"strings"
	"testing"
)

// Every flag must be documented in docs/configuration.md, with its variable.
func TestEveryFlagIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	Flag(fs)
	fs.VisitAll(func(f *flag.Flag) {
		row := "| `--" + f.Name + "` | `" + envName(f.Name) + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/configuration.md lacks the row for --%s (%s)", f.Name, envName(f.Name))
		}
	})
}
