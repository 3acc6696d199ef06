package consent

import "encoding/json"

// Exported is a persona's consent ledger as handed to the customer (or an
// auditor): the records, whether the chain verified, and what it takes to
// check it again.
type Exported struct {
	TenantID  string `json:"tenant_id"`
	PersonaID string `json:"persona_id"`
	// Encoding names the hash encoding documented at Sum.
	Encoding string `json:"encoding"`
	Verified bool   `json:"verified"`
	// Error is Verify's reason when Verified is false.
	Error string `json:"error,omitempty"`
	// Head is the last record's Hash: keep it to detect a rewritten chain.
	Head    string   `json:"head,omitempty"`
	Records []Record `json:"records"`
}

// Export returns records, a persona's chain in order, as indented
// JSON with the result of Verify. A chain that fails verification is
// exported all the same, saying why: the customer is owed what is stored.
func Export(records []Record) ([]byte, error) {
	x := Exported{Encoding: Version, Verified: true, Records: records}
	if x.Records == nil {
		x.Records = []Record{}
	}
	if n := len(records); n > 0 {
		x.TenantID, x.PersonaID, x.Head = records[0].TenantID, records[0].PersonaID, records[n-1].Hash
	}
	if err := Verify(records); err != nil {
		x.Verified, x.Error = false, err.Error()
	}
	return json.MarshalIndent(x, "", "  ")
}
