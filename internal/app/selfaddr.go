package app

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// listenAddr is the address this node serves on, "" before Serve: where the
// demo's own connector is dialled (ADR 0026).
func (a *App) listenAddr() string {
	s, _ := a.listen.Load().(string)
	return s
}

// dialable is a listener's address as a client reaches it: a listener on
// every interface (":8080") is reached on loopback.
func dialable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() { // Go's ":8080" listens on both families
		ip = net.IPv4(127, 0, 0, 1)
	}
	return (&net.TCPAddr{IP: ip, Port: tcp.Port}).String()
}

// demoTenant returns the demo tenant's id once it exists ("" before), looked
// up by its slug and then remembered.
func demoTenant(db *store.DB) func(context.Context) string {
	var id atomic.Value
	return func(ctx context.Context) string {
		if s, _ := id.Load().(string); s != "" {
			return s
		}
		t, err := db.TenantBySlug(ctx, demo.Slug)
		if err != nil {
			return ""
		}
		id.Store(t.ID)
		return t.ID
	}
}
