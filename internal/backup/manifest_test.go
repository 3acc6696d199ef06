package backup_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/backup"
)

// FuzzManifest holds Validate to its promise for any manifest on disk: what it
// accepts names the database and only files inside the backup directory.
func FuzzManifest(f *testing.F) {
	sum := strings.Repeat("ab", 32)
	f.Add(`{"format":1,"engine":"sqlite","schema_version":7,"files":[{"path":"switchboard.db","size":4096,"sha256":"` + sum + `"}]}`)
	f.Add(`{"format":1,"engine":"sqlite","schema_version":7,"files":[{"path":"switchboard.db","size":1,"sha256":"` + sum + `"},{"path":"../x","size":1,"sha256":"` + sum + `"}]}`)
	f.Add(`{"format":1,"engine":"sqlite","schema_version":7,"files":[{"path":"/etc/passwd","size":1,"sha256":"` + sum + `"}]}`)
	f.Add(`{"format":2,"engine":"postgres","files":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, raw string) {
		var m backup.Manifest
		if json.Unmarshal([]byte(raw), &m) != nil || m.Validate() != nil {
			return
		}
		if _, ok := m.File(backup.DatabaseName); !ok {
			t.Fatalf("accepted without %s: %s", backup.DatabaseName, raw)
		}
		for _, file := range m.Files {
			joined := filepath.Join("/backup", file.Path)
			if !strings.HasPrefix(joined, "/backup/") || file.Size < 0 {
				t.Fatalf("accepted %q, which resolves to %s", file.Path, joined)
			}
		}
	})
}
