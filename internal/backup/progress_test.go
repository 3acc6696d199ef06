package backup_test

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/backup"
)

func TestMeter(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name    string
		step    int
		reports []backup.Progress
		want    []string
	}{
		{"small copy in one report", 10, []backup.Progress{{Stage: "copy database", Done: 512, Total: 512}},
			[]string{"copy database: 100% (512 B of 512 B)"}},
		{"a line per step passed, none in between", 25, []backup.Progress{
			{"copy database", 0, 4 * gib}, {"copy database", gib / 2, 4 * gib}, {"copy database", gib, 4 * gib},
			{"copy database", 3 * gib, 4 * gib}, {"copy database", 4 * gib, 4 * gib}, {"copy database", 4 * gib, 4 * gib},
		}, []string{
			"copy database:   0% (0 B of 4.0 GiB)", "copy database:  25% (1.0 GiB of 4.0 GiB)",
			"copy database:  75% (3.0 GiB of 4.0 GiB)", "copy database: 100% (4.0 GiB of 4.0 GiB)",
		}},
		{"a new stage starts over", 50, []backup.Progress{
			{"copy database", 10 << 20, 10 << 20}, {"checksum database", 1 << 20, 10 << 20}, {"checksum database", 10 << 20, 10 << 20},
		}, []string{
			"copy database: 100% (10.0 MiB of 10.0 MiB)", "checksum database:  10% (1.0 MiB of 10.0 MiB)",
			"checksum database: 100% (10.0 MiB of 10.0 MiB)",
		}},
		{"an empty file is done", 10, []backup.Progress{{"restore switchboard.db", 0, 0}},
			[]string{"restore switchboard.db: 100% (0 B of 0 B)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			m := backup.NewMeter(&out, tc.step)
			for _, p := range tc.reports {
				m.Report(p)
			}
			if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
