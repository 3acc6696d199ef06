// Package ids makes the identifiers of Switchboard's records: UUIDv7 strings, which
// sort by creation time (so cursor pagination can use them) and cannot be guessed.
package ids

import "github.com/google/uuid"

// New returns a fresh, time-ordered identifier.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Valid reports whether s has the shape of an identifier made by New. Handlers use
// it to answer 404 for malformed ids without asking the database.
func Valid(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
