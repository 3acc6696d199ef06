package sip

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Registration keeps a trunk registered at its provider: it REGISTERs,
// answers the provider's digest challenge with the trunk's credentials, and
// registers again before the granted expiry (at half of it), until closed.
type Registration struct {
	srv    *Server
	trunk  Trunk
	leg    *transportLeg
	callID sip.CallIDHeader
	cseq   uint32
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	expires time.Time
	count   int
	err     error
}

// Register registers t at its provider and keeps it registered until ctx
// ends or Close is called. It returns once the first registration is
// accepted, or with the provider's refusal.
func (s *Server) Register(ctx context.Context, t Trunk) (*Registration, error) {
	network, err := t.transport()
	if err != nil {
		return nil, err
	}
	leg, err := s.leg(network)
	if err != nil {
		return nil, err
	}
	if t.Username == "" {
		return nil, fmt.Errorf("sip: register trunk %s: no username", t.ID)
	}
	r := &Registration{srv: s, trunk: t, leg: leg, callID: sip.CallIDHeader(sip.GenerateTagN(24)),
		cseq: 1, done: make(chan struct{})}
	granted, err := r.register(ctx, s.cfg.RegisterExpiry)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(s.ctx)
	r.cancel = cancel
	stopOnCtx := context.AfterFunc(ctx, cancel)
	go func() {
		defer close(r.done)
		defer stopOnCtx()
		r.loop(lctx, granted)
	}()
	return r, nil
}

// Expires is when the current registration lapses unless refreshed.
func (r *Registration) Expires() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.expires
}

// Count is how many REGISTERs the provider accepted.
func (r *Registration) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count
}

// Err is the last refresh's failure, nil after a success.
func (r *Registration) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close stops refreshing and removes the registration (Expires: 0).
func (r *Registration) Close() error {
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := r.register(ctx, 0)
	return err
}

func (r *Registration) loop(ctx context.Context, granted time.Duration) {
	next := granted / 2
	for {
		timer := time.NewTimer(next)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		g, err := r.register(ctx, r.srv.cfg.RegisterExpiry)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.srv.log.Warn("sip register refresh failed", "trunk", r.trunk.ID, "tenant", r.trunk.TenantID, "error", err)
			// Try again soon, but before the registration lapses if it still can.
			next = min(30*time.Second, max(time.Second, r.Expires().Sub(r.srv.cfg.Clock.Now())/2))
			continue
		}
		next = g / 2
	}
}

// register sends one REGISTER asking for expiry (0 removes it) and returns
// the lifetime the provider granted.
func (r *Registration) register(ctx context.Context, expiry time.Duration) (time.Duration, error) {
	granted, err := r.registerOnce(ctx, expiry)
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	return granted, err
}

func (r *Registration) registerOnce(ctx context.Context, expiry time.Duration) (time.Duration, error) {
	t := r.trunk
	ip, port, host, err := r.srv.providerAddr(ctx, t)
	if err != nil {
		return 0, err
	}
	recipient := sip.Uri{Scheme: "sip", Host: ip.String(), Port: port}
	if r.leg.network == "tcp" {
		recipient.UriParams = sip.NewParams()
		recipient.UriParams.Add("transport", "tcp")
	}
	aor := sip.Uri{Scheme: "sip", User: t.Username, Host: host}
	req := sip.NewRequest(sip.REGISTER, recipient)
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	req.AppendHeader(&r.callID)
	r.mu.Lock()
	r.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.cseq, MethodName: sip.REGISTER})
	r.mu.Unlock()
	contact := r.leg.contact
	contact.Address.User = t.Username
	req.AppendHeader(&contact)
	secs := int(expiry / time.Second)
	exp := sip.ExpiresHeader(secs)
	req.AppendHeader(&exp)

	rctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	res, err := r.leg.client.Do(rctx, req)
	if err != nil {
		return 0, fmt.Errorf("sip: REGISTER trunk %s: %w", t.ID, err)
	}
	if res.StatusCode == 401 || res.StatusCode == 407 {
		if t.Password == "" {
			return 0, fmt.Errorf("sip: REGISTER trunk %s: %w (%d, and the trunk has no password)", t.ID, ErrUnauthorized, res.StatusCode)
		}
		res, err = r.leg.client.DoDigestAuth(rctx, req, res, sipgo.DigestAuth{Username: t.Username, Password: t.Password})
		if err != nil {
			return 0, fmt.Errorf("sip: REGISTER trunk %s with credentials: %w", t.ID, err)
		}
		r.mu.Lock()
		r.cseq = req.CSeq().SeqNo
		r.mu.Unlock()
	}
	switch {
	case res.StatusCode == 401 || res.StatusCode == 407 || res.StatusCode == 403:
		return 0, fmt.Errorf("sip: REGISTER trunk %s: %w (%d %s)", t.ID, ErrUnauthorized, res.StatusCode, res.Reason)
	case !res.IsSuccess():
		return 0, fmt.Errorf("sip: REGISTER trunk %s: %d %s", t.ID, res.StatusCode, res.Reason)
	}
	granted := expiry
	if secs > 0 {
		granted = grantedExpiry(res, expiry)
	}
	r.mu.Lock()
	r.expires = r.srv.cfg.Clock.Now().Add(granted)
	if secs > 0 {
		r.count++
	}
	r.mu.Unlock()
	return granted, nil
}

// grantedExpiry is the lifetime a 200 to REGISTER grants: the Contact's
// expires parameter, else the Expires header, else what was asked.
func grantedExpiry(res *sip.Response, asked time.Duration) time.Duration {
	if c := res.Contact(); c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(h.Value()); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}
