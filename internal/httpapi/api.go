// Package httpapi is Switchboard's HTTP face: the REST API under /api/v1, its
// OpenAPI document, the realtime WebSocket, health and metrics, and the embedded
// browser app. Handlers are thin: decode, call a domain service, encode.
package httpapi

import (
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextrank/screenpop"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community/practices"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/operator"
	"github.com/switchboard-cx/switchboard/internal/portal"
	"github.com/switchboard-cx/switchboard/internal/ratelimit"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/sandbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
	"github.com/switchboard-cx/switchboard/internal/tenantdata"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
)

// Config tunes the HTTP layer.
type Config struct {
	MaxBodyBytes  int64   // largest request body accepted
	RatePerSecond float64 // sustained requests per second per caller
	RateBurst     int     // requests a caller may send at once
	SecureCookies bool    // mark cookies Secure (serve behind HTTPS)
	// HSTS sends Strict-Transport-Security on every response: the center is
	// reached over HTTPS even where the connection it sees is plain HTTP
	// from a proxy that ended TLS.
	HSTS bool
	// MetricsToken, when set, serves /metrics on this handler to requests
	// bearing it (Authorization: Bearer …). Without it /metrics is not on
	// this handler at all: see MetricsHandler for a separate listener.
	MetricsToken string
}

// DefaultConfig is what serve uses unless told otherwise.
var DefaultConfig = Config{MaxBodyBytes: 1 << 20, RatePerSecond: 50, RateBurst: 100}

// Checker reports whether a dependency is healthy, for /readyz.
type Checker interface {
	Healthy() error
}

// Deps are the services the API calls.
type Deps struct {
	DB       *store.DB
	Accounts *accounts.Service
	Webhooks Webhooks
	Inbox    *inbox.Service
	// Dispatch routes work to agents: queues, offers, SLAs, callbacks.
	Dispatch *dispatch.Service
	// Calls runs browser calls in conversations (internal/voice/calls);
	// nil answers its routes 503 and the feed takes no call frames.
	Calls    *calls.Service
	Realtime Realtime
	Tokens   Tokens
	Bus      Checker
	// Checks are /readyz's other checks, by name: parts of the node that
	// must finish starting before it takes traffic (the knowledge index
	// opening its tenants' indexes).
	Checks   map[string]Checker
	Clock    clock.Clock
	Log      *slog.Logger
	Metrics  prometheus.Registerer
	Gatherer prometheus.Gatherer
	Web      fs.FS // the built browser app

	// Recording keeps call recording policies and recordings; nil answers
	// its routes 503.
	Recording *recording.Service

	// Channels serves the channels' own endpoints under /channels/ (provider
	// webhooks, the chat widget). They authenticate by their own means
	// (signatures, widget tokens) and are called from other origins, so the
	// browser CSRF check does not apply to them.
	Channels http.Handler
	// SecretKey is the server's secret; stored idempotent responses are sealed with it.
	SecretKey []byte
	// Notify runs notification types, events, preferences and consent.
	Notify *notify.Service
	// Portal is the consumer portal behind /portal/api.
	Portal *portal.Portal
	// Links checks the signed links in notices (/u/{token}, /n/{token}).
	Links *notify.Links
	// MailCatcher is the demo's outbox (every mail the center sent); nil
	// when mail goes through a real relay.
	MailCatcher MailCatcher
	// TenantData exports workspaces and deletes them.
	TenantData *tenantdata.Service
	// Operator is the role above tenants (/api/operator/v1), and the
	// suspensions and plan limits the tenant API enforces.
	Operator *operator.Service
	// Sandbox is the sandbox's outbox, simulations, go-live and copies.
	Sandbox *sandbox.Service
	// KnowledgeReuse is knowledge beside a conversation: suggestions,
	// searches, links, dismissals, outcomes, drafts, past cases.
	KnowledgeReuse *reuse.Service
	// Help serves the tenants' public help centers under /help/ (server-
	// rendered pages, not the API); nil serves none.
	Help http.Handler
	// Knowledge runs the knowledge articles: versions, states, flags, imports.
	Knowledge *articles.Service
	// KnowledgeSearch is the node's knowledge search index.
	KnowledgeSearch KnowledgeSearcher

	// ContextConnectors runs the tenants' connectors to their business systems.
	ContextConnectors ContextConnectors
	// Phone keeps tenants' SIP trunks and numbers (internal/voice/phone);
	// nil answers its routes 503.
	Phone Phone
	// Listening keeps tenants' listening rules (internal/listening); nil
	// answers its routes 503.
	Listening Listening
	// Outcall dials callbacks agent first (internal/voice/outcall); nil
	// answers its routes 503.
	Outcall CallbackDialer

	// Swarm runs swarm rooms, expert finding and the contribution record.
	Swarm *rooms.Service
	// ScreenPop ranks the items beside a conversation and learns from the
	// agents' feedback.
	ScreenPop *screenpop.Service
	// Community is the knowledge community across workspaces (opt-in).
	Community *practices.Service
	// Surveys runs the satisfaction surveys (internal/csat/survey); nil
	// answers their routes 503.
	Surveys Surveys
	// Waits estimates a waiting conversation's wait (internal/waittime);
	// nil answers its route 503.
	Waits Waits
	// Reports answers reports over time from the rollups.
	Reports *reports.Service

	// ReportSchedules mails reports on schedules (internal/reports/schedule);
	// nil answers its routes 503.
	ReportSchedules ReportSchedules
}

// API serves HTTP.
type API struct {
	Deps
	db        *store.DB
	accounts  *accounts.Service
	clock     clock.Clock
	log       *slog.Logger
	cfg       Config
	callers   *ratelimit.Keyed // per user, API key or customer
	anonymous *ratelimit.Keyed // per address, for sign-in and failed authentication
	metrics   metrics
	sealer    sealer
}

// New returns the API.
func New(d Deps, cfg Config) *API {
	a := &API{
		Deps: d, db: d.DB, accounts: d.Accounts, clock: d.Clock, log: d.Log, cfg: cfg,
		callers:   ratelimit.New("api", ratelimit.Limit{PerSecond: cfg.RatePerSecond, Burst: cfg.RateBurst}),
		anonymous: ratelimit.New("sign-in", ratelimit.Limit{PerSecond: 1, Burst: 10}),
		metrics:   newMetrics(d.Metrics),
		sealer:    newSealer(d.SecretKey),
	}
	return a
}

// Handler returns the whole HTTP surface.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		switch {
		case rt.portal:
			mux.Handle(rt.method+" "+rt.pattern, a.portalGuard(rt))
		case rt.signed:
			mux.Handle(rt.method+" "+rt.pattern, rt.handler)
		default:
			mux.Handle(rt.method+" "+rt.pattern, a.guard(rt))
		}
	}
	a.mountOps(mux)
	a.mountOperator(mux)
	if a.Help != nil {
		mux.Handle("/help/", a.Help)
	}
	mux.Handle("/", a.webApp())
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, problem(http.StatusForbidden, "cross-origin", "cross-origin requests from browsers are refused"))
	}))
	// RFC 8058 one-click unsubscribes are posted by mail providers, and the
	// signed link is their credential.
	csrf.AddInsecureBypassPattern("POST /u/{token}")
	top := http.NewServeMux()
	top.Handle("/", a.limitBody(csrf.Handler(mux)))
	if a.Channels != nil { // channels set their own body limits (attachments are larger)
		top.Handle("/channels/", a.Channels)
	}
	return a.secure(withRequestID(a.observe(top)))
}
