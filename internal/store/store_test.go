package store_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestStore runs the shared storage suite on every engine: SQLite and PostgreSQL
// must behave the same.
func TestStore(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { storetest.Run(t, e.Open) })
	}
}
