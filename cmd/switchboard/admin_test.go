package main

import (
	"net"
	"testing"
)

// TestAdminCommandsRunBesideAServer: the commands an operator runs on a host
// where a node serves — making a workspace, a sign-up code, an operator — do
// their work even though the serving node holds the inbound mail port. They
// opened the whole center, mail listener included, and failed with "address
// already in use".
func TestAdminCommandsRunBesideAServer(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0") // the serving node's mail listener
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	data := t.TempDir()
	for _, args := range [][]string{
		{"tenant", "create", "--slug", "acme", "--name", "Acme", "--admin-email", "admin@acme.example"},
		{"signup-code", "create"},
		{"operator", "create", "--name", "Olga"},
		{"migrate"},
	} {
		full := append(args, "--data", data, "--log-level", "error", "--smtp-listen", busy.Addr().String())
		if err := run(full); err != nil {
			t.Errorf("switchboard %v beside a serving node: %v", args, err)
		}
	}
}
