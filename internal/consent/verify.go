package consent

import (
	"fmt"
	"strconv"
)

// ChainError says which record of a chain is the first one wrong, and why.
type ChainError struct {
	Index  int   // position in the slice given to Verify
	Seq    int64 // the record's Seq as stored
	Reason string
}

func (e *ChainError) Error() string {
	return "consent record " + strconv.Itoa(e.Index) + " (seq " + strconv.FormatInt(e.Seq, 10) + "): " + e.Reason
}

// Verify checks that records, a persona's chain in order, is whole and
// unaltered: Seq counts 1, 2, … with no gap, each PrevHash is the Hash
// before, each Hash recomputes, every record is of the same tenant and
// persona, each Previous is the scope's value before, each note matches its
// digest, a note is blanked only in a chain that ends in a tombstone, and
// nothing follows a tombstone. The error is a *ChainError naming the first
// bad record. An empty chain verifies.
//
// Verify catches an edit by anyone who cannot rewrite every later record;
// someone who can rewrite the whole chain is caught only by comparing its
// last Hash with one kept elsewhere (an earlier export, say).
func Verify(records []Record) error {
	erased := len(records) > 0 && records[len(records)-1].Source == SourceErasure
	state := make(map[string]bool)
	for i, r := range records {
		bad := func(format string, args ...any) error {
			return &ChainError{Index: i, Seq: r.Seq, Reason: fmt.Sprintf(format, args...)}
		}
		if r.Seq != int64(i+1) {
			return bad("seq is %d, want %d: a record is missing or out of order", r.Seq, i+1)
		}
		prevHash := ""
		if i > 0 {
			prevHash = records[i-1].Hash
			if r.TenantID != records[0].TenantID || r.PersonaID != records[0].PersonaID {
				return bad("belongs to tenant %s persona %s, not the chain's", r.TenantID, r.PersonaID)
			}
			if records[i-1].Source == SourceErasure {
				return bad("follows the tombstone")
			}
		}
		if r.PrevHash != prevHash {
			return bad("prev_hash does not match the hash of the record before")
		}
		if sum := Sum(r); r.Hash != sum {
			return bad("hash does not match the record's content")
		}
		if v, ok := state[r.Scope]; ok != (r.Previous != nil) || ok && v != *r.Previous {
			return bad("previous value does not match the chain")
		}
		state[r.Scope] = r.Granted
		switch {
		case r.Note != "" || r.NoteSalt != "":
			if r.NoteDigest != NoteDigest(r.NoteSalt, r.Note) {
				return bad("note does not match its digest")
			}
		case r.NoteDigest != "" && !erased:
			return bad("note removed, but the persona was not erased")
		}
	}
	return nil
}
