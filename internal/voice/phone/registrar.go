package phone

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// Registering is how a node registers a trunk at its provider: the node's
// *sip.Server.
type Registering interface {
	Register(ctx context.Context, t sip.Trunk) (*sip.Registration, error)
}

// registration is one trunk this node keeps registered.
type registration struct {
	print string // the trunk's settings that a registration depends on
	reg   *sip.Registration
}

// Registrar keeps registered, at their providers, the tenants' trunks that
// ask for it (register set): it reads them from storage at start and every
// Every, registers the new ones, registers again those whose provider,
// transport or credentials changed, and removes the registrations of trunks
// deleted or no longer registering. A provider that refuses is tried again
// the next round (its refusal is logged, never the password). Every node
// with a SIP server registers: a provider that keeps several contacts per
// account forks its calls to them, one that keeps the last sends them to the
// node that registered last — either way to a node that can take them.
type Registrar struct {
	svc   *Service
	sip   Registering
	every time.Duration
	log   *slog.Logger

	mu   sync.Mutex
	regs map[string]registration // by trunk id
}

// NewRegistrar returns a registrar of svc's trunks through srv; every ≤ 0
// means 30 s.
func NewRegistrar(svc *Service, srv Registering, every time.Duration, log *slog.Logger) *Registrar {
	if every <= 0 {
		every = 30 * time.Second
	}
	return &Registrar{svc: svc, sip: srv, every: every, log: log, regs: map[string]registration{}}
}

// Run reconciles until ctx ends, then removes every registration it made.
func (r *Registrar) Run(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		r.Reconcile(ctx)
		select {
		case <-ctx.Done():
			r.closeAll()
			return
		case <-t.C:
		}
	}
}

// Registered lists the ids of the trunks registered now, sorted.
func (r *Registrar) Registered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.regs))
	for id := range r.regs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Reconcile brings this node's registrations in line with storage once.
func (r *Registrar) Reconcile(ctx context.Context) {
	recs, err := r.svc.db.RegisteringPhoneTrunks(ctx)
	if err != nil {
		r.log.Warn("phone trunks to register", "err", err)
		return
	}
	want := make([]sip.Trunk, 0, len(recs))
	for _, rec := range recs {
		t, err := r.svc.sipTrunk(rec)
		if err != nil {
			r.log.Warn("phone trunk to register", "tenant_id", rec.TenantID, "trunk_id", rec.ID, "err", err)
			continue
		}
		want = append(want, t)
	}
	r.mu.Lock()
	have := make(map[string]string, len(r.regs))
	for id, x := range r.regs {
		have[id] = x.print
	}
	r.mu.Unlock()
	start, stop := planRegistrations(want, have)
	for _, id := range stop {
		r.remove(id)
	}
	for _, t := range start {
		reg, err := r.sip.Register(ctx, t)
		if err != nil {
			r.log.Warn("sip register refused; trying again later", "tenant_id", t.TenantID, "trunk_id", t.ID,
				"provider", t.Provider, "err", err)
			continue
		}
		r.mu.Lock()
		r.regs[t.ID] = registration{print: fingerprint(t), reg: reg}
		r.mu.Unlock()
		r.log.Info("sip trunk registered", "tenant_id", t.TenantID, "trunk_id", t.ID, "provider", t.Provider)
	}
}

func (r *Registrar) remove(id string) {
	r.mu.Lock()
	x, ok := r.regs[id]
	delete(r.regs, id)
	r.mu.Unlock()
	if ok {
		if err := x.reg.Close(); err != nil {
			r.log.Warn("sip unregister", "trunk_id", id, "err", err)
		}
	}
}

func (r *Registrar) closeAll() {
	for _, id := range r.Registered() {
		r.remove(id)
	}
}

// planRegistrations says which trunks to register (new, or changed since
// they were registered: those are also in stop, to go first) and which
// registrations to remove, given the trunks that want one and the
// fingerprints of those registered now. Pure.
func planRegistrations(want []sip.Trunk, have map[string]string) (start []sip.Trunk, stop []string) {
	wanted := make(map[string]bool, len(want))
	for _, t := range want {
		wanted[t.ID] = true
		print, ok := have[t.ID]
		switch {
		case !ok:
			start = append(start, t)
		case print != fingerprint(t):
			stop = append(stop, t.ID)
			start = append(start, t)
		}
	}
	for id := range have {
		if !wanted[id] {
			stop = append(stop, id)
		}
	}
	slices.Sort(stop)
	return start, stop
}

// fingerprint stands for what a registration depends on; the password is
// in it only hashed, so the registrar holds no second copy of it.
func fingerprint(t sip.Trunk) string {
	h := sha256.Sum256([]byte(t.TenantID + "\x00" + t.Provider + "\x00" + t.Transport + "\x00" + t.Username + "\x00" + t.Password))
	return hex.EncodeToString(h[:])
}
