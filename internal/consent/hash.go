package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Version names the encoding Sum hashes; it is the encoding's first line.
const Version = "consent-record-v1"

// TimeLayout is how At is written in the encoding: UTC, always six digits of
// fraction.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Sum returns a record's Hash: the lowercase hex SHA-256 of its encoding,
// which an auditor can rebuild from the exported JSON alone:
//
//	consent-record-v1\n
//	then, for each field in this order, name ":" length ":" value "\n"
//	    tenant_id, persona_id, seq, scope, granted, previous, source,
//	    actor, note_digest, at, prev_hash
//
// where length is the value's length in bytes, in decimal, so no value can
// pass for another whatever it contains; seq is decimal; granted is "true"
// or "false"; previous is "true", "false" or "" (none); at is UTC in
// TimeLayout ("2026-11-25T20:49:57.123456Z"); note_digest and prev_hash are
// "" when absent. Hash itself, Note and NoteSalt are not hashed. For example
// the tenant line of tenant "t1" is "tenant_id:2:t1\n".
func Sum(r Record) string {
	prev := ""
	if r.Previous != nil {
		prev = strconv.FormatBool(*r.Previous)
	}
	sum := sha256.Sum256([]byte(encode(Version,
		"tenant_id", r.TenantID,
		"persona_id", r.PersonaID,
		"seq", strconv.FormatInt(r.Seq, 10),
		"scope", r.Scope,
		"granted", strconv.FormatBool(r.Granted),
		"previous", prev,
		"source", r.Source,
		"actor", r.Actor,
		"note_digest", r.NoteDigest,
		"at", r.At.UTC().Format(TimeLayout),
		"prev_hash", r.PrevHash,
	)))
	return hex.EncodeToString(sum[:])
}

// NoteDigest returns the digest that stands for a note in the chain: the
// lowercase hex SHA-256 of
//
//	consent-note-v1\n
//	salt:<length>:<salt>\n
//	note:<length>:<note>\n
//
// The salt is random (Append draws it), so once note and salt are erased the
// digest cannot be matched against guessed notes.
func NoteDigest(salt, note string) string {
	sum := sha256.Sum256([]byte(encode("consent-note-v1", "salt", salt, "note", note)))
	return hex.EncodeToString(sum[:])
}

// encode writes the version line and then name:length:value lines for
// alternating names and values.
func encode(version string, kv ...string) string {
	var b strings.Builder
	b.WriteString(version)
	b.WriteByte('\n')
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString(kv[i])
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(len(kv[i+1])))
		b.WriteByte(':')
		b.WriteString(kv[i+1])
		b.WriteByte('\n')
	}
	return b.String()
}
