package connectors

import (
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/secretbox"
)

// sealer encrypts connector secrets (package secretbox, as webhooks' and
// second factors' are): a copied database or an export yields no secret to
// forge answers with. The connector's id is the additional data, so a sealed
// secret moved to another row does not open.
type sealer struct{ box *secretbox.Box }

func newSealer(serverKey []byte) (sealer, error) {
	b, err := secretbox.New(serverKey, "context-connector-secret")
	if err != nil {
		return sealer{}, fmt.Errorf("context connectors: %w", err)
	}
	return sealer{b}, nil
}

func (s sealer) seal(connectorID, plain string) string { return s.box.Seal(connectorID, plain) }

func (s sealer) open(connectorID, sealed string) (string, error) {
	return s.box.Open(connectorID, sealed)
}
